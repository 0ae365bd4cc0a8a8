"""communities.broadcasts."""
