"""lapor_projections: read models derived from the complaint events (issue 3)."""
