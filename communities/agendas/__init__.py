"""communities.agendas."""
