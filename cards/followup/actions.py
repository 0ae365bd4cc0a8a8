"""An agreed action as a card: the reminder before it is due, with a Mark done button that
updates the card in place."""

from __future__ import annotations

from datetime import date

from cards.elements import Card, Element, card, facts, heading, submit, text
from communities.outcomes.actions import ActionLine
from communities.outcomes.tables import ActionStatus

ACTION_DONE = "outcome_action_done"
#: The card field naming the action.
ACTION_FIELD = "outcome_action_id"


def day_text(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def action_reminder_summary(line: ActionLine) -> str:
    return f"An action for {line.ref} is due on {day_text(line.due_date)}"


def action_card(line: ActionLine, note: str = "") -> Card:
    """The action, its request's reference and its due date; Mark done while it is open."""
    if line.status is ActionStatus.OPEN:
        title = "Action overdue" if line.overdue else "Action due soon"
    else:
        title = f"Action {line.status.label.lower()}"
    body: list[Element] = [
        heading(title),
        text(line.description),
        facts(
            [
                ("Request", line.ref),
                ("Owner", line.owner),
                ("Due", day_text(line.due_date)),
                ("Status", "Overdue" if line.overdue else line.status.label),
            ]
        ),
    ]
    if note:
        body.append(text(note, subtle=True))
    actions: list[Element] = []
    if line.status is ActionStatus.OPEN:
        body.append(
            text(
                f"Agreed at a {line.community_code} meeting. Mark it done once it is done: "
                "the chair sees it.",
                subtle=True,
            )
        )
        actions.append(submit("Mark done", ACTION_DONE, **{ACTION_FIELD: line.action_id}))
    return card(body, actions)
