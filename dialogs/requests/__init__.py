"""Chat handlers: requests."""
