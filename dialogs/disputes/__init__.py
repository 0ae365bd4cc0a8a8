"""The dispute route in the chat: raise from the outcome card, acknowledge, decide, escalate, list."""
