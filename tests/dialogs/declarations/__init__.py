"""tests.dialogs.declarations."""
