"""Keeping the calendar (Graph or the local feed) in step with the meetings table.

The database is the truth. A change bumps ``Meeting.sequence``; a sync brings the calendar
up to it and records ``calendar_synced``, or records the problem in words for the officer.
No session is held during a calendar call (on SQLite there is one connection), and a meeting
changed meanwhile stays due for the next sync.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from html import escape

from sqlalchemy import update
from sqlmodel import col, or_, select

from communities.db import Database
from communities.meetings.calendar import Attendee, Calendar, CalendarEntry, CalendarError, EventSpec
from communities.meetings.tables import UPCOMING, Meeting, MeetingStatus, date_text
from communities.roster.roles import Role
from communities.roster.tables import Community, Membership, Person, School
from communities.wording import counted

log = logging.getLogger(__name__)

#: Who is invited: the people who take part in a community's meetings.
INVITED_ROLES = (Role.CHAIR, Role.VICE_CHAIR, Role.SCHOOL_LEADER, Role.SENCO)


@dataclass
class SyncReport:
    synced: int = 0
    #: (community code, meeting date, problem) for each meeting the calendar refused.
    problems: list[tuple[str, str, str]] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"calendar: {counted(self.synced, 'meeting')} brought up to date"]
        out += [f"calendar: {code} {when}: {problem}" for code, when, problem in self.problems]
        return out


async def attendees_of(database: Database, community_id: int) -> tuple[Attendee, ...]:
    """The community's chair, vice chair, school leaders and SENCOs (active), by email."""
    async with database.session() as session:
        schools = select(School.id).where(School.community_id == community_id)
        rows = await session.exec(
            select(Person.email, Person.display_name)
            .join(Membership, col(Membership.person_id) == col(Person.id))
            .where(
                col(Membership.active),
                col(Person.active),
                col(Membership.role).in_(INVITED_ROLES),
                or_(col(Membership.community_id) == community_id, col(Membership.school_id).in_(schools)),
            )
        )
        found = dict(rows.all())
    return tuple(Attendee(email, name) for email, name in sorted(found.items()))


def event_spec(meeting: Meeting, community: Community, attendees: tuple[Attendee, ...]) -> EventSpec:
    assert meeting.id is not None
    lines = [
        f"{community.name} ({community.code}): Communities of Schools meeting.",
        f"Requests to the community close {date_text(meeting.submission_deadline)}.",
        f"The agenda is due by {date_text(meeting.agenda_publish_by)}.",
    ]
    return EventSpec(
        key=f"cos-meeting-{meeting.id}",
        subject=f"{community.name} Communities of Schools meeting",
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        body="".join(f"<p>{escape(line)}</p>" for line in lines),
        location=meeting.location,
        online=meeting.online,
        attendees=attendees,
    )


async def sync_meetings(
    database: Database, calendar: Calendar, meeting_ids: Iterable[int] | None = None
) -> SyncReport:
    """Bring the calendar up to date for ``meeting_ids`` (default: every meeting that is behind)."""
    async with database.session() as session:
        query = select(Meeting.id).where(col(Meeting.calendar_synced) < col(Meeting.sequence))
        if meeting_ids is not None:
            query = query.where(col(Meeting.id).in_(list(meeting_ids)))
        due = [i for i in (await session.exec(query.order_by(col(Meeting.starts_at)))).all() if i]
    report = SyncReport()
    attendees: dict[int, tuple[Attendee, ...]] = {}
    for meeting_id in due:
        problem = await _sync_one(database, calendar, meeting_id, attendees)
        if problem is None:
            report.synced += 1
        else:
            report.problems.append(problem)
    return report


async def refresh_attendees(database: Database, calendar: Calendar) -> SyncReport:
    """After a roster change: every upcoming meeting's attendees, inviting only the new ones."""
    async with database.session() as session:
        rows = (
            await session.exec(
                select(Meeting, Community)
                .join(Community, col(Community.id) == col(Meeting.community_id))
                .where(col(Meeting.status).in_(UPCOMING), col(Meeting.calendar_event_id).is_not(None))
            )
        ).all()
    report = SyncReport()
    by_community: dict[int, tuple[Attendee, ...]] = {}
    for meeting, community in rows:
        if meeting.community_id not in by_community:
            by_community[meeting.community_id] = await attendees_of(database, meeting.community_id)
        assert meeting.calendar_event_id is not None
        try:
            await calendar.set_attendees(meeting.calendar_event_id, by_community[meeting.community_id])
            report.synced += 1
        except CalendarError as error:
            report.problems.append((community.code, date_text(meeting.starts_at), str(error)))
    return report


async def _sync_one(
    database: Database,
    calendar: Calendar,
    meeting_id: int,
    attendees: dict[int, tuple[Attendee, ...]],
) -> tuple[str, str, str] | None:
    async with database.session() as session:
        meeting = await session.get(Meeting, meeting_id)
        community = await session.get(Community, meeting.community_id) if meeting else None
    if meeting is None or community is None:
        return None
    if meeting.community_id not in attendees:
        attendees[meeting.community_id] = await attendees_of(database, meeting.community_id)
    spec = event_spec(meeting, community, attendees[meeting.community_id])
    entry: CalendarEntry | None = None
    try:
        if meeting.status == MeetingStatus.CANCELLED:
            if meeting.calendar_event_id:
                await calendar.cancel(
                    meeting.calendar_event_id, meeting.cancel_reason or "Meeting cancelled."
                )
        elif meeting.calendar_event_id:
            entry = await calendar.update(meeting.calendar_event_id, spec)
            await calendar.set_attendees(meeting.calendar_event_id, spec.attendees)
        else:
            entry = await calendar.create(spec)
    except CalendarError as error:
        log.warning("meeting %s: calendar refused: %s", meeting_id, error)
        await _record(database, meeting, problem=str(error))
        return (community.code, date_text(meeting.starts_at), str(error))
    await _record(database, meeting, entry=entry)
    return None


async def _record(
    database: Database,
    meeting: Meeting,
    *,
    entry: CalendarEntry | None = None,
    problem: str | None = None,
) -> None:
    """Store the outcome, unless the meeting changed meanwhile (then it stays due)."""
    values: dict[str, object] = {"calendar_problem": problem}
    if problem is None:
        values["calendar_synced"] = meeting.sequence
    if entry is not None:
        values.update(calendar_event_id=entry.event_id, ical_uid=entry.ical_uid, join_url=entry.join_url)
    async with database.session() as session:
        await session.execute(
            update(Meeting)
            .where(col(Meeting.id) == meeting.id, col(Meeting.sequence) == meeting.sequence)
            .values(**values)
        )
        await session.commit()
