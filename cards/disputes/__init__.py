"""The dispute route's cards: the school's form and its card, the handler's card, the officers' list."""
