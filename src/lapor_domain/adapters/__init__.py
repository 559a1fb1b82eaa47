"""Adapters: storage and serialisation. They depend on the model, never the reverse."""
