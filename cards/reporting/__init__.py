"""The officers' report in the chat: the card (:mod:`.card`) and its charts (:mod:`.charts`)."""
