"""A dispute as its cards show it, and the officers' list of every open dispute with its age.

Reading is audited by the caller (:func:`communities.disputes.service.open_for_reading`; the list by
:func:`open_disputes`). The views carry the school, the reference, the grounds and reasons, the
stage and its deadlines, the history and the outcome's earlier versions: nothing about a pupil.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from communities import audit
from communities.clock import Clock
from communities.disputes.outcome_history import outcome_history
from communities.disputes.tables import (
    Dispute,
    DisputeEvent,
    DisputeStatus,
    EventKind,
    Finding,
    Grounds,
    Stage,
)
from communities.meetings.tables import local
from communities.money import pounds
from communities.outcomes.decisions import OutcomeDecision
from communities.outcomes.tables import Outcome
from communities.requests.tables import Request
from communities.retention.words import removed_or, removed_text
from communities.roster.directory import PersonProfile
from communities.roster.tables import Community, Person, School
from communities.school_days import school_days_between
from communities.terms.calendar import load_calendar


@dataclass(frozen=True)
class EventLine:
    stage: Stage
    kind: EventKind
    finding: Finding | None
    reasons: str | None
    by: str
    on: date


@dataclass(frozen=True)
class VersionLine:
    version: int
    decision: str
    funding: str
    because: str
    on: date


@dataclass(frozen=True)
class DisputeView:
    dispute_id: int
    version: int
    outcome_id: int
    ref: str
    school: str
    community_code: str
    grounds: Grounds
    reasons: str
    stage: Stage
    status: DisputeStatus
    finding: Finding | None
    acknowledge_by: date
    decide_by: date
    escalate_by: date | None
    raised_on: date
    #: School days since it was raised, and since it reached this stage.
    age_days: int
    stage_age_days: int
    decision: str
    funding: str
    events: tuple[EventLine, ...]
    history: tuple[VersionLine, ...]

    @property
    def may_escalate(self) -> bool:
        return self.status is DisputeStatus.DECIDED and self.stage.next is not None

    @property
    def next_deadline(self) -> tuple[str, date] | None:
        if self.status is DisputeStatus.AWAITING_ACKNOWLEDGEMENT:
            return ("Acknowledge by", self.acknowledge_by)
        if self.status is DisputeStatus.ACKNOWLEDGED:
            return ("Decide by", self.decide_by)
        if self.status is DisputeStatus.DECIDED and self.escalate_by is not None:
            return ("The school may escalate until", self.escalate_by)
        return None


def _funding(pence: int | None) -> str:
    return pounds(pence) if pence else "None"


async def dispute_view(session: AsyncSession, dispute: Dispute, today: date) -> DisputeView:
    assert dispute.id is not None
    request = await session.get(Request, dispute.request_id)
    school = await session.get(School, dispute.school_id)
    community = await session.get(Community, dispute.community_id)
    outcome = await session.get(Outcome, dispute.outcome_id)
    assert request is not None and school is not None and community is not None and outcome is not None
    calendar = await load_calendar(session)
    gone = request.detail_removed_at is not None  # the retention policy removed the reasons
    rows = await session.exec(
        select(DisputeEvent, Person)
        .outerjoin(Person, col(Person.id) == col(DisputeEvent.by_person_id))
        .where(DisputeEvent.dispute_id == dispute.id)
        .order_by(col(DisputeEvent.id))
    )
    events = tuple(
        EventLine(
            Stage(e.stage),
            EventKind(e.kind),
            Finding(e.finding) if e.finding else None,
            removed_or(e.reasons, gone),
            person.display_name if person is not None else "The bot",
            local(e.at).date(),
        )
        for e, person in rows.all()
    )
    history = tuple(
        VersionLine(
            v.version,
            OutcomeDecision(v.decision).label,
            _funding(v.funding_pence),
            removed_text(v.replaced_because, gone),
            local(v.replaced_at).date(),
        )
        for v in await outcome_history(session, dispute.outcome_id)
    )
    raised_on = local(dispute.raised_at).date()
    return DisputeView(
        dispute_id=dispute.id,
        version=dispute.version,
        outcome_id=dispute.outcome_id,
        ref=request.ref,
        school=school.name,
        community_code=community.code,
        grounds=Grounds(dispute.grounds),
        reasons=removed_text(dispute.reasons, gone),
        stage=Stage(dispute.stage),
        status=DisputeStatus(dispute.status),
        finding=Finding(dispute.finding) if dispute.finding else None,
        acknowledge_by=dispute.acknowledge_by,
        decide_by=dispute.decide_by,
        escalate_by=dispute.escalate_by,
        raised_on=raised_on,
        age_days=max(0, school_days_between(raised_on, today, calendar)),
        stage_age_days=max(0, school_days_between(dispute.stage_started_on, today, calendar)),
        decision=OutcomeDecision(outcome.decision).label,
        funding=_funding(outcome.funding_pence),
        events=events,
        history=history,
    )


@dataclass(frozen=True)
class OpenLine:
    dispute_id: int
    ref: str
    school: str
    community_code: str
    stage: Stage
    status: DisputeStatus
    age_days: int
    deadline_label: str
    deadline: date | None
    overdue: bool


OPEN = (DisputeStatus.AWAITING_ACKNOWLEDGEMENT, DisputeStatus.ACKNOWLEDGED, DisputeStatus.DECIDED)


async def open_disputes(
    session: AsyncSession, clock: Clock, actor: PersonProfile, today: date
) -> list[OpenLine]:
    """Every dispute not closed, oldest first, with its age in school days (the read is audited).

    The caller checks the actor is an officer (the ``disputes`` capability)."""
    rows = await session.exec(
        select(Dispute)
        .where(col(Dispute.status).in_([s.value for s in OPEN]))
        .order_by(col(Dispute.raised_at))
    )
    lines = []
    for dispute in rows.all():
        view = await dispute_view(session, dispute, today)
        label, deadline = view.next_deadline or ("", None)
        lines.append(
            OpenLine(
                view.dispute_id,
                view.ref,
                view.school,
                view.community_code,
                view.stage,
                view.status,
                view.age_days,
                label,
                deadline,
                deadline is not None and deadline < today,
            )
        )
    audit.record(
        session,
        clock,
        actor_person_id=actor.person_id,
        action="disputes_listed",
        entity="dispute",
        entity_id="open",
        detail={"count": len(lines)},
    )
    return lines
