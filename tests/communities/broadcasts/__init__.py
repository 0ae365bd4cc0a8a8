"""tests.communities.broadcasts."""
