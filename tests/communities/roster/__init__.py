"""tests.communities.roster."""
