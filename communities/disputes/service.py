"""The dispute route's changes: acknowledge, decide, escalate, and close when time is up
(raising one is :mod:`communities.disputes.raising`).

Each function checks the actor's role against the stored dispute (never a card's claim), refuses a
stale button (the card's ``version`` is not the dispute's), writes the dispute under its version
check with a :class:`DisputeEvent`, and audits the change; the caller commits and then tells people
(:mod:`communities.disputes.telling`). A refusal of permission changes nothing and is audited (its
row committed on its own); other refusals write nothing. Deadlines are school days
(:mod:`communities.school_days`) from London's date, with :class:`DisputeWindows` lengths.
"""

from __future__ import annotations

from dataclasses import replace

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from communities.clock import Clock
from communities.disputes import words
from communities.disputes.access import is_school_leader
from communities.disputes.steps import DisputeRefused as DisputeRefused
from communities.disputes.steps import IdentifyingReasons as IdentifyingReasons
from communities.disputes.steps import (
    add_event,
    audit_change,
    check_version,
    clean_reasons,
    handled,
    load_dispute,
    refused,
    today_of,
    write,
)
from communities.disputes.tables import (
    Dispute,
    DisputeStatus,
    EventKind,
    Finding,
    Stage,
)
from communities.disputes.varying import NewOutcome, OutcomeMovedOn, apply, request_move
from communities.disputes.windows import DisputeWindows
from communities.outcomes.access import OutcomeChanged, move
from communities.outcomes.decisions import OutcomeDecision
from communities.outcomes.tables import Outcome
from communities.requests.lifecycle import RequestAction, RequestStatus
from communities.requests.tables import Request
from communities.roster.directory import PersonProfile
from communities.roster.roles import Role
from communities.roster.tables import School
from communities.school_days import add_school_days
from communities.terms.calendar import load_calendar

# ---- the handler's steps ----------------------------------------------------------------------------


async def acknowledge(
    session: AsyncSession, clock: Clock, actor: PersonProfile, dispute_id: int, version: int | None
) -> Dispute:
    dispute = await handled(session, clock, actor, dispute_id, version, "acknowledge")
    if DisputeStatus(dispute.status) is not DisputeStatus.AWAITING_ACKNOWLEDGEMENT:
        raise DisputeRefused(words.not_waiting_to_acknowledge(Stage(dispute.stage)))
    await write(session, clock, dispute, status=DisputeStatus.ACKNOWLEDGED.value)
    add_event(session, clock, dispute, EventKind.ACKNOWLEDGED, actor.person_id)
    audit_change(session, clock, actor.person_id, "dispute_acknowledged", dispute)
    return dispute


async def decide(
    session: AsyncSession,
    clock: Clock,
    actor: PersonProfile,
    dispute_id: int,
    version: int | None,
    finding: str | None,
    reasons: str,
    windows: DisputeWindows,
    *,
    new_outcome: NewOutcome | None = None,
    approve_overspend: bool = False,
    not_about_a_pupil: bool = False,
) -> Dispute:
    """Upheld, varied or not upheld, with reasons; upheld or varied gives the outcome a new version
    (:mod:`communities.disputes.varying`). The last stage's decision closes the dispute."""
    dispute = await handled(session, clock, actor, dispute_id, version, "decide")
    stage = Stage(dispute.stage)
    if DisputeStatus(dispute.status) is not DisputeStatus.ACKNOWLEDGED:
        raise DisputeRefused(words.not_waiting_for_decision(stage))
    try:
        chosen = Finding(finding or "")
    except ValueError:
        raise DisputeRefused(words.CHOOSE_FINDING) from None
    if chosen.changes_outcome and (new_outcome is None or not new_outcome.rationale.strip()):
        raise DisputeRefused(words.funding_needed(chosen))
    if new_outcome is not None and new_outcome.funding_pence is not None and new_outcome.funding_pence < 0:
        raise DisputeRefused("Funding cannot be less than £0.")
    if approve_overspend and not actor.has_role(Role.OFFICER):
        raise DisputeRefused(words.overspend_needs_officer())
    request = await session.get(Request, dispute.request_id)
    assert request is not None
    cleaned = await clean_reasons(
        session, clock, actor, request, reasons, not_about_a_pupil, words.GIVE_DECISION_REASONS
    )
    if chosen.changes_outcome and new_outcome is not None:
        outcome = await session.get(Outcome, dispute.outcome_id)
        assert outcome is not None
        becomes = new_outcome.decision or OutcomeDecision(outcome.decision)
        if new_outcome.funding_pence and not becomes.may_fund:
            raise DisputeRefused(words.FUNDING_NEEDS_A_FUNDING_DECISION)
        try:
            follows = request_move(
                RequestStatus(request.status), becomes, new_outcome, outcome.review_date, today_of(clock)
            )
        except ValueError:
            raise DisputeRefused(words.REVIEW_DATE_NEEDED) from None
        if follows is None or follows[0] is not RequestAction.REOPEN:
            new_outcome = replace(new_outcome, review_date=None)  # only a reopened request is given one
        try:
            await apply(
                session,
                clock,
                dispute,
                outcome,
                chosen,
                new_outcome,
                actor_person_id=actor.person_id,
                overspend_approved_by=actor.person_id if approve_overspend else None,
            )
            if follows is not None:
                action, review = follows
                await move(
                    session, clock, actor, request, action, **({"review_date": review} if review else {})
                )
        except (OutcomeMovedOn, OutcomeChanged):
            raise DisputeRefused(words.STALE) from None
    final = stage.next is None
    escalate_by = (
        None
        if final
        else add_school_days(today_of(clock), windows.escalate_days, await load_calendar(session))
    )
    await write(
        session,
        clock,
        dispute,
        status=(DisputeStatus.CLOSED if final else DisputeStatus.DECIDED).value,
        finding=chosen.value,
        escalate_by=escalate_by,
    )
    add_event(
        session, clock, dispute, EventKind.DECIDED, actor.person_id, finding=chosen, reasons=cleaned.text
    )
    audit_change(session, clock, actor.person_id, "dispute_decided", dispute, finding=chosen.value)
    return dispute


