"""Meetings in the chat: a community's meetings, and adding, moving or cancelling one."""

from __future__ import annotations

from communities.permissions import MEETINGS
from dialogs.meetings.changing import MEETING_BUTTONS, press
from dialogs.meetings.showing import show_meetings
from dialogs.routing import RouteTable


def register(table: RouteTable) -> None:
    table.button(MEETINGS.key, show_meetings, capability=MEETINGS)
    table.command("meetings", MEETINGS.key)
    # The forms' submits: the domain checks the community's chair, vice chair or an officer.
    for action in MEETING_BUTTONS:
        table.button(action, press)
