"""Community meetings: when and where, who chairs, and the dates derived from them.

Times are stored in UTC and shown in Europe/London. The submission deadline and the
agenda-publish-by date are derived from the start with configurable offsets, so a moved
meeting moves its deadlines with it. The calendar columns hold what the calendar backend
(Graph or the local ICS feed) gave back; ``sequence`` counts changes for iCalendar.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import Column, String, UniqueConstraint
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from communities.clock import Clock
from communities.school_days import NO_TERMS, SchoolCalendar
from communities.sqltypes import UtcDateTime

LONDON = ZoneInfo("Europe/London")


class MeetingStatus(StrEnum):
    SCHEDULED = "scheduled"
    POSTPONED = "postponed"
    CANCELLED = "cancelled"
    HELD = "held"

    @property
    def label(self) -> str:
        return self.value.capitalize()


#: Statuses whose meeting still takes requests and appears in broadcasts as going ahead.
UPCOMING = (MeetingStatus.SCHEDULED, MeetingStatus.POSTPONED)


class Meeting(SQLModel, table=True):
    __tablename__ = "meeting"
    # The same community and start time is the same meeting (the import's natural key).
    __table_args__ = (UniqueConstraint("community_id", "starts_at", name="uq_meeting_community_start"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    starts_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False, index=True))
    ends_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    location: str | None = Field(default=None, max_length=300)
    online: bool = True
    chair_person_id: int | None = Field(default=None, foreign_key="person.id")
    status: MeetingStatus = Field(default=MeetingStatus.SCHEDULED, sa_type=String(16), index=True)
    submission_deadline: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    agenda_publish_by: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    #: kcc_import | teams (added in a chat by an officer or the chair)
    source: str = Field(default="kcc_import", max_length=16)
    #: The calendar backend's ids (Graph event id / iCalendar UID) and the Teams join link.
    calendar_event_id: str | None = Field(default=None, max_length=400)
    ical_uid: str | None = Field(default=None, max_length=400)
    join_url: str | None = Field(default=None, max_length=2000)
    #: Why the calendar is behind the database (a Graph refusal in words); None when in step.
    calendar_problem: str | None = Field(default=None, max_length=1000)
    #: Bumped on every change: the iCalendar SEQUENCE, and part of a re-broadcast's key.
    sequence: int = 1
    #: The ``sequence`` the calendar backend last accepted; behind ``sequence`` means a sync is due.
    calendar_synced: int = 0
    cancel_reason: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


class CalendarFeed(SQLModel, table=True):
    """A community's iCalendar feed, at an unguessable URL (the token is the only key)."""

    __tablename__ = "calendar_feed"

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", unique=True)
    token: str = Field(max_length=100, unique=True, index=True)
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


def feed_token() -> str:
    """A new unguessable, URL-safe token naming a community's feed (256 bits)."""
    return secrets.token_urlsafe(32)


def feed_path(token: str) -> str:
    """The path a community's feed is served at."""
    return f"/calendar/{token}.ics"


async def feed_tokens(session: AsyncSession, clock: Clock, community_ids: list[int]) -> dict[int, str]:
    """Each community's feed token, made on first use (the caller commits)."""
    rows = await session.exec(
        select(CalendarFeed.community_id, CalendarFeed.token).where(
            col(CalendarFeed.community_id).in_(community_ids)
        )
    )
    tokens = dict(rows.all())
    for community_id in community_ids:
        if community_id not in tokens:
            tokens[community_id] = feed_token()
            session.add(
                CalendarFeed(community_id=community_id, token=tokens[community_id], created_at=clock.now())
            )
    await session.flush()
    return tokens


@dataclass(frozen=True)
class MeetingOffsets:
    """How far before a meeting its dates fall (defaults from the issue; configurable).

    Counted in school days by default (:mod:`communities.school_days`): 10 school days before a
    meeting, at its London time. In calendar days (``school_days=False``) a date that falls on a
    weekend, a bank holiday or in a holiday moves to the school day before it.
    """

    submission_deadline: timedelta = timedelta(days=10)
    agenda_publish_by: timedelta = timedelta(days=5)
    school_days: bool = True

    def __post_init__(self) -> None:
        if self.submission_deadline <= self.agenda_publish_by:
            raise ValueError("the submission deadline must come before the agenda is due")
        if self.agenda_publish_by < timedelta(0):
            raise ValueError("the agenda must be due before the meeting")


def derived_dates(
    starts_at: datetime, offsets: MeetingOffsets, calendar: SchoolCalendar | None = None
) -> tuple[datetime, datetime]:
    """(submission deadline, agenda publish-by), at the same London wall-clock time as the meeting,
    each on a school day (``calendar``: the loaded term dates; None: weekdays without bank holidays).

    Subtracting days in local time keeps a 16:00 meeting's deadline at 16:00 across a DST
    change (subtracting in UTC would make it 15:00 or 17:00).
    """
    school = calendar or NO_TERMS
    local = starts_at.astimezone(LONDON).replace(tzinfo=None)

    def back(offset: timedelta) -> datetime:
        if offsets.school_days:
            day = school.add_school_days(local.date(), -offset.days)
            naive = datetime.combine(day, local.time()) - (offset - timedelta(days=offset.days))
        else:
            naive = local - offset
        moment = naive.replace(tzinfo=LONDON)
        return school.on_school_day(moment, LONDON).astimezone(starts_at.tzinfo)

    return back(offsets.submission_deadline), back(offsets.agenda_publish_by)


def local(moment: datetime) -> datetime:
    return moment.astimezone(LONDON)


def london_wall_time(naive: datetime) -> datetime:
    """A local London time as typed (no zone) to an aware UTC instant; refuses impossible times.

    A time in the spring-forward gap (01:00–01:59 on the last Sunday of March) does not exist,
    and one in the autumn fold happens twice; both are refused rather than guessed.
    """
    if naive.tzinfo is not None:
        raise ValueError("expected a local time without a zone")
    first = naive.replace(tzinfo=LONDON, fold=0)
    second = naive.replace(tzinfo=LONDON, fold=1)
    if first.astimezone(UTC).astimezone(LONDON).replace(tzinfo=None) != naive:
        raise ValueError(f"{naive:%d %b %Y %H:%M} does not exist in London (the clocks go forward)")
    if first.utcoffset() != second.utcoffset():
        raise ValueError(f"{naive:%d %b %Y %H:%M} happens twice in London (the clocks go back)")
    return first.astimezone(UTC)


def where_text(location: str | None, online: bool) -> str:
    """'Westgate Meadow Primary School, Online (Teams)', or 'To be confirmed'."""
    return ", ".join(p for p in (location, "Online (Teams)" if online else None) if p) or "To be confirmed"


def when_text(meeting: Meeting) -> str:
    """'Tuesday 3 March 2026, 16:00–17:30' in London time."""
    start, end = local(meeting.starts_at), local(meeting.ends_at)
    if start.date() == end.date():
        return f"{start:%A} {start.day} {start:%B %Y, %H:%M}–{end:%H:%M}"
    return f"{start:%A} {start.day} {start:%B %Y, %H:%M} to {end:%A} {end.day} {end:%B %Y, %H:%M}"


def date_text(moment: datetime) -> str:
    """'Tuesday 3 March 2026, 16:00' in London time."""
    at = local(moment)
    return f"{at:%A} {at.day} {at:%B %Y, %H:%M}"
