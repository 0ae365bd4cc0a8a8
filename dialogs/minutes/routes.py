"""The chair's minutes of the community's last meeting: edited per section, then approved."""

from __future__ import annotations

from cards.minutes.chair import MINUTES_BUTTONS
from communities.permissions import MINUTES
from dialogs.minutes.review import press, show_minutes
from dialogs.routing import RouteTable


def register(table: RouteTable) -> None:
    table.button(MINUTES.key, show_minutes, capability=MINUTES)
    table.command("minutes", MINUTES.key)
    # The minutes' buttons: the domain checks the meeting's chair, vice chair or an officer.
    for action in sorted(MINUTES_BUTTONS):
        table.button(action, press)
