"""Chat handlers: broadcasts."""
