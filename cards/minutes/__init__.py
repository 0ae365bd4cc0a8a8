"""The minutes as cards: the chair's draft to edit and approve, the members' copy, the channel's post."""
