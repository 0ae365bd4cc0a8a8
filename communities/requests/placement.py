"""Which meeting a request is discussed at, and when it is on that meeting's agenda for good.

A request waits for a meeting while it is accepted. It goes to the community's first meeting
still to come whose agenda is not published yet and whose submission deadline it met: a request
submitted before a meeting's deadline goes to that meeting even if the chair accepts it after the
deadline, until the agenda is published. Waiting requests find a meeting again whenever the
community's meetings change (a request accepted before any date was set, or whose meeting was
cancelled or passed without it). Publishing the agenda puts its requests on it (scheduled): from
then on they stay with that meeting, and are never placed again, unless the chair defers one or
the meeting is cancelled (carried over: waiting again). The chair may defer a request to the
meeting after.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from communities import audit
from communities.agendas.tables import Agenda, AgendaStatus
from communities.clock import Clock
from communities.db import update_if_unchanged
from communities.meetings.tables import UPCOMING, Meeting, MeetingStatus
from communities.requests.lifecycle import RequestAction, RequestStatus, next_status
from communities.requests.tables import Request
from communities.roster.directory import PersonProfile


async def next_meeting_for_requests(
    session: AsyncSession, community_id: int, now: datetime
) -> Meeting | None:
    """The next meeting whose submission deadline has not passed."""
    return (
        await session.exec(
            select(Meeting)
            .where(
                Meeting.community_id == community_id,
                col(Meeting.status).in_(UPCOMING),
                col(Meeting.submission_deadline) >= now,
            )
            .order_by(col(Meeting.starts_at))
            .limit(1)
        )
    ).first()


async def open_meetings(session: AsyncSession, community_id: int, now: datetime) -> list[Meeting]:
    """The community's meetings still to come whose agenda is not published, soonest first."""
    published = select(Agenda.meeting_id).where(Agenda.status == AgendaStatus.PUBLISHED)
    rows = await session.exec(
        select(Meeting)
        .where(
            Meeting.community_id == community_id,
            col(Meeting.status).in_(UPCOMING),
            col(Meeting.starts_at) > now,
            col(Meeting.id).not_in(published),
        )
        .order_by(col(Meeting.starts_at))
    )
    return list(rows.all())


def meeting_for(request: Request, meetings: Sequence[Meeting], now: datetime) -> Meeting | None:
    """The first of ``meetings`` (soonest first) whose deadline the request met, or has not passed."""
    submitted = request.submitted_at or now
    for meeting in meetings:
        if meeting.submission_deadline >= now or submitted <= meeting.submission_deadline:
            return meeting
    return None


async def attach_accepted_requests(
    session: AsyncSession, community_id: int, now: datetime, clock: Clock | None = None
) -> int:
    """Place the community's waiting requests that have no live meeting; the number placed or moved.

    Called when a request is accepted and whenever the community's meetings change. A request on
    a cancelled meeting's published agenda is carried over (waiting again) first. A waiting request
    already attached to a live meeting stays there; requests on a published agenda, and those
    discussed or decided, are never placed again.
    """
    carried = await _carry_over_from_cancelled(session, community_id, now, clock)
    live = select(Meeting.id).where(col(Meeting.status).in_(UPCOMING), col(Meeting.ends_at) > now)
    waiting = (
        await session.exec(
            select(Request).where(
                col(Request.community_id) == community_id,
                col(Request.status) == RequestStatus.ACCEPTED,
                (col(Request.meeting_id).is_(None)) | (col(Request.meeting_id).not_in(live)),
            )
        )
    ).all()
    if not waiting:
        return carried
    meetings = await open_meetings(session, community_id, now)
    placed = 0
    for request in waiting:
        target = meeting_for(request, meetings, now)
        if target is None or target.id == request.meeting_id:
            continue
        assert request.id is not None
        if await _write(session, request, {"meeting_id": target.id, "updated_at": now}):
            placed += 1
    return placed


