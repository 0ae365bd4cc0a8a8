"""Which meeting a request is discussed at: the next one whose deadline it meets, or a later one.

Accepted requests go to the community's next meeting whose submission deadline has not passed,
and find one again whenever the community's meetings change (a request accepted before any date
was set, or whose meeting was cancelled). The chair may defer a request to the meeting after.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from communities import audit
from communities.clock import Clock
from communities.db import update_if_unchanged
from communities.meetings.tables import UPCOMING, Meeting
from communities.requests.lifecycle import RequestStatus
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


async def attach_accepted_requests(session: AsyncSession, community_id: int, now: datetime) -> int:
    """Accepted requests with no live meeting go to the next meeting whose deadline they meet.

    Called when a request is accepted and whenever the community's meetings change, so that a
    request accepted before any date was set, or whose meeting was cancelled, finds its meeting.
    A request already attached to a live meeting stays there.
    """
    target = await next_meeting_for_requests(session, community_id, now)
    if target is None:
        return 0
    live = select(Meeting.id).where(col(Meeting.status).in_(UPCOMING), col(Meeting.ends_at) > now)
    result = await session.execute(
        update(Request)
        .where(
            col(Request.community_id) == community_id,
            col(Request.status) == RequestStatus.ACCEPTED,
            (col(Request.meeting_id).is_(None)) | (col(Request.meeting_id).not_in(live)),
        )
        .values(meeting_id=target.id)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def defer(
    session: AsyncSession,
    clock: Clock,
    actor: PersonProfile,
    request: Request,
    from_meeting_id: int,
    to_meeting_id: int,
) -> bool:
    """Move an accepted request to a later meeting, under the version check, and audit it.

    The caller has checked that ``actor`` may change the agenda. False, with the session rolled
    back, when someone changed the request since it was read.
    """
    assert request.id is not None
    moved = await update_if_unchanged(
        session,
        Request,
        request.id,
        request.version,
        {"meeting_id": to_meeting_id, "updated_at": clock.now(), "version": request.version + 1},
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
