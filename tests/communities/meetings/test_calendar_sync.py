"""Keeping a calendar in step with the meetings table: create, move, cancel, refusals, roster changes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import select

from communities.clock import FixedClock
from communities.db import Database
from communities.meetings.calendar import Attendee, CalendarEntry, CalendarError, EventSpec
from communities.meetings.calendar_sync import attendees_of, refresh_attendees, sync_meetings
from communities.meetings.service import MeetingTimes, cancel, move, schedule
from communities.meetings.tables import Meeting, MeetingOffsets, london_wall_time
from communities.roster.directory import community_by_code
from communities.roster.tables import Membership, Person
from scheduler.calendars.local import LocalCalendar
from tests.support.people import DANIEL, profile_of


@dataclass
class RecordingCalendar:
    """A calendar that remembers what it was asked, and can refuse like Graph does."""

    calls: list[tuple[str, str]] = field(default_factory=list)
    attendees: dict[str, tuple[Attendee, ...]] = field(default_factory=dict)
    refuse: CalendarError | None = None

    async def create(self, spec: EventSpec) -> CalendarEntry:
        self._maybe_refuse()
        self.calls.append(("create", spec.key))
        self.attendees[spec.key] = spec.attendees
        return CalendarEntry(f"evt-{spec.key}", f"uid-{spec.key}", "https://teams.example/join/1")

    async def update(self, event_id: str, spec: EventSpec) -> CalendarEntry:
        self._maybe_refuse()
        self.calls.append(("update", event_id))
        return CalendarEntry(event_id, f"uid-{spec.key}", "https://teams.example/join/1")

    async def set_attendees(self, event_id: str, attendees: tuple[Attendee, ...]) -> None:
        self._maybe_refuse()
        self.calls.append(("attendees", event_id))
        self.attendees[event_id] = attendees

    async def cancel(self, event_id: str, message: str) -> None:
        self._maybe_refuse()
        self.calls.append(("cancel", f"{event_id}: {message}"))

    async def close(self) -> None:
        pass

    def _maybe_refuse(self) -> None:
        if self.refuse is not None:
            raise self.refuse


def start(text: str) -> MeetingTimes:
    starts = london_wall_time(datetime.fromisoformat(text))
    return MeetingTimes(starts, starts + timedelta(minutes=90))


async def add_meeting(db: Database, clock: FixedClock) -> int:
    daniel = await profile_of(db, DANIEL)
    async with db.session() as session:
        community = await community_by_code(session, "CANT1")
        assert community is not None
        meeting = await schedule(
            session,
            clock,
            daniel,
            community,
            start("2027-01-19 16:00"),
            location=None,
            online=True,
            offsets=MeetingOffsets(),
        )
        await session.commit()
        assert meeting.id is not None
        return meeting.id


async def stored(db: Database, meeting_id: int) -> Meeting:
    async with db.session() as session:
        meeting = await session.get(Meeting, meeting_id)
        assert meeting is not None
        return meeting


async def test_the_members_are_invited_and_the_event_ids_and_join_link_are_kept(
    demo_db: Database, clock: FixedClock
) -> None:
    meeting_id = await add_meeting(demo_db, clock)
    calendar = RecordingCalendar()
    report = await sync_meetings(demo_db, calendar)
    assert report.synced == 1 and not report.problems
    key = f"cos-meeting-{meeting_id}"
    assert calendar.calls == [("create", key)]
    invited = {a.name for a in calendar.attendees[key]}
    assert {"Daniel Okafor", "Grace Li", "Hannah Reid"} <= invited  # chair, vice chair, SENCO
    assert "Priya Shah" not in invited  # the officer is not a member
    meeting = await stored(demo_db, meeting_id)
    assert (meeting.calendar_event_id, meeting.join_url) == (f"evt-{key}", "https://teams.example/join/1")
    assert meeting.calendar_synced == meeting.sequence
    assert (await sync_meetings(demo_db, calendar)).synced == 0  # nothing is behind any more


async def test_a_move_is_an_update_of_the_same_event_and_a_cancel_cancels_it(
    demo_db: Database, clock: FixedClock
) -> None:
    meeting_id = await add_meeting(demo_db, clock)
    calendar = RecordingCalendar()
    await sync_meetings(demo_db, calendar)
    daniel = await profile_of(demo_db, DANIEL)
    async with demo_db.session() as session:
        await move(
            session,
            clock,
            daniel,
            meeting_id,
            start("2027-01-20 16:00"),
            location="Hall",
            online=True,
            offsets=MeetingOffsets(),
        )
        await session.commit()
    await sync_meetings(demo_db, calendar)
    event = f"evt-cos-meeting-{meeting_id}"
    assert calendar.calls[1:] == [("update", event), ("attendees", event)]
    async with demo_db.session() as session:
        await cancel(session, clock, daniel, meeting_id, "Snow")
        await session.commit()
    await sync_meetings(demo_db, calendar)
    assert calendar.calls[-1] == ("cancel", f"{event}: Snow")


async def test_a_refusal_is_kept_in_words_and_the_meeting_stays_due(
    demo_db: Database, clock: FixedClock
) -> None:
    meeting_id = await add_meeting(demo_db, clock)
    calendar = RecordingCalendar(
        refuse=CalendarError("The mailbox was not found.", permanent=True, status=404)
    )
    report = await sync_meetings(demo_db, calendar)
    assert report.synced == 0
    [(code, _when, problem)] = report.problems
    assert (code, problem) == ("CANT1", "The mailbox was not found.")
    assert "CANT1" in report.lines()[1] and "mailbox was not found" in report.lines()[1]
    meeting = await stored(demo_db, meeting_id)
    assert meeting.calendar_problem == "The mailbox was not found." and meeting.calendar_synced == 0
    calendar.refuse = None
    assert (await sync_meetings(demo_db, calendar)).synced == 1
    assert (await stored(demo_db, meeting_id)).calendar_problem is None


async def test_a_roster_change_updates_attendees_only(demo_db: Database, clock: FixedClock) -> None:
    meeting_id = await add_meeting(demo_db, clock)
    calendar = RecordingCalendar()
    await sync_meetings(demo_db, calendar)
    async with demo_db.session() as session:
        hannah = (await session.exec(select(Person).where(Person.display_name == "Hannah Reid"))).one()
        await session.execute(
            update(Membership).where(Membership.person_id == hannah.id).values(active=False)
        )
        await session.commit()
    report = await refresh_attendees(demo_db, calendar)
    event = f"evt-cos-meeting-{meeting_id}"
    assert report.synced == 1 and calendar.calls[-1] == ("attendees", event)
    assert "Hannah Reid" not in {a.name for a in calendar.attendees[event]}
    assert not any(call[0] in ("create", "update") for call in calendar.calls[1:])


async def test_the_local_calendar_gives_stable_ids(demo_db: Database, clock: FixedClock) -> None:
    meeting_id = await add_meeting(demo_db, clock)
    await sync_meetings(demo_db, LocalCalendar())
    meeting = await stored(demo_db, meeting_id)
    assert meeting.calendar_event_id == f"cos-meeting-{meeting_id}"
    assert meeting.ical_uid == f"cos-meeting-{meeting_id}@cosbot.invalid"
    community_id = meeting.community_id
    assert len(await attendees_of(demo_db, community_id)) >= 3
