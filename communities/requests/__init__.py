"""communities.requests."""
