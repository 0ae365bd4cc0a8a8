"""An outcome as the chair enters it, checked: each problem in words that say how to put it right.

Pure functions: no database. The service checks what needs one (that an owner school exists, that
every flagged member has a ruling, text that may identify a child).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from communities.outcomes.decisions import ConflictRuling, OutcomeDecision

MAX_TEXT = 2000
#: The most funding one outcome may record (£1,000,000): anything above is a typing slip.
MAX_PENCE = 100_000_000


@dataclass(frozen=True)
class Offer:
    """An idea or offer: which school offers what (a school in the roster by URN, or a name)."""

    offer: str
    school_urn: str | None = None
    school: str | None = None


@dataclass(frozen=True)
class ActionEntry:
    description: str
    due_date: date | None
    owner_school_id: int | None = None
    owner_person_id: int | None = None


@dataclass(frozen=True)
class OutcomeEntry:
    """One item's outcome as entered (all optional until checked)."""

    decision: str | None
    what_is_working: str = ""
    ideas_and_offers: Sequence[Offer] = ()
    actions: Sequence[ActionEntry] = ()
    #: Funding as typed: "1500", "£1,500.50".
    funding: str | None = None
    funding_from: date | None = None
    funding_to: date | None = None
    rationale: str = ""
    review_date: date | None = None
    #: The ruling per flagged member (person id).
    rulings: Mapping[int, str] = field(default_factory=dict)


class OutcomeInvalid(ValueError):
    """The entry has problems; ``problems`` maps each field to what is wrong with it."""

    def __init__(self, problems: Mapping[str, str]) -> None:
        self.problems = dict(problems)
        super().__init__(" ".join(self.problems.values()))


_MONEY = re.compile(r"^£?\s*(?P<pounds>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<pence>\d{2}))?$")


def pence(typed: str) -> int:
    """'£1,500.50' -> 150050. Raises ValueError unless it is a positive amount in pounds and pence."""
    found = _MONEY.match(typed.strip())
    if found is None:
        raise ValueError(typed)
    amount = Decimal(found["pounds"].replace(",", "")) * 100 + Decimal(found["pence"] or 0)
    if amount <= 0 or amount > MAX_PENCE:
        raise ValueError(typed)
    return int(amount)


def pounds(amount_pence: int) -> str:
    """150050 -> '£1,500.50'; whole pounds without pence: '£1,500'."""
    whole, part = divmod(amount_pence, 100)
    return f"£{whole:,}" + (f".{part:02d}" if part else "")


FUNDING_PROBLEM = (
    "Give the funding as an amount in pounds and pence, more than £0 and at most £1,000,000 "
    "(for example 1500 or 1,500.50)."
)


@dataclass(frozen=True)
class CheckedOutcome:
    decision: OutcomeDecision
    what_is_working: str | None
    ideas_and_offers: tuple[Offer, ...]
    actions: tuple[ActionEntry, ...]
    funding_pence: int | None
    funding_from: date | None
    funding_to: date | None
    rationale: str | None
    review_date: date | None
    rulings: dict[int, ConflictRuling]


