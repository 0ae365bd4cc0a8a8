"""tests.cards.meetings."""
