"""A community's meetings as its iCalendar feed, found by the feed's unguessable token."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import col, select

from communities.db import Database
from communities.meetings.tables import CalendarFeed, Meeting, MeetingStatus, date_text
from communities.roster.tables import Community
from scheduler.calendars.local import DEFAULT_UID_DOMAIN, FeedEvent, FeedStatus, render_feed

#: How far back the feed reaches: recent meetings stay visible, old ones drop off.
HISTORY = timedelta(days=180)


async def feed_for_token(database: Database, token: str, now: datetime) -> bytes | None:
    """The feed, or None for a token that names no feed (the caller answers 404)."""
    if not token or len(token) > 100:
        return None
    async with database.session() as session:
        found = (
            await session.exec(
                select(Community)
                .join(CalendarFeed, col(CalendarFeed.community_id) == col(Community.id))
                .where(CalendarFeed.token == token)
            )
        ).first()
        if found is None:
            return None
        meetings = (
            await session.exec(
                select(Meeting)
                .where(Meeting.community_id == found.id, col(Meeting.starts_at) >= now - HISTORY)
                .order_by(col(Meeting.starts_at))
            )
        ).all()
    name = f"{found.name} ({found.code}) meetings"
    return render_feed(name, [_event(found, m) for m in meetings], now=now)


def _event(community: Community, meeting: Meeting) -> FeedEvent:
    lines = [
        f"{community.name} ({community.code}): Communities of Schools meeting.",
        f"Requests to the community close {date_text(meeting.submission_deadline)}.",
        f"The agenda is due by {date_text(meeting.agenda_publish_by)}.",
    ]
    if meeting.status == MeetingStatus.CANCELLED and meeting.cancel_reason:
        lines.insert(0, f"Cancelled: {meeting.cancel_reason}")
    status = {
        MeetingStatus.CANCELLED: FeedStatus.CANCELLED,
        MeetingStatus.POSTPONED: FeedStatus.TENTATIVE,
    }.get(MeetingStatus(meeting.status), FeedStatus.CONFIRMED)
    places = [meeting.location, "Microsoft Teams" if meeting.online else None]
    return FeedEvent(
        uid=meeting.ical_uid or f"cos-meeting-{meeting.id}@{DEFAULT_UID_DOMAIN}",
        summary=f"{community.name} Communities of Schools meeting",
        description="\n".join(lines),
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        location=", ".join(p for p in places if p) or None,
        url=meeting.join_url,
        status=status,
        sequence=meeting.sequence,
        last_modified=meeting.updated_at,
    )
