"""The meetings import: KCC's dates in one CSV file, an all-or-nothing upsert of the meetings out.

The file is checked first (:mod:`communities.meetings.csv_files`) against the roster as it is now; if
anything is wrong, :class:`MeetingImportError` lists every problem and nothing is written.
Otherwise the meetings are brought in line with the file in one transaction:

* the same community and start time is the same meeting;
* a row that matches no meeting moves one instead of adding one when, for its community and London
  date, it is the file's only such row and the database holds exactly one meeting the file does not
  name (cancelled meetings aside: a cancelled meeting stays cancelled, and the new time is a new
  meeting);
* a meeting whose start, end, place or chair changed is updated in place: ``sequence`` goes up (the
  calendar's cue to catch up), its deadlines are derived again from the new start, and a postponed
  meeting is scheduled again;
* a meeting that already matches its row is not written, so re-importing a file changes nothing;
* a meeting the file leaves out is never deleted nor changed: a file may cover one term or one area.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from communities import audit
from communities.clock import Clock
from communities.csv_reading import CsvImportError
from communities.db import Database
from communities.meetings.csv_files import MeetingProblem, MeetingRow, RosterFacts, read_meetings
from communities.meetings.tables import (
    Meeting,
    MeetingOffsets,
    MeetingStatus,
    date_text,
    derived_dates,
    local,
)
from communities.roster.csv_files import Progress
from communities.roster.roles import Role
from communities.roster.tables import Community, Membership, Person
from communities.school_days import SchoolCalendar, no_terms_text, not_a_school_day_text
from communities.terms.calendar import load_calendar

__all__ = ["MeetingImportError", "MeetingImportReport", "MeetingProblem", "Progress", "import_meetings"]

SOURCE = "kcc_import"


class MeetingImportError(CsvImportError[MeetingProblem]):
    """The file had problems, so nothing was imported."""

    source = "the meetings file"


@dataclass
class MeetingImportReport:
    """What an import did; :meth:`lines` is the report to print."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    #: The meetings added or updated: the ones the calendar must catch up with.
    changed_ids: list[int] = field(default_factory=list)
    #: One line per updated meeting, saying what changed.
    updates: list[str] = field(default_factory=list)
    #: Header columns the import did not use.
    ignored_columns: list[str] = field(default_factory=list)
    #: Meetings on a day that is not a school day (imported all the same).
    warnings: list[str] = field(default_factory=list)
    #: The academic years of the file's meetings without term dates (``cosbot import meetings``
    #: prints it after the report: school days are then weekdays without bank holidays).
    no_terms: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {"added": self.added, "updated": self.updated, "unchanged": self.unchanged}

    def lines(self) -> list[str]:
        lines = [f"meetings: {self.added} added, {self.updated} updated, {self.unchanged} unchanged"]
        lines += self.updates
        lines += [f"ignored column {column}" for column in self.ignored_columns]
        lines += [f"warning: {warning}" for warning in self.warnings]
        if not self.changed_ids:
            lines.append("Nothing changed: the database already matched this file.")
        return lines


async def import_meetings(
    database: Database,
    path: Path,
    clock: Clock,
    offsets: MeetingOffsets,
    progress: Progress | None = None,
    *,
    actor_person_id: int | None = None,
) -> MeetingImportReport:
    """Import the meetings file at ``path``, all or nothing.

    Raises :class:`MeetingImportError` listing every problem; then nothing is written.
    ``progress(label, done, total)`` is called while the rows are checked.
    """
    now = clock.now()
    async with database.session() as session, session.begin():
        checked = read_meetings(path, await _roster_facts(session), now=now, progress=progress)
        if checked.problems:
            raise MeetingImportError(checked.problems)
        report = MeetingImportReport(ignored_columns=list(checked.ignored_columns))
        await _apply(session, checked.rows, now, offsets, report)
        audit.record(
            session,
            clock,
            actor_person_id=actor_person_id,
            action="meetings.imported",
            entity="meetings",
            entity_id=checked.fingerprint,
            detail=report.counts(),
        )
    return report


async def _roster_facts(session: AsyncSession) -> RosterFacts:
    """Active communities, people, chairs, vice chairs and officers, as the checks need them."""
    communities = (
        await session.exec(select(Community.code, Community.id).where(col(Community.active)))
    ).all()
    people = (await session.exec(select(Person.email, Person.id).where(col(Person.active)))).all()
    roles = (
        await session.exec(
            select(Membership.role, Membership.community_id, Membership.person_id)
            .join(Person, col(Person.id) == col(Membership.person_id))
            .where(
                col(Membership.active),
                col(Person.active),
                col(Membership.role).in_([Role.CHAIR, Role.VICE_CHAIR, Role.OFFICER]),
            )
            .order_by(col(Membership.id))
        )
    ).all()
    chairs: dict[int, int] = {}
    may_chair: defaultdict[int, set[int]] = defaultdict(set)
    officers: set[int] = set()
    for role, community_id, person_id in roles:
        if role == Role.OFFICER:
            officers.add(person_id)
        elif community_id is not None:
            may_chair[community_id].add(person_id)
            if role == Role.CHAIR:
                chairs.setdefault(community_id, person_id)  # the first, should a community have two
    return RosterFacts(
        communities={code: community_id for code, community_id in communities if community_id is not None},
        people={email.lower(): person_id for email, person_id in people if person_id is not None},
        chairs=chairs,
        may_chair={community_id: frozenset(ids) for community_id, ids in may_chair.items()},
        officers=frozenset(officers),
    )


