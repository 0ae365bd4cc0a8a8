"""Adding, moving and cancelling single meetings.

Every change is checked against the person's roles (:func:`permissions.may_manage_meetings`),
bumps the meeting's ``sequence`` (the calendar sync then brings Graph or the ICS feed up to
date) and is audited. The caller commits, then runs the calendar sync outside the transaction.
Each change also sends the community's accepted requests to the meeting they now belong to
(:mod:`communities.requests.placement`: only the requests package writes requests).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from communities import audit
from communities.clock import Clock
from communities.meetings.tables import (
    UPCOMING,
    Meeting,
    MeetingOffsets,
    MeetingStatus,
    derived_dates,
    local,
)
from communities.permissions import may_manage_meetings
from communities.requests.placement import attach_accepted_requests
from communities.roster.directory import PersonProfile
from communities.roster.roles import Role
from communities.roster.tables import Community, Membership
from communities.school_days import not_a_school_day_text
from communities.terms.calendar import load_calendar

#: Longest meeting accepted (a typo guard: 16:00–06:00 is not a meeting).
MAX_LENGTH = timedelta(hours=12)


class MeetingRefused(Exception):
    """The change is not allowed or not valid; the message says why, for the person."""


@dataclass(frozen=True)
class MeetingTimes:
    starts_at: datetime
    ends_at: datetime

    def __post_init__(self) -> None:
        if self.starts_at.tzinfo is None or self.ends_at.tzinfo is None:
            raise ValueError("meeting times must be timezone-aware")
        if self.ends_at <= self.starts_at:
            raise MeetingRefused("The meeting must end after it starts.")
        if self.ends_at - self.starts_at > MAX_LENGTH:
            raise MeetingRefused("A meeting can last at most 12 hours; check the end time.")


async def schedule(
    session: AsyncSession,
    clock: Clock,
    actor: PersonProfile,
    community: Community,
    times: MeetingTimes,
    *,
    location: str | None,
    online: bool,
    offsets: MeetingOffsets,
) -> Meeting:
    """A new meeting for ``community``, chaired by the community's chair."""
    assert community.id is not None
    await _check(session, clock, actor, community, "meeting_add_refused")
    if times.starts_at <= clock.now():
        raise MeetingRefused("That time has already passed; choose a time in the future.")
    clash = (
        await session.exec(
            select(Meeting).where(Meeting.community_id == community.id, Meeting.starts_at == times.starts_at)
        )
    ).first()
    if clash is not None:
        raise MeetingRefused(f"{community.code} already has a meeting at that time.")
    deadline, publish_by = derived_dates(times.starts_at, offsets, await load_calendar(session))
    now = clock.now()
    meeting = Meeting(
        community_id=community.id,
        starts_at=times.starts_at,
        ends_at=times.ends_at,
        location=_clean(location),
        online=online or not _clean(location),
        chair_person_id=await current_chair(session, community.id),
        submission_deadline=deadline,
        agenda_publish_by=publish_by,
        source="teams",
        created_at=now,
        updated_at=now,
    )
    session.add(meeting)
    await session.flush()
    _audit(session, clock, actor, "meeting_added", meeting)
    await attach_accepted_requests(session, community.id, now, clock)
    return meeting


async def move(
    session: AsyncSession,
    clock: Clock,
    actor: PersonProfile,
    meeting_id: int,
    times: MeetingTimes,
    *,
    location: str | None,
    online: bool,
    offsets: MeetingOffsets,
) -> Meeting:
    """A new time and/or place for a meeting that is still to come."""
    meeting, community = await _load(session, meeting_id)
    await _check(session, clock, actor, community, "meeting_move_refused", meeting)
    if meeting.status not in UPCOMING:
        raise MeetingRefused(
            f"That meeting is {MeetingStatus(meeting.status).label.lower()}, so it cannot be moved."
        )
    if times.starts_at <= clock.now():
        raise MeetingRefused("That time has already passed; choose a time in the future.")
    meeting.starts_at, meeting.ends_at = times.starts_at, times.ends_at
    meeting.submission_deadline, meeting.agenda_publish_by = derived_dates(
        times.starts_at, offsets, await load_calendar(session)
    )
    meeting.location = _clean(location)
    meeting.online = online or not meeting.location
    meeting.status = MeetingStatus.SCHEDULED
    await _changed(session, clock, meeting)
    _audit(session, clock, actor, "meeting_moved", meeting)
    await attach_accepted_requests(session, meeting.community_id, clock.now(), clock)
    return meeting


