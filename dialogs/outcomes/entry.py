"""An item's card read back into an outcome entry, and a saved outcome shown as the card's values.

What came back from a card is checked, not trusted: a school is looked up by its URN, a person by
id, a date read as one (a date that is not one is a problem for the card, with what was typed
kept).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from cards.outcomes.inputs import ACTION_ROWS, OFFER_ROWS
from communities.outcomes.tables import Outcome, OutcomeAction
from communities.outcomes.validation import ActionEntry, Offer, OutcomeEntry, pounds
from communities.roster.tables import School
from dialogs.card_values import as_id

BAD_DATE = "Give the date with the date picker."


@dataclass
class Read:
    entry: OutcomeEntry
    #: The inputs' values as typed (for the card shown again).
    values: dict[str, Any]
    #: The chosen schools' names, by URN (for the pickers shown again).
    schools: dict[str, str]
    problems: dict[str, str] = field(default_factory=dict)


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _date(value: Any, name: str, problems: dict[str, str]) -> date | None:
    typed = _text(value)
    if not typed:
        return None
    try:
        return date.fromisoformat(typed)
    except ValueError:
        problems[name] = BAD_DATE
        return None


async def read_entry(session: AsyncSession, value: Mapping[str, Any], flagged: list[int]) -> Read:
    """The entry the card's inputs give (``flagged``: the ids of the members needing a ruling)."""
    values = {k: v for k, v in value.items() if isinstance(v, str)}
    problems: dict[str, str] = {}
    urns = [
        _text(value.get(f"{kind}_school_{n}"))
        for kind, rows in (("offer", OFFER_ROWS), ("action", ACTION_ROWS))
        for n in range(1, rows + 1)
    ]
    found = (
        await session.exec(
            select(School).where(col(School.urn).in_([u for u in urns if u]), col(School.active))
        )
    ).all()
    by_urn = {school.urn: school for school in found}
    offers = []
    for n in range(1, OFFER_ROWS + 1):
        urn, offer = _text(value.get(f"offer_school_{n}")), _text(value.get(f"offer_{n}"))
        if urn or offer:
            school = by_urn.get(urn)
            if urn and school is None:
                problems["ideas_and_offers"] = f"Offer {n}: choose the school from the list."
            offers.append(Offer(offer, school_urn=urn or None, school=school.name if school else None))
    actions = []
    for n in range(1, ACTION_ROWS + 1):
        what = _text(value.get(f"action_{n}"))
        urn = _text(value.get(f"action_school_{n}"))
        person = as_id(value.get(f"action_person_{n}"))
        due = _date(value.get(f"action_due_{n}"), "actions", problems)
        if not (what or urn or person or due):
            continue
        school = by_urn.get(urn)
        if urn and school is None:
            problems["actions"] = f"Action {n}: choose the owner school from the list."
        actions.append(
            ActionEntry(what, due, owner_school_id=school.id if school else None, owner_person_id=person)
        )
    entry = OutcomeEntry(
        decision=_text(value.get("decision")) or None,
        what_is_working=_text(value.get("what_is_working")),
        ideas_and_offers=tuple(offers),
        actions=tuple(actions),
        funding=_text(value.get("funding")) or None,
        funding_from=_date(value.get("funding_from"), "funding_period", problems),
        funding_to=_date(value.get("funding_to"), "funding_period", problems),
        rationale=_text(value.get("rationale")),
        review_date=_date(value.get("review_date"), "review_date", problems),
        rulings={p: _text(value.get(f"ruling_{p}")) for p in flagged if _text(value.get(f"ruling_{p}"))},
    )
    return Read(entry, values, {urn: school.name for urn, school in by_urn.items()}, problems)


async def saved_values(
    session: AsyncSession, outcome: Outcome | None
) -> tuple[dict[str, Any], dict[str, str]]:
    """A saved outcome as the card's values, with the chosen schools' names by URN."""
    if outcome is None:
        return {}, {}
    values: dict[str, Any] = {
        "decision": str(outcome.decision),
        "what_is_working": outcome.what_is_working or "",
        "rationale": outcome.rationale or "",
        "funding": pounds(outcome.funding_pence).removeprefix("£") if outcome.funding_pence else "",
        "funding_from": outcome.funding_from.isoformat() if outcome.funding_from else "",
        "funding_to": outcome.funding_to.isoformat() if outcome.funding_to else "",
        "review_date": outcome.review_date.isoformat() if outcome.review_date else "",
    }
    values.update({f"ruling_{person}": ruling for person, ruling in outcome.rulings.items()})
    schools: dict[str, str] = {}
    for n, offer in enumerate(outcome.ideas_and_offers[:OFFER_ROWS], start=1):
        values[f"offer_{n}"] = str(offer.get("offer") or "")
        urn = offer.get("school_urn")
        if isinstance(urn, str) and urn:
            values[f"offer_school_{n}"] = urn
            schools[urn] = str(offer.get("school") or urn)
    rows = await session.exec(
        select(OutcomeAction)
        .where(OutcomeAction.outcome_id == outcome.id)
        .order_by(col(OutcomeAction.position))
    )
    for n, action in enumerate(rows.all()[:ACTION_ROWS], start=1):
        values[f"action_{n}"] = action.description
        values[f"action_due_{n}"] = action.due_date.isoformat()
        if action.owner_person_id is not None:
            values[f"action_person_{n}"] = str(action.owner_person_id)
        if action.owner_school_id is not None:
            school = await session.get(School, action.owner_school_id)
            if school is not None:
                values[f"action_school_{n}"] = school.urn
                schools[school.urn] = school.name
    return values, schools
