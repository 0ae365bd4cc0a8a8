"""communities.meetings."""