async def odd_day_warning(session: AsyncSession, meeting: Meeting) -> str | None:
    """ "Saturday 6 March 2027 is not a school day (a Saturday)" for a meeting on such a day (it is
    kept all the same), else None."""
    return not_a_school_day_text(local(meeting.starts_at).date(), await load_calendar(session))


async def may_cancel(
    session: AsyncSession, clock: Clock, actor: PersonProfile, meeting_id: int, reason: str
) -> tuple[Meeting, Community, str]:
    """The meeting, its community and the reason tidied, if ``actor`` may cancel it now (before
    asking them to confirm); else refused (a refusal of the person is audited)."""
    reason = " ".join(reason.split())
    if not reason:
        raise MeetingRefused("Say why the meeting is cancelled: the members see it with the cancellation.")
    meeting, community = await _load(session, meeting_id)
    await _check(session, clock, actor, community, "meeting_cancel_refused", meeting)
    if meeting.status not in UPCOMING:
        raise MeetingRefused(f"That meeting is {MeetingStatus(meeting.status).label.lower()} already.")
    return meeting, community, reason[:500]


async def cancel(
    session: AsyncSession, clock: Clock, actor: PersonProfile, meeting_id: int, reason: str
) -> Meeting:
    """Cancel a meeting still to come; its accepted requests go to the next one."""
    meeting, _, reason = await may_cancel(session, clock, actor, meeting_id, reason)
    meeting.status = MeetingStatus.CANCELLED
    meeting.cancel_reason = reason
    await _changed(session, clock, meeting)
    _audit(session, clock, actor, "meeting_cancelled", meeting)
    await attach_accepted_requests(session, meeting.community_id, clock.now(), clock)
    return meeting


async def upcoming(session: AsyncSession, community_ids: list[int], now: datetime) -> list[Meeting]:
    """Meetings still to come (cancelled ones included, to show them as cancelled), soonest first."""
    rows = await session.exec(
        select(Meeting)
        .where(col(Meeting.community_id).in_(community_ids), col(Meeting.ends_at) > now)
        .order_by(col(Meeting.starts_at))
    )
    return list(rows.all())


async def current_chair(session: AsyncSession, community_id: int) -> int | None:
    return (
        await session.exec(
            select(Membership.person_id).where(
                Membership.community_id == community_id,
                Membership.role == Role.CHAIR,
                col(Membership.active),
            )
        )
    ).first()


async def _load(session: AsyncSession, meeting_id: int) -> tuple[Meeting, Community]:
    meeting = await session.get(Meeting, meeting_id)
    community = await session.get(Community, meeting.community_id) if meeting else None
    if meeting is None or community is None:
        raise MeetingRefused("That meeting does not exist (the card may be from somewhere else).")
    return meeting, community


async def _check(
    session: AsyncSession,
    clock: Clock,
    actor: PersonProfile,
    community: Community,
    refused_action: str,
    meeting: Meeting | None = None,
) -> None:
    assert community.id is not None
    decision = may_manage_meetings(actor, community.id, community.code)
    if not decision.allowed:
        await audit.keep_only_refusal(
            session,
            clock,
            actor_person_id=actor.person_id,
            action=refused_action,
            entity="meeting" if meeting else "community",
            entity_id=str(meeting.id) if meeting else community.code,
            detail={"community": community.code},
        )
        raise MeetingRefused(decision.reason)


async def _changed(session: AsyncSession, clock: Clock, meeting: Meeting) -> None:
    meeting.sequence += 1
    meeting.updated_at = clock.now()
    session.add(meeting)
    await session.flush()


def _audit(session: AsyncSession, clock: Clock, actor: PersonProfile, action: str, meeting: Meeting) -> None:
    audit.record(
        session,
        clock,
        actor_person_id=actor.person_id,
        action=action,
        entity="meeting",
        entity_id=str(meeting.id),
        detail={"starts_at": meeting.starts_at.isoformat(), "status": str(meeting.status)},
    )


def _clean(text: str | None) -> str | None:
    cleaned = " ".join((text or "").split())
    return cleaned[:300] or None
