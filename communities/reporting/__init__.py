"""Reports for council officers: figures per area and community, with small numbers suppressed."""
