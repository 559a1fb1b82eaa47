"""lapor_cli: the `lapor` command line (issue 4)."""