async def _carry_over_from_cancelled(
    session: AsyncSession, community_id: int, now: datetime, clock: Clock | None
) -> int:
    """Scheduled requests of a cancelled meeting wait for a meeting again (accepted)."""
    cancelled = select(Meeting.id).where(Meeting.status == MeetingStatus.CANCELLED)
    stranded = (
        await session.exec(
            select(Request).where(
                col(Request.community_id) == community_id,
                col(Request.status) == RequestStatus.SCHEDULED,
                col(Request.meeting_id).in_(cancelled),
            )
        )
    ).all()
    carried = 0
    for request in stranded:
        assert request.id is not None
        status = next_status(RequestStatus(request.status), RequestAction.CARRY_OVER)
        changed = {"status": status.value, "updated_at": now, "version": request.version + 1}
        if await _write(session, request, changed):
            carried += 1
            if clock is not None:
                _audit(session, clock, None, "request_carry_over", request.ref, status, request.meeting_id)
    return carried


async def schedule_published(
    session: AsyncSession, clock: Clock, actor: PersonProfile | None, meeting_id: int
) -> list[str]:
    """The meeting's agenda is published: its waiting requests are on it (scheduled). Their refs.

    Idempotent: a request already scheduled is left as it is.
    """
    rows = await session.exec(
        select(Request).where(Request.meeting_id == meeting_id, Request.status == RequestStatus.ACCEPTED)
    )
    scheduled: list[str] = []
    for request in rows.all():
        assert request.id is not None
        status = next_status(RequestStatus(request.status), RequestAction.SCHEDULE)
        changed = {"status": status.value, "updated_at": clock.now(), "version": request.version + 1}
        if await _write(session, request, changed):
            scheduled.append(request.ref)
            person = actor.person_id if actor else None
            _audit(session, clock, person, "request_schedule", request.ref, status, meeting_id)
    return scheduled


async def defer(
    session: AsyncSession,
    clock: Clock,
    actor: PersonProfile,
    request: Request,
    from_meeting_id: int,
    to_meeting_id: int,
) -> bool:
    """Move a request to a later meeting, under the version check, and audit it.

    A request already on the published agenda is carried over: it waits for the later meeting.
    The caller has checked that ``actor`` may change the agenda. False, with the session rolled
    back, when someone changed the request since it was read.
    """
    assert request.id is not None
    status = RequestStatus(request.status)
    if status is RequestStatus.SCHEDULED:
        status = next_status(status, RequestAction.CARRY_OVER)
    moved = await update_if_unchanged(
        session,
        Request,
        request.id,
        request.version,
        {
            "meeting_id": to_meeting_id,
            "status": status.value,
            "updated_at": clock.now(),
            "version": request.version + 1,
        },
    )
    if not moved:
        await session.rollback()
        return False
    await session.refresh(request)
    audit.record(
        session,
        clock,
        actor_person_id=actor.person_id,
        action="request_deferred",
        entity="request",
        entity_id=request.ref,
        detail={"status": str(request.status), "from_meeting": from_meeting_id, "to_meeting": to_meeting_id},
    )
    return True


async def _write(session: AsyncSession, request: Request, values: Mapping[str, object]) -> bool:
    """The version-checked UPDATE, and the loaded object made to match the row."""
    assert request.id is not None
    if not await update_if_unchanged(session, Request, request.id, request.version, dict(values)):
        return False
    for name, value in values.items():
        set_committed_value(request, name, value)
    return True


def _audit(
    session: AsyncSession,
    clock: Clock,
    person_id: int | None,
    action: str,
    ref: str,
    status: RequestStatus,
    meeting_id: int | None,
) -> None:
    audit.record(
        session,
        clock,
        actor_person_id=person_id,
        action=action,
        entity="request",
        entity_id=ref,
        detail={"status": status.value, "meeting": meeting_id},
    )
