"""Chat handlers: roster."""
