"""communities.roster."""
