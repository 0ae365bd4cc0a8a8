"""communities.declarations."""
