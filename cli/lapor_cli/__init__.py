"""lapor_cli: the `lapor` command line."""

__version__ = "0.1.0"