def check(entry: OutcomeEntry, *, meeting_day: date, flagged: Mapping[int, str]) -> CheckedOutcome:
    """The entry, cleaned, or OutcomeInvalid with every problem. ``flagged``: person id -> name."""
    problems: dict[str, str] = {}
    decision = _decision(entry.decision, problems)
    funding = _funding(entry, decision, problems)
    review = _review_date(entry.review_date, decision, meeting_day, problems)
    rationale = _text(entry.rationale)
    if decision is not None and decision.needs_reason and not rationale:
        problems["rationale"] = (
            f"Say why ({decision.label.lower()}): the school reads the reason with the outcome."
        )
    offers = tuple(_offer(o) for o in entry.ideas_and_offers)
    if any(not o.offer or not (o.school_urn or o.school) for o in offers):
        problems["ideas_and_offers"] = "Each idea or offer needs what is offered and which school offers it."
    actions = tuple(_action(a) for a in entry.actions)
    for number, action in enumerate(actions, start=1):
        if not action.description or action.due_date is None:
            problems["actions"] = f"Action {number} needs what is to be done and a date it is due by."
        elif action.owner_school_id is None and action.owner_person_id is None:
            problems["actions"] = f"Action {number} needs an owner: a school or a person."
        elif action.due_date < meeting_day:
            problems["actions"] = f"Action {number} is due before the meeting: give a later date."
    rulings = _rulings(entry.rulings, flagged, problems)
    for name in ("what_is_working", "rationale"):
        if len(getattr(entry, name) or "") > MAX_TEXT:
            problems[name] = (
                f"Keep it to {MAX_TEXT} characters: the full detail belongs in the school's records."
            )
    if problems or decision is None:
        raise OutcomeInvalid(problems or {"decision": "Choose the decision."})
    return CheckedOutcome(
        decision=decision,
        what_is_working=_text(entry.what_is_working),
        ideas_and_offers=offers,
        actions=actions,
        funding_pence=funding,
        funding_from=entry.funding_from if funding else None,
        funding_to=entry.funding_to if funding else None,
        rationale=rationale,
        review_date=review,
        rulings=rulings,
    )


def _decision(value: str | None, problems: dict[str, str]) -> OutcomeDecision | None:
    if not value:
        problems["decision"] = "Choose the decision."
        return None
    try:
        return OutcomeDecision(value)
    except ValueError:
        problems["decision"] = "Choose the decision from the list."
        return None


def _funding(entry: OutcomeEntry, decision: OutcomeDecision | None, problems: dict[str, str]) -> int | None:
    typed = (entry.funding or "").strip()
    if decision is OutcomeDecision.FUNDING_AGREED and not typed:
        problems["funding"] = "Give the amount of funding agreed, in pounds and pence."
        return None
    if not typed:
        return None
    if decision is not None and not decision.may_fund:
        problems["funding"] = "Funding is recorded only when funding is agreed, in full or in part."
        return None
    try:
        amount = pence(typed)
    except ValueError:
        problems["funding"] = FUNDING_PROBLEM
        return None
    if entry.funding_from is None or entry.funding_to is None:
        problems["funding_period"] = "Give the period the funding covers: the first and the last day."
    elif entry.funding_to < entry.funding_from:
        problems["funding_period"] = "The funding period ends before it starts: check the two dates."
    return amount


def _review_date(
    value: date | None, decision: OutcomeDecision | None, meeting_day: date, problems: dict[str, str]
) -> date | None:
    if decision is None:
        return value
    if not decision.in_delivery:
        if value is not None:
            problems["review_date"] = "A review date is set only when support or funding is agreed."
        return None
    if value is None:
        problems["review_date"] = "Give a review date: agreed support is reviewed at a later meeting."
    elif value <= meeting_day:
        problems["review_date"] = "The review date must be after the meeting: give a later date."
    return value


def _rulings(
    given: Mapping[int, str], flagged: Mapping[int, str], problems: dict[str, str]
) -> dict[int, ConflictRuling]:
    rulings: dict[int, ConflictRuling] = {}
    missing: list[str] = []
    for person_id, name in flagged.items():
        try:
            rulings[person_id] = ConflictRuling(given.get(person_id, ""))
        except ValueError:
            missing.append(name)
    if missing:
        problems["rulings"] = (
            "Record the chair's ruling (took no part, spoke but did not decide, or no conflict) for "
            f"each member flagged for a conflict: {', '.join(missing)}."
        )
    return rulings


def _text(value: str | None) -> str | None:
    cleaned = (value or "").strip()
    return cleaned or None


def _offer(offer: Offer) -> Offer:
    return Offer(
        offer=(offer.offer or "").strip()[:MAX_TEXT],
        school_urn=(offer.school_urn or "").strip() or None,
        school=(offer.school or "").strip()[:200] or None,
    )


def _action(action: ActionEntry) -> ActionEntry:
    return ActionEntry(
        description=(action.description or "").strip()[:1000],
        due_date=action.due_date,
        owner_school_id=action.owner_school_id,
        owner_person_id=action.owner_person_id,
    )
