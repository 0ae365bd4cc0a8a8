"""Cards after the meeting: action reminders, the school's review, the officer's outcomes summary."""