async def _apply(
    session: AsyncSession,
    rows: list[MeetingRow],
    now: datetime,
    offsets: MeetingOffsets,
    report: MeetingImportReport,
) -> None:
    calendar = await load_calendar(session)
    community_ids = {row.community_id for row in rows}
    _warn(rows, calendar, report)
    existing = (
        await session.exec(select(Meeting).where(col(Meeting.community_id).in_(sorted(community_ids))))
    ).all()
    new: list[Meeting] = []
    for row, meeting in match_meetings(rows, existing):
        if meeting is None:
            new.append(_new_meeting(row, now, offsets, calendar))
            report.added += 1
            continue
        changes = _update(meeting, row, now, offsets, calendar)
        if not changes:
            report.unchanged += 1
            continue
        assert meeting.id is not None
        report.updated += 1
        report.changed_ids.append(meeting.id)
        report.updates.append(
            f"updated {row.community_code} {date_text(row.starts_at)}: {'; '.join(changes)}"
        )
    # The updates first: a moved meeting is out of the way before anything is inserted.
    await session.flush()
    session.add_all(new)
    await session.flush()
    report.changed_ids += [meeting.id for meeting in new if meeting.id is not None]


def match_meetings(
    rows: Sequence[MeetingRow], existing: Iterable[Meeting]
) -> list[tuple[MeetingRow, Meeting | None]]:
    """Each row with the meeting it is (None for a new one): by start, else as a move on the same day."""
    meetings = list(existing)
    by_start = {(meeting.community_id, meeting.starts_at): meeting for meeting in meetings}
    plan = {row.row: by_start.get((row.community_id, row.starts_at)) for row in rows}
    named = {(row.community_id, row.starts_at) for row in rows}
    loose_rows: defaultdict[tuple[int, date], list[MeetingRow]] = defaultdict(list)
    for row in rows:
        if plan[row.row] is None:
            loose_rows[(row.community_id, local(row.starts_at).date())].append(row)
    loose_meetings: defaultdict[tuple[int, date], list[Meeting]] = defaultdict(list)
    for meeting in meetings:
        if (
            meeting.community_id,
            meeting.starts_at,
        ) not in named and meeting.status != MeetingStatus.CANCELLED:
            loose_meetings[(meeting.community_id, local(meeting.starts_at).date())].append(meeting)
    for day, day_rows in loose_rows.items():
        day_meetings = loose_meetings.get(day, [])
        if len(day_rows) == 1 and len(day_meetings) == 1:
            plan[day_rows[0].row] = day_meetings[0]
    return [(row, plan[row.row]) for row in rows]


def _warn(rows: Sequence[MeetingRow], calendar: SchoolCalendar, report: MeetingImportReport) -> None:
    """A warning per meeting on a day that is not a school day, and one per year without terms."""
    years: set[str] = set()
    for row in rows:
        day = local(row.starts_at).date()
        odd = not_a_school_day_text(day, calendar)
        if odd is not None:
            report.warnings.append(f"{row.community_code} {date_text(row.starts_at)}: {odd}")
        if not calendar.has_terms(day):
            years.add(no_terms_text(day))
    report.no_terms += sorted(years)


def _new_meeting(
    row: MeetingRow, now: datetime, offsets: MeetingOffsets, calendar: SchoolCalendar
) -> Meeting:
    deadline, publish_by = derived_dates(row.starts_at, offsets, calendar)
    return Meeting(
        community_id=row.community_id,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        location=row.location,
        online=row.online,
        chair_person_id=row.chair_person_id,
        status=MeetingStatus.SCHEDULED,
        submission_deadline=deadline,
        agenda_publish_by=publish_by,
        source=SOURCE,
        sequence=1,
        calendar_synced=0,
        created_at=now,
        updated_at=now,
    )


def _update(
    meeting: Meeting, row: MeetingRow, now: datetime, offsets: MeetingOffsets, calendar: SchoolCalendar
) -> list[str]:
    """Bring ``meeting`` in line with ``row``; returns what changed, in words (empty: untouched)."""
    changes = _changes(meeting, row)
    if not changes:
        return []
    meeting.starts_at, meeting.ends_at = row.starts_at, row.ends_at
    meeting.location, meeting.online = row.location, row.online
    meeting.chair_person_id = row.chair_person_id
    meeting.submission_deadline, meeting.agenda_publish_by = derived_dates(row.starts_at, offsets, calendar)
    meeting.sequence += 1
    meeting.updated_at = now
    if meeting.status == MeetingStatus.POSTPONED:
        meeting.status = MeetingStatus.SCHEDULED
    return changes


def _changes(meeting: Meeting, row: MeetingRow) -> list[str]:
    changes: list[str] = []
    if meeting.starts_at != row.starts_at:
        changes.append(f"moved from {local(meeting.starts_at):%H:%M}")
    if meeting.ends_at != row.ends_at:
        changes.append(f"ends {local(row.ends_at):%H:%M} (was {local(meeting.ends_at):%H:%M})")
    if (meeting.location, meeting.online) != (row.location, row.online):
        was = _place_text(meeting.location, meeting.online)
        changes.append(f"place: {_place_text(row.location, row.online)} (was {was})")
    if meeting.chair_person_id != row.chair_person_id:
        changes.append("a different chair")
    return changes


def _place_text(location: str | None, online: bool) -> str:
    if location is None:
        return "online" if online else "no place given"
    return f"{location} and online" if online else location