# ---- the school's escalation, and closing -------------------------------------------------------------


async def escalate(
    session: AsyncSession,
    clock: Clock,
    actor: PersonProfile,
    dispute_id: int,
    version: int | None,
    windows: DisputeWindows,
) -> Dispute:
    dispute = await load_dispute(session, dispute_id)
    school = await session.get(School, dispute.school_id)
    assert school is not None
    school_name = school.name
    if not is_school_leader(actor, dispute.school_id):
        await refused(session, clock, actor, "dispute_escalate_refused", f"dispute:{dispute_id}")
        raise DisputeRefused(words.may_not_escalate(school_name))
    check_version(dispute, version)
    stage = Stage(dispute.stage)
    if stage.next is None:
        raise DisputeRefused(words.last_stage())
    if DisputeStatus(dispute.status) is not DisputeStatus.DECIDED or dispute.escalate_by is None:
        if DisputeStatus(dispute.status) is DisputeStatus.CLOSED and dispute.escalate_by is not None:
            raise DisputeRefused(words.too_late_to_escalate(dispute.escalate_by))
        raise DisputeRefused(words.cannot_escalate_now())
    today = today_of(clock)
    if today > dispute.escalate_by:
        raise DisputeRefused(words.too_late_to_escalate(dispute.escalate_by))
    calendar = await load_calendar(session)
    await write(
        session,
        clock,
        dispute,
        stage=int(stage.next),
        status=DisputeStatus.AWAITING_ACKNOWLEDGEMENT.value,
        stage_started_on=today,
        acknowledge_by=add_school_days(today, windows.acknowledge_days, calendar),
        decide_by=add_school_days(today, windows.decide_days, calendar),
        escalate_by=None,
        finding=None,
    )
    add_event(session, clock, dispute, EventKind.ESCALATED, actor.person_id)
    audit_change(session, clock, actor.person_id, "dispute_escalated", dispute, to_stage=int(stage.next))
    return dispute


async def close_expired(session: AsyncSession, clock: Clock) -> list[Dispute]:
    """Close the decided disputes whose time to escalate has passed (the scheduler's daily step)."""
    today = today_of(clock)
    rows = await session.exec(
        select(Dispute)
        .where(Dispute.status == DisputeStatus.DECIDED, col(Dispute.escalate_by) < today)
        .order_by(col(Dispute.id))
    )
    closed = []
    for dispute in rows.all():
        await write(session, clock, dispute, status=DisputeStatus.CLOSED.value)
        add_event(session, clock, dispute, EventKind.CLOSED, None)
        audit_change(session, clock, None, "dispute_closed", dispute)
        closed.append(dispute)
    return closed
