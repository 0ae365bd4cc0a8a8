"""The dispute route's changes: raise, acknowledge, decide, escalate, and close when time is up.

Each function checks the actor's role against the stored dispute (never a card's claim), refuses a
stale button (the card's ``version`` is not the dispute's), writes the dispute under its version
check with a :class:`DisputeEvent`, and audits the change; the caller commits and then tells people
(:mod:`communities.disputes.telling`). A refusal of permission changes nothing and is audited (its
row committed on its own); other refusals write nothing. Deadlines are school days
(:mod:`communities.school_days`) from London's date, with :class:`DisputeWindows` lengths.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from communities import audit
from communities.clock import Clock
from communities.db import update_if_unchanged
from communities.disputes import words
from communities.disputes.access import is_school_leader, may_handle
from communities.disputes.tables import (
    Dispute,
    DisputeEvent,
    DisputeStatus,
    EventKind,
    Finding,
    Grounds,
    Stage,
)
from communities.disputes.varying import NewOutcome, OutcomeMovedOn, apply
from communities.disputes.windows import DisputeWindows
from communities.identifying_text import Finding as TextFinding
from communities.identifying_text import find_identifying_text, warning_for
from communities.meetings.tables import local
from communities.outcomes.tables import Outcome, OutcomeStatus
from communities.requests.identifying_answers import staff_names
from communities.requests.tables import Request
from communities.roster.directory import PersonProfile
from communities.roster.roles import Role
from communities.roster.tables import Community, School
from communities.school_days import add_school_days


class DisputeRefused(Exception):
    """The step cannot be taken; the message says why, and what can be done instead."""


class IdentifyingReasons(DisputeRefused):
    """The reasons may identify a child: rephrase, or confirm they do not."""

    def __init__(self, found: list[TextFinding]) -> None:
        self.found = found
        super().__init__(warning_for(found))


def today_of(clock: Clock) -> date:
    return local(clock.now()).date()


# ---- raising ---------------------------------------------------------------------------------------


def raise_by(outcome: Outcome, windows: DisputeWindows) -> date | None:
    """The last day the school may dispute the outcome (None before it is confirmed)."""
    told = outcome.school_told_at or outcome.confirmed_at
    return add_school_days(local(told).date(), windows.raise_days) if told is not None else None


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
    school = await session.get(School, request.school_id)
    assert school is not None
    ref, school_name = request.ref, school.name
    if not is_school_leader(actor, request.school_id):
        await _refused(session, clock, actor, "dispute_raise_refused", f"outcome:{outcome_id}")
        raise DisputeRefused(words.may_not_raise(school_name))
    if OutcomeStatus(outcome.status) is not OutcomeStatus.CONFIRMED:
        raise DisputeRefused(words.NOT_CONFIRMED)
    existing = (await session.exec(select(Dispute.id).where(Dispute.outcome_id == outcome_id))).first()
    if existing is not None:
        raise DisputeRefused(words.already_disputed(ref))
    today = today_of(clock)
    last_day = raise_by(outcome, windows)
    if last_day is None or today > last_day:
        raise DisputeRefused(words.too_late_to_raise(ref, last_day or today))
    chosen = _grounds(grounds)
    cleaned = await _reasons(session, clock, actor, request, reasons, not_about_a_pupil, words.GIVE_REASONS)
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
        acknowledge_by=add_school_days(today, windows.acknowledge_days),
        decide_by=add_school_days(today, windows.decide_days),
        identifying_text_acknowledged=cleaned.acknowledged,
        raised_at=now,
        updated_at=now,
    )
    session.add(dispute)
    await session.flush()
    _event(session, clock, dispute, EventKind.RAISED, actor.person_id, reasons=cleaned.text)
    _audit(session, clock, actor.person_id, "dispute_raised", dispute, grounds=chosen.value, ref=ref)
    return dispute


# ---- the handler's steps ----------------------------------------------------------------------------


async def acknowledge(
    session: AsyncSession, clock: Clock, actor: PersonProfile, dispute_id: int, version: int | None
) -> Dispute:
    dispute = await _handled(session, clock, actor, dispute_id, version, "acknowledge")
    if DisputeStatus(dispute.status) is not DisputeStatus.AWAITING_ACKNOWLEDGEMENT:
        raise DisputeRefused(words.not_waiting_to_acknowledge(Stage(dispute.stage)))
    await _write(session, clock, dispute, status=DisputeStatus.ACKNOWLEDGED.value)
    _event(session, clock, dispute, EventKind.ACKNOWLEDGED, actor.person_id)
    _audit(session, clock, actor.person_id, "dispute_acknowledged", dispute)
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
    dispute = await _handled(session, clock, actor, dispute_id, version, "decide")
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
    cleaned = await _reasons(
        session, clock, actor, request, reasons, not_about_a_pupil, words.GIVE_DECISION_REASONS
    )
    if chosen.changes_outcome and new_outcome is not None:
        outcome = await session.get(Outcome, dispute.outcome_id)
        assert outcome is not None
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
        except OutcomeMovedOn:
            raise DisputeRefused(words.STALE) from None
    final = stage.next is None
    escalate_by = None if final else add_school_days(today_of(clock), windows.escalate_days)
    await _write(
        session,
        clock,
        dispute,
        status=(DisputeStatus.CLOSED if final else DisputeStatus.DECIDED).value,
        finding=chosen.value,
        escalate_by=escalate_by,
    )
    _event(session, clock, dispute, EventKind.DECIDED, actor.person_id, finding=chosen, reasons=cleaned.text)
    _audit(session, clock, actor.person_id, "dispute_decided", dispute, finding=chosen.value)
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
    dispute = await _dispute(session, dispute_id)
    school = await session.get(School, dispute.school_id)
    assert school is not None
    school_name = school.name
    if not is_school_leader(actor, dispute.school_id):
        await _refused(session, clock, actor, "dispute_escalate_refused", f"dispute:{dispute_id}")
        raise DisputeRefused(words.may_not_escalate(school_name))
    _check_version(dispute, version)
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
    await _write(
        session,
        clock,
        dispute,
        stage=int(stage.next),
        status=DisputeStatus.AWAITING_ACKNOWLEDGEMENT.value,
        stage_started_on=today,
        acknowledge_by=add_school_days(today, windows.acknowledge_days),
        decide_by=add_school_days(today, windows.decide_days),
        escalate_by=None,
        finding=None,
    )
    _event(session, clock, dispute, EventKind.ESCALATED, actor.person_id)
    _audit(session, clock, actor.person_id, "dispute_escalated", dispute, to_stage=int(stage.next))
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
        await _write(session, clock, dispute, status=DisputeStatus.CLOSED.value)
        _event(session, clock, dispute, EventKind.CLOSED, None)
        _audit(session, clock, None, "dispute_closed", dispute)
        closed.append(dispute)
    return closed


# ---- helpers ------------------------------------------------------------------------------------------


class _Cleaned:
    def __init__(self, text: str, acknowledged: dict[str, Any]) -> None:
        self.text, self.acknowledged = text, acknowledged


async def _reasons(
    session: AsyncSession,
    clock: Clock,
    actor: PersonProfile,
    request: Request,
    reasons: str,
    not_about_a_pupil: bool,
    missing: str,
) -> _Cleaned:
    today = today_of(clock)
    cleaned = " ".join((reasons or "").split())[:4000]
    if not cleaned:
        raise DisputeRefused(missing)
    allowed = [actor.display_name, *await staff_names(session, request.community_id)]
    found = find_identifying_text(cleaned, allowed_names=allowed, today=today)
    if found and not not_about_a_pupil:
        raise IdentifyingReasons(found)
    acknowledged: dict[str, Any] = (
        {"reasons": {"kinds": sorted({f.kind for f in found}), "by_person_id": actor.person_id}}
        if found
        else {}
    )
    return _Cleaned(cleaned, acknowledged)


def _grounds(value: str | None) -> Grounds:
    try:
        return Grounds(value or "")
    except ValueError:
        raise DisputeRefused(words.CHOOSE_GROUNDS) from None


async def _dispute(session: AsyncSession, dispute_id: int) -> Dispute:
    dispute = await session.get(Dispute, dispute_id)
    if dispute is None:
        raise DisputeRefused(words.NO_SUCH_DISPUTE)
    return dispute


def _check_version(dispute: Dispute, version: int | None) -> None:
    if version is not None and version != dispute.version:
        raise DisputeRefused(words.STALE)


async def _handled(
    session: AsyncSession, clock: Clock, actor: PersonProfile, dispute_id: int, version: int | None, what: str
) -> Dispute:
    dispute = await _dispute(session, dispute_id)
    if not await may_handle(session, actor, dispute):
        community = await session.get(Community, dispute.community_id)
        assert community is not None
        stage = Stage(dispute.stage)
        refusal = DisputeRefused(words.may_not_handle(stage, words.handlers_in_words(stage, community.code)))
        await _refused(session, clock, actor, f"dispute_{what}_refused", f"dispute:{dispute_id}")
        raise refusal
    _check_version(dispute, version)
    return dispute


async def _write(session: AsyncSession, clock: Clock, dispute: Dispute, **values: Any) -> None:
    assert dispute.id is not None
    changed = {**values, "updated_at": clock.now(), "version": dispute.version + 1}
    if not await update_if_unchanged(session, Dispute, dispute.id, dispute.version, changed):
        raise DisputeRefused(words.STALE)
    for name, value in changed.items():
        set_committed_value(dispute, name, value)


def _event(
    session: AsyncSession,
    clock: Clock,
    dispute: Dispute,
    kind: EventKind,
    by: int | None,
    *,
    finding: Finding | None = None,
    reasons: str | None = None,
) -> None:
    assert dispute.id is not None
    session.add(
        DisputeEvent(
            dispute_id=dispute.id,
            stage=int(dispute.stage),
            kind=kind,
            finding=finding,
            reasons=reasons,
            by_person_id=by,
            at=clock.now(),
        )
    )


def _audit(
    session: AsyncSession, clock: Clock, actor: int | None, action: str, dispute: Dispute, **detail: Any
) -> None:
    audit.record(
        session,
        clock,
        actor_person_id=actor,
        action=action,
        entity="dispute",
        entity_id=str(dispute.id),
        detail={"stage": int(dispute.stage), "status": str(dispute.status), **detail},
    )


async def _refused(
    session: AsyncSession, clock: Clock, actor: PersonProfile, action: str, entity_id: str
) -> None:
    await audit.keep_only_refusal(
        session, clock, actor_person_id=actor.person_id, action=action, entity="dispute", entity_id=entity_id
    )
