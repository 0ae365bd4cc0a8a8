"""The chair's review of the next meeting's agenda, and publishing it to the channel."""

from __future__ import annotations

from communities.permissions import AGENDA
from dialogs.agendas.review import AGENDA_PRESSES, press, show_agenda
from dialogs.routing import RouteTable


def register(table: RouteTable) -> None:
    table.button(AGENDA.key, show_agenda, capability=AGENDA)
    table.command("agenda", AGENDA.key)
    # The agenda's buttons: the domain checks the meeting's chair, vice chair or an officer.
    for action in sorted(AGENDA_PRESSES):
        table.button(action, press)
