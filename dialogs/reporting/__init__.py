"""The officers' report in the chat."""
