"""tests.communities.requests."""
