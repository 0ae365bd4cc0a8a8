"""Meetings in the chat: a community's meetings, and adding, moving or cancelling one."""

from __future__ import annotations

from cards.meetings.rsvp import RSVP
from communities.permissions import MEETINGS
from dialogs.meetings import rsvp_buttons
from dialogs.meetings.changing import MEETING_BUTTONS, press
from dialogs.meetings.showing import show_meetings
from dialogs.routing import Place, RouteTable


def register(table: RouteTable) -> None:
    table.button(MEETINGS.key, show_meetings, capability=MEETINGS)
    table.command("meetings", MEETINGS.key)
    # The forms' submits: the domain checks the community's chair, vice chair or an officer.
    for action in MEETING_BUTTONS:
        table.button(action, press)
    # The reminder card's RSVP buttons, in the channel: open to anyone, the domain decides who may answer.
    table.button(RSVP, rsvp_buttons.press, places=Place.CHANNEL, anyone=True)
