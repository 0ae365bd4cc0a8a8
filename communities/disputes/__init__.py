"""Disputes of a confirmed outcome: three stages, each with its handlers and deadlines (issue 13)."""
