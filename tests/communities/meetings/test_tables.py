"""Meeting rules: London time both ways, DST, derived deadlines, and who may change meetings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from communities.audit import AuditEvent
from communities.clock import FixedClock
from communities.db import Database
from communities.meetings.service import (
    MeetingRefused,
    MeetingTimes,
    cancel,
    move,
    schedule,
)
from communities.meetings.tables import (
    Meeting,
    MeetingOffsets,
    MeetingStatus,
    derived_dates,
    london_wall_time,
    when_text,
)
from communities.requests.lifecycle import RequestStatus
from communities.requests.placement import attach_accepted_requests
from communities.requests.tables import Request
from communities.roster.directory import community_by_code
from communities.roster.tables import School
from tests.support.people import DANIEL, HANNAH, PRIYA, TOM, profile_of

OFFSETS = MeetingOffsets()


def london(text: str) -> datetime:
    return london_wall_time(datetime.fromisoformat(text))


def test_a_16_00_meeting_is_16_00_in_london_in_march_and_october() -> None:
    # Clocks go forward on 28 March 2027 and back on 31 October 2027.
    assert london("2027-03-30 16:00") == datetime(2027, 3, 30, 15, 0, tzinfo=UTC)  # BST
    assert london("2027-03-23 16:00") == datetime(2027, 3, 23, 16, 0, tzinfo=UTC)  # GMT
    assert london("2027-10-26 16:00") == datetime(2027, 10, 26, 15, 0, tzinfo=UTC)  # still BST
    assert london("2027-11-02 16:00") == datetime(2027, 11, 2, 16, 0, tzinfo=UTC)  # GMT again


def test_deadlines_keep_the_london_wall_time_across_a_clock_change() -> None:
    # BST; ten school days before (Good Friday and Easter Monday are bank holidays) is Friday
    # 19 March, still GMT.
    starts = london("2027-04-06 16:00")
    deadline, publish_by = derived_dates(starts, OFFSETS)
    assert deadline == datetime(2027, 3, 19, 16, 0, tzinfo=UTC)  # 16:00 GMT
    assert publish_by == datetime(2027, 3, 30, 15, 0, tzinfo=UTC)  # 16:00 BST, Tuesday 30 March
    autumn = london("2027-11-02 16:00")  # GMT; ten school days before is 19 October, BST
    assert derived_dates(autumn, OFFSETS)[0] == datetime(2027, 10, 19, 15, 0, tzinfo=UTC)


def test_in_calendar_days_a_deadline_on_a_weekend_moves_to_the_friday_before() -> None:
    # Wednesday 3 March 2027: 10 calendar days before is Sunday 21 February.
    calendar_days = MeetingOffsets(timedelta(days=10), timedelta(days=5), school_days=False)
    deadline, publish_by = derived_dates(london("2027-03-03 16:00"), calendar_days)
    assert deadline == datetime(2027, 2, 19, 16, 0, tzinfo=UTC)  # Friday, same 16:00
    assert publish_by == datetime(2027, 2, 26, 16, 0, tzinfo=UTC)  # Friday 26th is a school day


def test_times_that_do_not_exist_or_happen_twice_are_refused_in_words() -> None:
    with pytest.raises(ValueError, match="does not exist in London"):
        london("2027-03-28 01:30")
    with pytest.raises(ValueError, match="happens twice in London"):
        london("2027-10-31 01:30")


def test_offsets_must_leave_the_deadline_before_the_agenda() -> None:
    with pytest.raises(ValueError):
        MeetingOffsets(submission_deadline=timedelta(days=3), agenda_publish_by=timedelta(days=5))


def times(start: str, minutes: int = 90) -> MeetingTimes:
    starts = london(start)
    return MeetingTimes(starts, starts + timedelta(minutes=minutes))


async def add(db: Database, clock: FixedClock, email: str, code: str, start: str) -> Meeting:
    actor = await profile_of(db, email)
    async with db.session() as session:
        community = await community_by_code(session, code)
        assert community is not None
        meeting = await schedule(
            session, clock, actor, community, times(start), location=None, online=True, offsets=OFFSETS
        )
        await session.commit()
    return meeting


async def test_the_chair_adds_moves_and_cancels_a_meeting(demo_db: Database, clock: FixedClock) -> None:
    meeting = await add(demo_db, clock, DANIEL, "CANT1", "2027-03-30 16:00")
    assert meeting.sequence == 1 and meeting.calendar_synced == 0
    assert when_text(meeting) == "Tuesday 30 March 2027, 16:00–17:30"
    daniel = await profile_of(demo_db, DANIEL)
    assert meeting.id is not None
    async with demo_db.session() as session:
        moved = await move(
            session,
            clock,
            daniel,
            meeting.id,
            times("2027-03-31 09:30", 60),
            location="Westgate Meadow Primary School",
            online=False,
            offsets=OFFSETS,
        )
        await session.commit()
    assert (moved.id, moved.sequence, moved.online) == (meeting.id, 2, False)
    assert moved.submission_deadline == london("2027-03-15 09:30")  # 10 school days, over Easter
    async with demo_db.session() as session:
        cancelled = await cancel(session, clock, daniel, meeting.id, "  Snow:  school closed ")
        await session.commit()
    assert cancelled.status == MeetingStatus.CANCELLED and cancelled.sequence == 3
    assert cancelled.cancel_reason == "Snow: school closed"
    async with demo_db.session() as session:
        actions = [e.action for e in (await session.exec(select(AuditEvent))).all()]
    assert {"meeting_added", "meeting_moved", "meeting_cancelled"} <= set(actions)
    async with demo_db.session() as session:
        with pytest.raises(MeetingRefused, match="cancelled already"):
            await cancel(session, clock, daniel, meeting.id, "again")


async def test_another_communitys_chair_and_a_senco_are_refused_and_audited(
    demo_db: Database, clock: FixedClock
) -> None:
    with pytest.raises(MeetingRefused, match="chair or vice chair of CANT1"):
        await add(demo_db, clock, TOM, "CANT1", "2027-03-30 16:00")
    with pytest.raises(MeetingRefused):
        await add(demo_db, clock, HANNAH, "CANT1", "2027-03-30 16:00")
    officer_meeting = await add(demo_db, clock, PRIYA, "CANT1", "2027-03-30 16:00")  # officers may
    tom = await profile_of(demo_db, TOM)
    assert officer_meeting.id is not None
    async with demo_db.session() as session:
        with pytest.raises(MeetingRefused):
            await cancel(session, clock, tom, officer_meeting.id, "not mine")
    async with demo_db.session() as session:
        refused = [e for e in (await session.exec(select(AuditEvent))).all() if e.action.endswith("_refused")]
    assert len(refused) == 3


async def test_past_times_clashes_and_long_meetings_are_refused(demo_db: Database, clock: FixedClock) -> None:
    with pytest.raises(MeetingRefused, match="already passed"):
        await add(demo_db, clock, DANIEL, "CANT1", "2026-11-01 16:00")
    await add(demo_db, clock, DANIEL, "CANT1", "2027-03-30 16:00")
    with pytest.raises(MeetingRefused, match="already has a meeting at that time"):
        await add(demo_db, clock, DANIEL, "CANT1", "2027-03-30 16:00")
    with pytest.raises(MeetingRefused, match="at most 12 hours"):
        times("2027-03-30 08:00", 13 * 60)


async def accepted_request(db: Database, community_id: int, school_id: int, n: int) -> int:
    now = datetime(2026, 11, 20, tzinfo=UTC)
    async with db.session() as session:
        request = Request(
            ref=f"COS-CANT1-26-{n:03d}",
            school_id=school_id,
            community_id=community_id,
            created_by_person_id=1,
            status=RequestStatus.ACCEPTED,
            details={},
            created_at=now,
            updated_at=now,
            submitted_at=now,
        )
        session.add(request)
        await session.commit()
        assert request.id is not None
        return request.id


async def test_an_accepted_request_goes_to_the_next_meeting_whose_deadline_it_meets(
    demo_db: Database, clock: FixedClock
) -> None:
    async with demo_db.session() as session:
        community = await community_by_code(session, "CANT1")
        assert community is not None and community.id is not None
        school = (await session.exec(select(School).where(School.community_id == community.id))).first()
        assert school is not None and school.id is not None
    request_id = await accepted_request(demo_db, community.id, school.id, 1)
    # Too soon: its deadline (26 Nov) has passed by the time the clock reads 27 Nov.
    soon = await add(demo_db, clock, DANIEL, "CANT1", "2026-12-06 16:00")
    later = await add(demo_db, clock, DANIEL, "CANT1", "2027-01-19 16:00")
    async with demo_db.session() as session:
        stored = await session.get(Request, request_id)
        assert stored is not None and stored.meeting_id == soon.id  # deadline 26 Nov is still ahead
    clock.advance(days=4)  # 27 Nov: the December deadline has passed
    daniel = await profile_of(demo_db, DANIEL)
    assert soon.id is not None
    async with demo_db.session() as session:
        await cancel(session, clock, daniel, soon.id, "Chair unwell")
        await session.commit()
    async with demo_db.session() as session:
        stored = await session.get(Request, request_id)
        assert stored is not None and stored.meeting_id == later.id
        assert await attach_accepted_requests(session, community.id, clock.now()) == 0  # already there


async def test_a_meeting_added_on_a_non_school_day_is_kept_with_a_warning_naming_the_day(
    demo_db: Database, clock: FixedClock, tmp_path: Path
) -> None:
    from communities.meetings.service import odd_day_warning
    from communities.terms.importing import import_terms

    saturday = await add(demo_db, clock, DANIEL, "CANT1", "2027-03-06 10:00")
    async with demo_db.session() as session:
        assert await odd_day_warning(session, saturday) == (
            "Saturday 6 March 2027 is not a school day (a Saturday)"
        )
    terms = tmp_path / "terms.csv"
    terms.write_text(
        "academic_year,term,starts_on,ends_on\n"
        "2026-27,Term 3,2027-01-04,2027-02-12\n2026-27,Term 4,2027-02-22,2027-04-01\n"
    )
    await import_terms(demo_db, terms, clock)
    half_term = await add(demo_db, clock, DANIEL, "CANT1", "2027-02-17 16:00")
    weekday = await add(demo_db, clock, DANIEL, "CANT1", "2027-03-03 16:00")
    async with demo_db.session() as session:
        assert await odd_day_warning(session, half_term) == (
            "Wednesday 17 February 2027 is not a school day (in the school holidays)"
        )
        assert await odd_day_warning(session, weekday) is None
    # 10 school days back from Wednesday 3 March skip half term (15 to 19 February).
    assert weekday.submission_deadline == london("2027-02-10 16:00")
    assert weekday.agenda_publish_by == london("2027-02-24 16:00")
