"""Chat handlers: agendas."""
