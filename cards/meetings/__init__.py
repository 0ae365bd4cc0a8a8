"""Meeting cards: dates, the chat's meeting forms, the reminders with RSVP, the timeline's messages."""
