"""tests.communities.messaging."""
