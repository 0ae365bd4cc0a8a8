"""After the meeting, in the chat: an action marked done, the school's review answer, the outcomes summary."""
