"""After the meeting: the chair records attendance, outcomes and reviews, then confirms them."""

from __future__ import annotations

from cards.outcomes.inputs import (
    OUTCOME_BUTTONS,
    OUTCOME_ITEM,
    OUTCOME_REVIEW,
    OUTCOME_REVIEW_SAVE,
    OUTCOME_SAVE,
)
from cards.outcomes.item import OVERSPEND_ASK
from communities.permissions import OUTCOMES
from dialogs.outcomes import items, showing
from dialogs.routing import RouteTable

ITEM_BUTTONS = frozenset({OUTCOME_ITEM, OUTCOME_SAVE, OUTCOME_REVIEW, OUTCOME_REVIEW_SAVE, OVERSPEND_ASK})


def register(table: RouteTable) -> None:
    table.button(OUTCOMES.key, showing.show_outcomes, capability=OUTCOMES)
    table.command("outcomes", OUTCOMES.key)
    # The recording's buttons: the domain checks the meeting's chair, vice chair or an officer.
    for action in sorted(OUTCOME_BUTTONS | {OVERSPEND_ASK}):
        table.button(action, items.press if action in ITEM_BUTTONS else showing.press)
