"""tests.communities.agendas."""
