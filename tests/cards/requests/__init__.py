"""tests.cards.requests."""
