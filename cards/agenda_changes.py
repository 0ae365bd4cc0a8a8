"""The chair's agenda as it changes: its parts kept together, and removing a line of any other business.

A long agenda is split over several cards (:mod:`cards.agenda_cards`). Once they are sent, every
button on every part carries the message ids of all the parts (``parts``), so a change pressed on
any part edits every part in place and none is left showing an older agenda.

Removing a line of any other business (AOB) asks first, saying who will be told (nobody now: the
channel's copy changes only when the chair republishes); what came of it is shown read-only in
place of the confirmation.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence

from cards.agenda_cards import AGENDA_BUTTONS
from cards.elements import Card, Element, card, heading, submit, text

AGENDA_REMOVE_AOB_CONFIRM = "agenda_remove_aob_confirm"
AGENDA_REMOVE_AOB_KEEP = "agenda_remove_aob_keep"
#: A button's data: the message ids of the agenda's parts, first to last.
PARTS = "parts"
#: The confirmation's data: the line as the chair saw it (shown again on "Keep it").
AOB_LINE = "aob_line"


def with_parts(cards: Sequence[Card], parts: Sequence[str]) -> list[Card]:
    """The agenda's cards with the ids of all its parts on each of their buttons."""
    stamped = copy.deepcopy(list(cards))
    for part in stamped:
        _stamp(part, list(parts))
    return stamped


def _stamp(node: object, parts: list[str]) -> None:
    if isinstance(node, dict):
        data = node.get("data")
        if (
            node.get("type") == "Action.Submit"
            and isinstance(data, dict)
            and data.get("action") in AGENDA_BUTTONS
        ):
            data[PARTS] = parts
        for value in node.values():
            _stamp(value, parts)
    elif isinstance(node, list):
        for value in node:
            _stamp(value, parts)


def retired_part_card(parts: int) -> Card:
    """In place of a part the agenda no longer needs (it got shorter): read-only."""
    now = "one card" if parts == 1 else f"{parts} cards"
    return card(
        [
            heading("Agenda: this part is no longer used"),
            text(f"The agenda is shorter now and fits in {now}, above. Nothing here can be pressed."),
        ]
    )


def aob_remove_confirm_card(
    meeting_id: int, version: int, index: int, line: str, *, published: bool, parts: Sequence[str]
) -> Card:
    """Ask before removing a line of any other business (AOB), saying who will be told."""
    if published:
        told = (
            "Nobody is told now. The community's channel keeps the published agenda until you "
            "Republish: then the line goes from the channel's copy too."
        )
    else:
        told = "Nobody is told: the agenda is not published yet, so only its reviewers see it."
    ids: dict[str, object] = {"meeting_id": meeting_id, AOB_LINE: line, PARTS: list(parts)}
    actions: list[Element] = [
        {
            **submit("Yes, remove it", AGENDA_REMOVE_AOB_CONFIRM, version=version, aob_index=index, **ids),
            "style": "destructive",
        },
        submit("Keep it", AGENDA_REMOVE_AOB_KEEP, aob_index=index, **ids),
    ]
    for action in actions:
        action["associatedInputs"] = "none"
    return card(
        [
            heading("Remove this item of any other business?"),
            text(f"7.{index + 1} {line}"),
            text(told),
            {"type": "ActionSet", "actions": actions},
        ]
    )


def agenda_outcome_card(title: str, said: Sequence[str]) -> Card:
    """What came of a confirmation, in place of it: read-only, with no button left to press."""
    return card([heading(title), *(text(line) for line in said)])
