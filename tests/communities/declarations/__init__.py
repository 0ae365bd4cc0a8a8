"""tests.communities.declarations."""
