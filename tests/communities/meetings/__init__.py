"""tests.communities.meetings."""
