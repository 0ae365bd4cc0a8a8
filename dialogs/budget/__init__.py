"""The community budget in the chat."""
