"""tests.dialogs.requests."""
