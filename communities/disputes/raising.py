"""Raising a dispute: a school leader of the requesting school, within the window after the school
was told the outcome (``raise_days`` school days), once per outcome, with grounds and reasons that
get the identifying-text checks. It goes to stage 1 (:mod:`communities.disputes.access`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from communities.clock import Clock
from communities.disputes import words
from communities.disputes.access import is_school_leader
from communities.disputes.steps import (
    DisputeRefused,
    add_event,
    audit_change,
    clean_reasons,
    grounds_of,
    refused,
    today_of,
)
from communities.disputes.tables import (
    Dispute,
    DisputeStatus,
    EventKind,
    Stage,
)
from communities.disputes.windows import DisputeWindows
from communities.meetings.tables import local
from communities.outcomes.tables import Outcome, OutcomeStatus
from communities.requests.tables import Request
from communities.roster.directory import PersonProfile
from communities.roster.tables import School
from communities.school_days import SchoolCalendar, add_school_days
from communities.terms.calendar import load_calendar

# ---- raising ---------------------------------------------------------------------------------------


def raise_by(
    outcome: Outcome, windows: DisputeWindows, calendar: SchoolCalendar | None = None
) -> date | None:
    """The last day the school may dispute the outcome (None before it is confirmed)."""
    told = outcome.school_told_at or outcome.confirmed_at
    return add_school_days(local(told).date(), windows.raise_days, calendar) if told is not None else None


async def raise_dispute(
    session: AsyncSession,
    clock: Clock,
    actor: PersonProfile,
    outcome_id: int,
    grounds: str | None,
    reasons: str,
    windows: DisputeWindows,
    *,
    not_about_a_pupil: bool = False,
) -> Dispute:
    outcome = await session.get(Outcome, outcome_id)
    if outcome is None or outcome.id is None:
        raise DisputeRefused(words.NO_SUCH_OUTCOME)
    request = await session.get(Request, outcome.request_id)
    assert request is not None and request.id is not None
    ref = request.ref
    await _check_may_raise(session, clock, actor, request, outcome, windows)
    today = today_of(clock)
    calendar = await load_calendar(session)
    chosen = grounds_of(grounds)
    cleaned = await clean_reasons(
        session, clock, actor, request, reasons, not_about_a_pupil, words.GIVE_REASONS
    )
    now = clock.now()
    dispute = Dispute(
        outcome_id=outcome.id,
        request_id=request.id,
        school_id=request.school_id,
        community_id=request.community_id,
        raised_by_person_id=actor.person_id,
        grounds=chosen,
        reasons=cleaned.text,
        stage=Stage.CHAIR,
        status=DisputeStatus.AWAITING_ACKNOWLEDGEMENT,
        stage_started_on=today,
        acknowledge_by=add_school_days(today, windows.acknowledge_days, calendar),
        decide_by=add_school_days(today, windows.decide_days, calendar),
        identifying_text_acknowledged=cleaned.acknowledged,
        raised_at=now,
        updated_at=now,
    )
    session.add(dispute)
    await session.flush()
    add_event(session, clock, dispute, EventKind.RAISED, actor.person_id, reasons=cleaned.text)
    audit_change(session, clock, actor.person_id, "dispute_raised", dispute, grounds=chosen.value, ref=ref)
    return dispute


@dataclass(frozen=True)
class Disputable:
    """An outcome the actor may dispute now, for the form."""

    outcome_id: int
    ref: str
    last_day: date


async def disputable(
    session: AsyncSession, clock: Clock, actor: PersonProfile, ref: str, windows: DisputeWindows
) -> Disputable:
    """The request's latest confirmed outcome, if the actor may dispute it now (else refused, as
    raising it would be)."""
    request = (await session.exec(select(Request).where(Request.ref == ref.strip().upper()))).first()
    outcome = None
    if request is not None:
        outcome = (
            await session.exec(
                select(Outcome)
                .where(Outcome.request_id == request.id, Outcome.status == OutcomeStatus.CONFIRMED)
                .order_by(col(Outcome.confirmed_at).desc(), col(Outcome.id).desc())
            )
        ).first()
    if request is None or outcome is None or outcome.id is None:
        raise DisputeRefused(words.NO_SUCH_OUTCOME)
    await _check_may_raise(session, clock, actor, request, outcome, windows)
    last_day = raise_by(outcome, windows, await load_calendar(session))
    assert last_day is not None
    return Disputable(outcome.id, request.ref, last_day)


async def _check_may_raise(
    session: AsyncSession,
    clock: Clock,
    actor: PersonProfile,
    request: Request,
    outcome: Outcome,
    windows: DisputeWindows,
) -> None:
    school = await session.get(School, request.school_id)
    assert school is not None and outcome.id is not None
    ref, school_name = request.ref, school.name
    if not is_school_leader(actor, request.school_id):
        await refused(session, clock, actor, "dispute_raise_refused", f"outcome:{outcome.id}")
        raise DisputeRefused(words.may_not_raise(school_name))
    if OutcomeStatus(outcome.status) is not OutcomeStatus.CONFIRMED:
        raise DisputeRefused(words.NOT_CONFIRMED)
    existing = (await session.exec(select(Dispute.id).where(Dispute.outcome_id == outcome.id))).first()
    if existing is not None:
        raise DisputeRefused(words.already_disputed(ref))
    last_day = raise_by(outcome, windows, await load_calendar(session))
    if last_day is None or today_of(clock) > last_day:
        raise DisputeRefused(words.too_late_to_raise(ref, last_day or today_of(clock)))
