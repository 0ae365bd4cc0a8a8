"""Chat handlers: declarations."""
