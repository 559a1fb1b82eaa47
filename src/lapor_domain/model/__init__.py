"""The domain model."""
