"""Chat handlers: meetings."""
