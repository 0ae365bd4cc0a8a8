"""Requests as lists show them: reference, school, type, status, and what happens next."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from communities import audit
from communities.audit import AuditEvent
from communities.clock import Clock
from communities.meetings.tables import Meeting, date_text, local
from communities.requests.lifecycle import (
    PEOPLES_ACTIONS,
    RequestAction,
    RequestStatus,
    actions_from,
    next_step,
)
from communities.requests.placement import next_meeting_for_requests
from communities.requests.tables import Request, RequestType
from communities.roster.tables import Community, School


@dataclass(frozen=True)
class RequestLine:
    request_id: int
    ref: str
    school: str
    kind: str
    status: RequestStatus
    urgent: bool
    next_step: str
    #: What the state machine allows now; the caller filters by who is looking.
    actions: tuple[RequestAction, ...]
    return_note: str | None = None
    #: The school's own reference for the pupil or group (personal chat, to those who may see it).
    pupil_ref: str | None = None
    #: When it was submitted, and decided ("Accepted on 5 March 2026"), in London dates.
    submitted: str | None = None
    decided: str | None = None
    #: The meeting it goes to (or would, if submitted now) and when requests for it close.
    meeting: str | None = None
    deadline: str | None = None
    #: The retention policy removed its pupil-level answers (views say so where they were).
    detail_removed: bool = False


async def request_lines(
    session: AsyncSession,
    requests: Sequence[Request],
    *,
    now: datetime | None = None,
    with_pupil_ref: bool = False,
) -> list[RequestLine]:
    """The lines of a list; ``with_pupil_ref`` only for someone who may see the request (the caller
    checks), in personal chat. With ``now``, an open request names the meeting it would go to."""
    school_ids = {r.school_id for r in requests}
    names = {
        s.id: s.name for s in (await session.exec(select(School).where(col(School.id).in_(school_ids)))).all()
    }
    decided = await _decisions(session, [r.ref for r in requests])
    meetings = await _meetings(session, requests, now)
    lines = []
    for request in requests:
        assert request.id is not None
        status = RequestStatus(request.status)
        lines.append(
            RequestLine(
                request_id=request.id,
                ref=request.ref,
                school=names.get(request.school_id, "?"),
                kind=RequestType(request.request_type).label if request.request_type else "Not chosen yet",
                status=status,
                urgent=request.urgency == "urgent",
                next_step=next_step(status),
                actions=tuple(a for a in actions_from(status) if a in PEOPLES_ACTIONS),
                return_note=request.return_note,
                pupil_ref=_pupil_ref(request) if with_pupil_ref else None,
                submitted=day_text(request.submitted_at) if request.submitted_at else None,
                decided=decided.get(request.ref),
                meeting=date_text(meetings[request.id].starts_at) if request.id in meetings else None,
                deadline=date_text(meetings[request.id].submission_deadline)
                if request.id in meetings
                else None,
                detail_removed=request.detail_removed_at is not None,
            )
        )
    return lines


async def lines_for_reader(
    session: AsyncSession, clock: Clock, reader_person_id: int, requests: Sequence[Request]
) -> list[RequestLine]:
    """The lines with each request's pupil reference, for someone the caller checked may see them
    (in personal chat); each request listed so is a read of its pupil-level detail, audited."""
    for request in requests:
        audit.record_read(
            session,
            clock,
            audit.Read.REQUEST_LISTED,
            actor_person_id=reader_person_id,
            entity="request",
            entity_id=request.ref,
            detail={"status": str(request.status)},
        )
    return await request_lines(session, requests, now=clock.now(), with_pupil_ref=True)


def day_text(moment: datetime) -> str:
    """'5 March 2026', in London."""
    at = local(moment)
    return f"{at.day} {at:%B %Y}"


def _pupil_ref(request: Request) -> str | None:
    ref = request.details.get("pupil_ref")
    return ref.strip() or None if isinstance(ref, str) else None


_DECISIONS = {
    "request_accept": "Accepted",
    "request_return_for_info": "Returned for information",
    "request_decide": "Decided at the meeting",
}


async def _decisions(session: AsyncSession, refs: list[str]) -> dict[str, str]:
    """Each request's latest decision and its date, from the audit log."""
    events = await session.exec(
        select(AuditEvent)
        .where(
            AuditEvent.entity == "request",
            col(AuditEvent.entity_id).in_(refs),
            col(AuditEvent.action).in_(list(_DECISIONS)),
        )
        .order_by(col(AuditEvent.at), col(AuditEvent.id))
    )
    return {e.entity_id: f"{_DECISIONS[e.action]} on {day_text(e.at)}" for e in events.all()}


async def _meetings(
    session: AsyncSession, requests: Sequence[Request], now: datetime | None
) -> dict[int, Meeting]:
    """The meeting of each request: its own, or for an open one the next that takes requests."""
    own = {r.meeting_id for r in requests if r.meeting_id is not None}
    found = {m.id: m for m in (await session.exec(select(Meeting).where(col(Meeting.id).in_(own)))).all()}
    next_by_community: dict[int, Meeting | None] = {}
    result: dict[int, Meeting] = {}
    for request in requests:
        assert request.id is not None
        meeting = found.get(request.meeting_id) if request.meeting_id is not None else None
        if meeting is None and now is not None and request.status in _WAITING:
            if request.community_id not in next_by_community:
                next_by_community[request.community_id] = await next_meeting_for_requests(
                    session, request.community_id, now
                )
            meeting = next_by_community[request.community_id]
        if meeting is not None:
            result[request.id] = meeting
    return result


#: Requests not yet on a meeting's agenda, which would go to the next meeting taking requests.
_WAITING = frozenset({RequestStatus.DRAFT, RequestStatus.SUBMITTED, RequestStatus.RETURNED_FOR_INFO})


@dataclass(frozen=True)
class WaitingLine:
    """One community's requests waiting for review, for the officer's summary of every queue."""

    code: str
    name: str
    waiting: int
    urgent: int


async def waiting_by_community(session: AsyncSession) -> list[WaitingLine]:
    """Every community with submitted requests waiting for review, by code (officers only: the
    caller checks)."""
    rows = await session.exec(
        select(Community.code, Community.name, Request.urgency)
        .join(Request, col(Request.community_id) == col(Community.id))
        .where(Request.status == RequestStatus.SUBMITTED)
    )
    counts: dict[tuple[str, str], list[int]] = {}
    for code, name, urgency in rows.all():
        count = counts.setdefault((code, name), [0, 0])
        count[0] += 1
        count[1] += urgency == "urgent"
    return [WaitingLine(code, name, n, urgent) for (code, name), (n, urgent) in sorted(counts.items())]
