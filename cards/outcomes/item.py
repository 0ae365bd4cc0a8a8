"""One item's outcome, as the chair records it in the personal chat (the card updates in place).

Every input shows what was saved, or what was typed when the card comes back with problems: the
decision, what is working, ideas and offers (which school offers what), agreed actions (what,
whose, by when), funding in pounds and pence with its period, the reason, the review date, and
the chair's ruling for each member flagged for a conflict. The funding part shows what the community
has available for the year (and what this meeting's other items propose); funding refused as more
than that offers to ask an officer to approve the overspend. Someone the conflict rules keep out of
the decision sees why, and who may record it, instead of the inputs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cards.elements import Card, Element, card, facts, heading, school_picker, subheading, text
from cards.outcomes.inputs import (
    ACTION_ROWS,
    KEEP_WORDING,
    OFFER_ROWS,
    OUTCOME_SAVE,
    OUTCOMES_OPEN,
    button,
    buttons,
    choice_input,
    date_input,
    problem,
    text_input,
)
from communities.budget.funding import FundingRoom
from communities.outcomes.decisions import ConflictRuling, OutcomeDecision
from communities.outcomes.tables import OutcomeStatus
from communities.outcomes.views import ItemView

#: The refused funding's button: ask the council officers to approve an overspend (carries the item's ids).
OVERSPEND_ASK = "outcome_overspend_ask"
DECISIONS = {d.value: d.label for d in OutcomeDecision}
RULINGS = {r.value: r.label for r in ConflictRuling}


def item_card(
    meeting_id: int,
    item: ItemView,
    values: Mapping[str, Any],
    *,
    members: Mapping[int, str],
    schools: Mapping[str, str],
    problems: Mapping[str, str] | None = None,
    warning: str = "",
    refusal: str = "",
    note: str = "",
    room: FundingRoom | None = None,
    overspend: bool = False,
) -> Card:
    """The item's card. ``values`` are the inputs' values by id; ``members`` the community's members
    who may own an action (person id -> name); ``schools`` the names of the schools chosen (URN ->
    name); ``refusal`` says why this person may not record it (then nothing can be typed); ``room``
    what the community can still fund; ``overspend`` offers to ask an officer to approve the funding."""
    problems = problems or {}
    confirmed = item.outcome is not None and item.outcome.status is OutcomeStatus.CONFIRMED
    body: list[Element] = [
        heading(f"Outcome of {item.ref}"),
        facts(
            [
                ("School", item.school),
                ("Type of request", item.kind),
                ("Urgent", "Yes" if item.urgent else "No"),
            ]
        ),
        text(_state(item)),
    ]
    if note:
        body.append({**text(note), "weight": "Bolder"})
    back = button("Back to the outcomes", OUTCOMES_OPEN, meeting_id=meeting_id)
    if refusal or confirmed:
        body.append(
            {**text(refusal or "This outcome is confirmed and the school has been told."), "weight": "Bolder"}
        )
        return card([*body, buttons(back)])
    if problems:
        body += problem("Check the answers marked below: nothing was saved yet. What you typed is kept.")
    if warning:
        body += problem(warning)
        body.append(
            buttons(
                button(
                    "Keep it as written (it is not about a pupil)",
                    OUTCOME_SAVE,
                    inputs=True,
                    **_ids(meeting_id, item),
                    **{KEEP_WORDING: True},
                )
            )
        )
    body += _decision(values, problems)
    body += _offers(values, schools, problems)
    body += _actions(values, members, schools, problems)
    body += _funding(values, problems, room)
    if overspend:
        ask = button("Ask an officer to approve", OVERSPEND_ASK, inputs=True, **_ids(meeting_id, item))
        body.append(buttons(ask))
    body += [
        subheading("Why"),
        *problem(problems.get("rationale")),
        text_input("rationale", "The reason (the school reads it with the outcome)", values, multiline=True),
        subheading("Review"),
        *problem(problems.get("review_date")),
        date_input("review_date", "Review date (when support or funding is agreed)", values),
    ]
    body += _rulings(item, values, problems)
    body.append(
        text(
            "Saving keeps a draft: nobody is told until you confirm the meeting's outcomes. Write about "
            "the support, never a pupil: no names, dates of birth or pupil numbers.",
            subtle=True,
        )
    )
    save = button("Save this outcome", OUTCOME_SAVE, inputs=True, **_ids(meeting_id, item))
    return card(body, [save, back])


def _ids(meeting_id: int, item: ItemView) -> dict[str, int]:
    ids = {"meeting_id": meeting_id, "request_id": item.request_id}
    if item.outcome is not None:
        ids["version"] = item.outcome.version
    return ids


def _state(item: ItemView) -> str:
    if item.outcome is None:
        return "Not recorded yet."
    if item.outcome.status is OutcomeStatus.CONFIRMED:
        return f"Confirmed: {item.outcome.decision.label}."
    return f"Draft saved: {item.outcome.decision.label}. Nobody has been told yet."


def _decision(values: Mapping[str, Any], problems: Mapping[str, str]) -> list[Element]:
    return [
        subheading("Decision"),
        text(
            "One decision is that the school should consider asking for an education, health and care "
            "(EHC) needs assessment.",
            subtle=True,
        ),
        *problem(problems.get("decision")),
        choice_input(
            "decision", "The meeting's decision", DECISIONS, values, placeholder="Choose the decision"
        ),
        *problem(problems.get("what_is_working")),
        text_input(
            "what_is_working", "What is working (what the school already does well)", values, multiline=True
        ),
    ]


def _offers(
    values: Mapping[str, Any], schools: Mapping[str, str], problems: Mapping[str, str]
) -> list[Element]:
    elements: list[Element] = [
        subheading("Ideas and offers"),
        text(
            "Find each school by typing its name: the list shows its unique reference number (URN).",
            subtle=True,
        ),
        *problem(problems.get("ideas_and_offers")),
    ]
    for number in range(1, OFFER_ROWS + 1):
        elements += [
            school_picker(
                f"offer_school_{number}",
                f"Offer {number}: the school offering",
                _picked(values, schools, f"offer_school_{number}"),
            ),
            text_input(f"offer_{number}", f"Offer {number}: what it offers", values, max_length=1000),
        ]
    return elements


def _actions(
    values: Mapping[str, Any],
    members: Mapping[int, str],
    schools: Mapping[str, str],
    problems: Mapping[str, str],
) -> list[Element]:
    people = {str(person_id): name for person_id, name in members.items()}
    elements: list[Element] = [
        subheading("Agreed actions"),
        text(
            "Each action needs what is to be done, an owner (a school or a person) and a date.", subtle=True
        ),
        *problem(problems.get("actions")),
    ]
    for number in range(1, ACTION_ROWS + 1):
        elements.append(
            {
                "type": "Container",
                "separator": True,
                "items": [
                    text_input(
                        f"action_{number}", f"Action {number}: what is to be done", values, max_length=1000
                    ),
                    school_picker(
                        f"action_school_{number}",
                        f"Action {number}: the school that owns it",
                        _picked(values, schools, f"action_school_{number}"),
                    ),
                    choice_input(
                        f"action_person_{number}",
                        f"Action {number}: or the person who owns it",
                        people,
                        values,
                        placeholder="Choose a person",
                    ),
                    date_input(f"action_due_{number}", f"Action {number}: due by", values),
                ],
            }
        )
    return elements


def _funding(
    values: Mapping[str, Any], problems: Mapping[str, str], room: FundingRoom | None
) -> list[Element]:
    available: list[Element] = []
    if room is not None:
        title = f"Budget {room.year} of {room.code}"
        available = [text(f"{title}: {room.said()}", subtle=True), facts(room.lines())]
    return [
        subheading("Funding"),
        *available,
        *problem(problems.get("funding")),
        text_input(
            "funding",
            "Funding agreed, in pounds and pence (only when funding is agreed)",
            values,
            max_length=20,
            placeholder="For example 1,500.50",
        ),
        *problem(problems.get("funding_period")),
        date_input("funding_from", "The funding covers from", values),
        date_input("funding_to", "to", values),
    ]


def _rulings(item: ItemView, values: Mapping[str, Any], problems: Mapping[str, str]) -> list[Element]:
    if not item.flagged:
        return [
            subheading("Conflicts of interest"),
            text("No member is flagged for a conflict on this item.", subtle=True),
        ]
    elements: list[Element] = [subheading("Conflicts of interest"), *problem(problems.get("rulings"))]
    for flagged in item.flagged:
        elements += [
            text(
                f"**{flagged.name}**: {'; '.join(flagged.reasons)}. Default ruling: {flagged.default.label}."
            ),
            choice_input(
                f"ruling_{flagged.person_id}",
                f"The chair's ruling for {flagged.name}",
                RULINGS,
                values,
                placeholder="Choose the ruling",
            ),
        ]
    return elements


def _picked(values: Mapping[str, Any], schools: Mapping[str, str], input_id: str) -> tuple[str, str] | None:
    urn = values.get(input_id)
    if isinstance(urn, str) and urn in schools:
        return urn, schools[urn]
    return None
