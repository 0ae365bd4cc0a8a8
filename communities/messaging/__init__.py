"""communities.messaging."""
