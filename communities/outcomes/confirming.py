"""Confirming a meeting's outcomes: once, for every item, and nothing sent twice.

Every item of the meeting must have an outcome saved. Each draft outcome is confirmed under its
version check (so of two confirmations at once, only one confirms it), and its request moves from
discussed to decided and on to where the decision leads: in delivery (with its review date),
closed, back with the school for more information, or withdrawn. The result names what was newly
confirmed and who must be told (the school's leaders and SENCOs, the requester first; the finance
officers when funding was agreed), for the caller to tell them. A second confirmation confirms
nothing and names nobody.

Funding agreed is allocated from the community's budget for the meeting's financial year in the
same transaction (:mod:`communities.budget.funding`). If an item would overspend and no officer
approved it, nothing at all is confirmed: the refusal gives the numbers, and the session is rolled
back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel.ext.asyncio.session import AsyncSession

from communities import audit
from communities.budget.funding import allocate_confirmed
from communities.clock import Clock
from communities.db import update_if_unchanged
from communities.meetings.tables import Meeting
from communities.outcomes.access import (
    OutcomeRefused,
    check_may_record,
    item_requests,
    load_meeting,
    move,
    outcome_of,
)
from communities.outcomes.attendance import attendance_tally
from communities.outcomes.decisions import OutcomeDecision
from communities.outcomes.tables import Outcome, OutcomeStatus
from communities.requests.lifecycle import RequestAction, RequestStatus
from communities.requests.tables import Request
from communities.roster.directory import PersonProfile, people_with_role, school_staff
from communities.roster.roles import Role
from communities.roster.tables import Community, Person


@dataclass(frozen=True)
class ConfirmedOutcome:
    outcome_id: int
    request_id: int
    ref: str
    school_id: int
    decision: OutcomeDecision
    #: Where the request is now.
    status: RequestStatus
    funding_pence: int | None
    review_date: date | None
    #: Who must be told the outcome: the requester first, then the school's leaders and SENCOs.
    tell: tuple[int, ...]
    #: Finance officers to tell of funding agreed (empty without funding).
    tell_finance: tuple[int, ...]
    #: The ledger's allocation of the funding (None without funding).
    allocation_id: int | None = None


@dataclass(frozen=True)
class Confirmation:
    meeting_id: int
    #: Outcomes confirmed by this call: empty when they had all been confirmed before.
    confirmed: tuple[ConfirmedOutcome, ...]
    quorate: bool

    @property
    def nothing_new(self) -> bool:
        return not self.confirmed


async def confirm_outcomes(
    session: AsyncSession, clock: Clock, actor: PersonProfile, meeting_id: int
) -> Confirmation:
    """Confirm every draft outcome of the meeting and move its request on (the caller commits)."""
    meeting, community = await load_meeting(session, meeting_id)
    await check_may_record(session, clock, actor, meeting, community, "confirm")
    outcomes: list[tuple[Request, Outcome]] = []
    missing: list[str] = []
    for request in await item_requests(session, meeting_id):
        assert request.id is not None
        outcome = await outcome_of(session, meeting_id, request.id)
        if outcome is None:
            missing.append(request.ref)
        else:
            outcomes.append((request, outcome))
    if missing:
        raise OutcomeRefused(
            f"Record an outcome for every item first: {', '.join(missing)} "
            f"{'has' if len(missing) == 1 else 'have'} none yet. Nothing has been confirmed or sent."
        )
    quorate = (await attendance_tally(session, meeting_id)).quorate
    confirmed: list[ConfirmedOutcome] = []
    for request, outcome in outcomes:
        if OutcomeStatus(outcome.status) is not OutcomeStatus.DRAFT:
            continue
        try:
            done = await _confirm_one(session, clock, actor, (meeting, community), request, outcome, quorate)
        except OutcomeRefused:
            await session.rollback()
            raise
        if done is not None:
            confirmed.append(done)
    if confirmed:
        audit.record(
            session,
            clock,
            actor_person_id=actor.person_id,
            action="outcomes_confirmed",
            entity="meeting",
            entity_id=str(meeting_id),
            detail={"requests": [c.ref for c in confirmed], "quorate": quorate},
        )
    return Confirmation(meeting_id, tuple(confirmed), quorate)


async def _confirm_one(
    session: AsyncSession,
    clock: Clock,
    actor: PersonProfile,
    held: tuple[Meeting, Community],
    request: Request,
    outcome: Outcome,
    quorate: bool,
) -> ConfirmedOutcome | None:
    assert outcome.id is not None and request.id is not None
    now = clock.now()
    won = await update_if_unchanged(
        session,
        Outcome,
        outcome.id,
        outcome.version,
        {
            "status": OutcomeStatus.CONFIRMED.value,
            "confirmed_at": now,
            "confirmed_by_person_id": actor.person_id,
            "quorate": quorate,
            "updated_at": now,
            "version": outcome.version + 1,
        },
    )
    if not won:  # confirmed (or changed) by someone else just now: theirs stands, nothing is sent twice
        return None
    decision = OutcomeDecision(outcome.decision)
    allocation_id = await allocate_confirmed(
        session,
        clock,
        *held,
        outcome,
        ref=request.ref,
        school_id=request.school_id,
        actor_person_id=actor.person_id,
    )
    if RequestStatus(request.status) is RequestStatus.SCHEDULED:
        await move(session, clock, actor, request, RequestAction.DISCUSS)
    await move(session, clock, actor, request, RequestAction.DECIDE)
    extra: dict[str, object] = {}
    if decision.in_delivery:
        extra["review_date"] = outcome.review_date
    if decision is OutcomeDecision.DEFERRED_MORE_INFO:
        extra["return_note"] = (outcome.rationale or "The meeting asked for more information.")[:2000]
    status = await move(session, clock, actor, request, decision.action, **extra)
    finance = (
        tuple(p.id for p in await people_with_role(session, Role.FINANCE) if p.id is not None)
        if outcome.funding_pence
        else ()
    )
    return ConfirmedOutcome(
        outcome_id=outcome.id,
        request_id=request.id,
        ref=request.ref,
        school_id=request.school_id,
        decision=decision,
        status=status,
        funding_pence=outcome.funding_pence,
        review_date=outcome.review_date,
        tell=await school_people(session, request),
        tell_finance=finance,
        allocation_id=allocation_id,
    )


async def school_people(session: AsyncSession, request: Request) -> tuple[int, ...]:
    """The requester (if still active), then the school's active leaders and SENCOs, by name."""
    staff = await school_staff(session, request.school_id)
    requester = await session.get(Person, request.created_by_person_id)
    first = [request.created_by_person_id] if requester is not None and requester.active else []
    return tuple(dict.fromkeys([*first, *staff]))
