"""A meeting's outcomes as the cards show them: the items, each with its flagged members and the
outcome saved so far. Names are for the chair's copy only; nothing here goes to a channel."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from communities.declarations.conflict_rules import FlaggedMember, Ruling
from communities.outcomes.decisions import ConflictRuling, OutcomeDecision
from communities.outcomes.tables import Outcome, OutcomeAction, OutcomeStatus
from communities.outcomes.validation import pounds
from communities.requests.tables import Request, RequestType
from communities.retention.words import removed_or, removed_text
from communities.roster.tables import Person, School


@dataclass(frozen=True)
class FlaggedView:
    person_id: int
    name: str
    reasons: tuple[str, ...]
    #: The default ruling the chair starts from.
    default: Ruling
    #: The chair's ruling recorded so far, if any.
    recorded: ConflictRuling | None


@dataclass(frozen=True)
class ActionView:
    description: str
    owner: str
    due_date: date
    status: str


@dataclass(frozen=True)
class OutcomeView:
    outcome_id: int
    status: OutcomeStatus
    decision: OutcomeDecision
    what_is_working: str | None
    ideas_and_offers: tuple[dict[str, str | None], ...]
    actions: tuple[ActionView, ...]
    funding_pence: int | None
    funding_from: date | None
    funding_to: date | None
    rationale: str | None
    review_date: date | None
    version: int

    @property
    def funding(self) -> str | None:
        """'£1,500.50', or None."""
        return pounds(self.funding_pence) if self.funding_pence else None


@dataclass(frozen=True)
class ItemView:
    request_id: int
    ref: str
    school: str
    kind: str
    urgent: bool
    flagged: tuple[FlaggedView, ...]
    outcome: OutcomeView | None

    @property
    def recorded(self) -> bool:
        return self.outcome is not None


async def outcome_view(session: AsyncSession, outcome: Outcome) -> OutcomeView:
    assert outcome.id is not None
    rows = await session.exec(
        select(OutcomeAction)
        .where(OutcomeAction.outcome_id == outcome.id)
        .order_by(col(OutcomeAction.position), col(OutcomeAction.id))
    )
    request = await session.get(Request, outcome.request_id)
    # What the retention policy removed shows as removed (communities.retention.words).
    detail_gone = request is not None and request.detail_removed_at is not None
    text_gone = request is not None and request.outcome_text_removed_at is not None
    actions = [
        ActionView(
            removed_text(a.description, text_gone), await _owner(session, a), a.due_date, str(a.status)
        )
        for a in rows.all()
    ]
    return OutcomeView(
        outcome_id=outcome.id,
        status=OutcomeStatus(outcome.status),
        decision=OutcomeDecision(outcome.decision),
        what_is_working=removed_or(outcome.what_is_working, detail_gone),
        ideas_and_offers=tuple(dict(o) for o in outcome.ideas_and_offers),
        actions=tuple(actions),
        funding_pence=outcome.funding_pence,
        funding_from=outcome.funding_from,
        funding_to=outcome.funding_to,
        rationale=removed_or(outcome.rationale, text_gone),
        review_date=outcome.review_date,
        version=outcome.version,
    )


def item_view(
    request: Request,
    school: str,
    flagged: list[FlaggedMember],
    outcome: Outcome | None,
    shown: OutcomeView | None,
) -> ItemView:
    assert request.id is not None
    rulings = outcome.rulings if outcome else {}
    return ItemView(
        request_id=request.id,
        ref=request.ref,
        school=school,
        kind=RequestType(request.request_type).label if request.request_type else "Not chosen",
        urgent=request.urgency == "urgent",
        flagged=tuple(
            FlaggedView(
                person_id=f.member.person_id,
                name=f.member.name,
                reasons=tuple(c.reason for c in f.conflicts),
                default=f.ruling,
                recorded=_recorded(rulings, f.member.person_id),
            )
            for f in flagged
        ),
        outcome=shown,
    )


def _recorded(rulings: dict[str, str], person_id: int) -> ConflictRuling | None:
    found = rulings.get(str(person_id))
    return ConflictRuling(found) if found else None


async def _owner(session: AsyncSession, action: OutcomeAction) -> str:
    if action.owner_school_id is not None:
        school = await session.get(School, action.owner_school_id)
        if school is not None:
            return school.name
    if action.owner_person_id is not None:
        person = await session.get(Person, action.owner_person_id)
        if person is not None:
            return person.display_name
    return "Not known"
