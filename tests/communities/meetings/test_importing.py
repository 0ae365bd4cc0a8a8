"""The meetings import against a real database with the demo roster: all or nothing, and idempotent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update
from sqlmodel import col, select

from communities.audit import AuditEvent
from communities.clock import FixedClock
from communities.db import Database
from communities.meetings.importing import MeetingImportError, MeetingImportReport, import_meetings
from communities.meetings.tables import LONDON, Meeting, MeetingOffsets, MeetingStatus
from communities.roster.roles import Role
from communities.roster.tables import Community, Membership, Person

DEMO_MEETINGS = Path(__file__).resolve().parents[3] / "communities" / "demo" / "meetings.csv"
HEADER = "community_code,starts_at,ends_at,location,chair_email\n"
DANIEL = "daniel.okafor@westgate-demo.example.org"  # chair of CANT1
GRACE = "grace.li@stdunstans-demo.example.org"  # vice chair of CANT1
HANNAH = "hannah.reid@westgate-demo.example.org"  # a SENCO
PRIYA = "priya.shah@kent-demo.example.org"  # an officer
TOM = "tom.walsh@ramsgate-demo.example.org"  # chair of THAN2


def meetings_file(tmp_path: Path, *rows: str, name: str = "meetings.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + "".join(f"{row}\n" for row in rows))
    return path


async def run(db: Database, path: Path, clock: FixedClock) -> MeetingImportReport:
    return await import_meetings(db, path, clock, MeetingOffsets())


async def problems_of(db: Database, path: Path, clock: FixedClock) -> list[str]:
    with pytest.raises(MeetingImportError) as raised:
        await run(db, path, clock)
    return [str(problem) for problem in raised.value.problems]


async def meetings(db: Database) -> list[Meeting]:
    async with db.session() as session:
        return list((await session.exec(select(Meeting).order_by(col(Meeting.id)))).all())


async def snapshot(db: Database) -> list[dict[str, Any]]:
    return [{name: getattr(meeting, name) for name in Meeting.model_fields} for meeting in await meetings(db)]


async def person_id(db: Database, email: str) -> int:
    async with db.session() as session:
        person = (await session.exec(select(Person).where(Person.email == email))).one()
    assert person.id is not None
    return person.id


async def community_id(db: Database, code: str) -> int:
    async with db.session() as session:
        community = (await session.exec(select(Community).where(Community.code == code))).one()
    assert community.id is not None
    return community.id


def utc(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# --- new meetings -----------------------------------------------------------------------------------


async def test_a_new_meeting_is_stored_as_the_file_says(
    demo_db: Database, clock: FixedClock, tmp_path: Path
) -> None:
    path = meetings_file(tmp_path, "CANT1,03/03/2027 16:00,90m,Teams + Westgate Meadow Primary School,")
    report = await run(demo_db, path, clock)
    [meeting] = await meetings(demo_db)
    assert report.lines() == ["meetings: 1 added, 0 updated, 0 unchanged"]
    assert report.changed_ids == [meeting.id]
    assert meeting.community_id == await community_id(demo_db, "CANT1")
    assert (meeting.starts_at, meeting.ends_at) == (utc(2027, 3, 3, 16, 0), utc(2027, 3, 3, 17, 30))
    assert (meeting.online, meeting.location) == (True, "Westgate Meadow Primary School")
    assert meeting.chair_person_id == await person_id(demo_db, DANIEL)
    assert (meeting.status, meeting.source, meeting.sequence, meeting.calendar_synced) == (
        MeetingStatus.SCHEDULED,
        "kcc_import",
        1,
        0,
    )
    # 10 and 5 school days before (10 calendar days would be Sunday 21 February).
    assert meeting.submission_deadline == utc(2027, 2, 17, 16, 0)
    assert meeting.agenda_publish_by == utc(2027, 2, 24, 16, 0)
    assert meeting.created_at == meeting.updated_at == clock.now()


@pytest.mark.parametrize(
    ("typed", "starts_at", "deadline"),
    [
        # Tuesday 30 March 2027, after the clocks go forward (28 March): BST; the deadline is in GMT.
        ("2027-03-30 16:00", utc(2027, 3, 30, 15, 0), utc(2027, 3, 12, 16, 0)),
        # Tuesday 27 October 2026, after the clocks go back (25 October): GMT; the deadline is in BST.
        ("2026-10-27 16:00", utc(2026, 10, 27, 16, 0), utc(2026, 10, 13, 15, 0)),
    ],
)
async def test_a_16_00_meeting_and_its_deadline_stay_at_16_00_london_across_a_clock_change(
    demo_db: Database,
    clock: FixedClock,
    tmp_path: Path,
    typed: str,
    starts_at: datetime,
    deadline: datetime,
) -> None:
    await run(demo_db, meetings_file(tmp_path, f"THAN2,{typed},1h30m,Teams,"), clock)
    [meeting] = await meetings(demo_db)
    assert meeting.starts_at == starts_at
    assert meeting.ends_at - meeting.starts_at == timedelta(minutes=90)
    assert meeting.submission_deadline == deadline
    assert meeting.starts_at - meeting.submission_deadline != timedelta(days=10)  # 10 London days, not 240h
    for moment in (meeting.starts_at, meeting.submission_deadline, meeting.agenda_publish_by):
        assert f"{moment.astimezone(LONDON):%H:%M}" == "16:00"


@pytest.mark.parametrize(
    ("ends_at", "length"),
    [("17:15", timedelta(minutes=75)), ("90m", timedelta(minutes=90)), ("2h", timedelta(hours=2))],
)
async def test_durations_and_end_times(
    demo_db: Database, clock: FixedClock, tmp_path: Path, ends_at: str, length: timedelta
) -> None:
    await run(demo_db, meetings_file(tmp_path, f"MAID1,2027-06-17 16:00,{ends_at},,"), clock)
    [meeting] = await meetings(demo_db)
    assert meeting.ends_at - meeting.starts_at == length


# --- the chair --------------------------------------------------------------------------------------


async def test_the_chair_is_the_one_named_or_else_the_communitys_current_chair(
    demo_db: Database, clock: FixedClock, tmp_path: Path
) -> None:
    path = meetings_file(
        tmp_path,
        "CANT1,2027-01-20 16:00,90m,,",
        f"CANT1,2027-03-03 16:00,90m,,{GRACE.upper()}",
        f"THAN2,2027-03-03 16:00,90m,,{PRIYA}",
    )
    await run(demo_db, path, clock)
    assert [meeting.chair_person_id for meeting in await meetings(demo_db)] == [
        await person_id(demo_db, DANIEL),
        await person_id(demo_db, GRACE),
        await person_id(demo_db, PRIYA),
    ]


async def test_a_community_without_an_active_chair_gets_no_chair(
    demo_db: Database, clock: FixedClock, tmp_path: Path
) -> None:
    tom = await person_id(demo_db, TOM)
    async with demo_db.session() as session:
        await session.exec(
            update(Membership)
            .where(col(Membership.person_id) == tom, col(Membership.role) == Role.CHAIR)
            .values(active=False)
        )
        await session.commit()
    await run(demo_db, meetings_file(tmp_path, "THAN2,2027-03-03 16:00,90m,,"), clock)
    assert [meeting.chair_person_id for meeting in await meetings(demo_db)] == [None]
    assert await problems_of(
        demo_db, meetings_file(tmp_path, f"THAN2,2027-04-21 16:00,90m,,{TOM}"), clock
    ) == [f"meetings.csv:2: chair_email: '{TOM}' is not the chair or vice chair of THAN2, nor an officer"]


# --- all or nothing ---------------------------------------------------------------------------------


async def test_a_file_with_problems_names_every_row_and_writes_nothing(
    demo_db: Database, clock: FixedClock, tmp_path: Path
) -> None:
    await run(demo_db, meetings_file(tmp_path, "CANT1,2027-03-03 16:00,90m,Online,", name="first.csv"), clock)
    before = await snapshot(demo_db)
    clock.advance(days=1)
    bad = meetings_file(
        tmp_path,
        "CANT1,2027-03-03 15:30,90m,Westgate Meadow Primary School,",  # fine: a move
        "THAN2,2027-05-05 16:00,90m,,",  # fine: new
        "KENT9,2027-05-05 16:00,90m,,",
        f"MAID1,2027-05-05 16:00,90m,,{HANNAH}",
        "MAID1,2027-03-28 01:30,90m,,",
        "MAID1,2027-10-31 01:30,90m,,",
        "THAN2,05/05/2027 16:00,2h,,",
        "THAN2,2027-06-09 16:00,13h,,",
        "THAN2,2027-06-16 16:00,15:00,,",
        "THAN2,2030-06-09 16:00,90m,,",
    )
    assert await problems_of(demo_db, bad, clock) == [
        "meetings.csv:4: community_code: unknown community 'KENT9'; "
        "it is not an active community in the roster",
        f"meetings.csv:5: chair_email: '{HANNAH}' is not the chair or vice chair of MAID1, nor an officer",
        "meetings.csv:6: starts_at: 28 Mar 2027 01:30 does not exist in London (the clocks go forward)",
        "meetings.csv:7: starts_at: 31 Oct 2027 01:30 happens twice in London (the clocks go back)",
        "meetings.csv:8: starts_at: THAN2 already has a meeting at Wednesday 5 May 2027, 16:00 on row 3",
        "meetings.csv:9: ends_at: the meeting would last 13h00m; more than 12 hours is taken for a typo",
        "meetings.csv:10: ends_at: ends Wednesday 16 June 2027, 15:00, which is not after the start "
        "(Wednesday 16 June 2027, 16:00)",
        "meetings.csv:11: starts_at: Sunday 9 June 2030, 16:00 is more than 3 years ahead; check the year",
    ]
    assert await snapshot(demo_db) == before
    async with demo_db.session() as session:
        audited = (await session.exec(select(AuditEvent.action))).all()
    assert audited.count("meetings.imported") == 1


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (
            "community_code,starts_at,location,chair_email\nCANT1,2027-03-03 16:00,,\n",
            "header: missing column 'ends_at'",
        ),
        ((HEADER + "CANT1,2027-03-03 16:00,90m,Caf\xe9,\n").encode("latin-1"), "bad encoding: not UTF-8"),
    ],
)
async def test_a_file_that_cannot_be_read_writes_nothing(
    demo_db: Database, clock: FixedClock, tmp_path: Path, content: str | bytes, problem: str
) -> None:
    path = tmp_path / "meetings.csv"
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    with pytest.raises(MeetingImportError) as raised:
        await run(demo_db, path, clock)
    assert f"meetings.csv: {problem}" in str(raised.value)
    assert str(raised.value).startswith("1 problem in the meetings file; nothing was imported")
    assert await meetings(demo_db) == []


# --- re-imports -------------------------------------------------------------------------------------


async def test_importing_the_same_file_again_changes_nothing(
    demo_db: Database, clock: FixedClock, tmp_path: Path
) -> None:
    first = await run(demo_db, DEMO_MEETINGS, clock)
    assert (first.added, len(first.changed_ids)) == (10, 10)
    before = await snapshot(demo_db)
    clock.advance(days=3)
    again = await run(demo_db, DEMO_MEETINGS, clock)
    assert again.lines() == [
        "meetings: 0 added, 0 updated, 10 unchanged",
        "Nothing changed: the database already matched this file.",
    ]
    assert again.changed_ids == []
    assert await snapshot(demo_db) == before


async def test_a_new_time_on_the_same_day_moves_the_same_meeting(
    demo_db: Database, clock: FixedClock, tmp_path: Path
) -> None:
    await run(
        demo_db,
        meetings_file(tmp_path, "CANT1,2027-03-03 16:00,90m,,", "CANT1,2027-05-12 16:00,90m,,"),
        clock,
    )
    [march, may] = await meetings(demo_db)
    clock.advance(days=2)
    moved = meetings_file(tmp_path, "CANT1,2027-03-03 15:30,17:00,,", "CANT1,2027-05-12 16:00,90m,,")
    report = await run(demo_db, moved, clock)
    assert report.lines() == [
        "meetings: 0 added, 1 updated, 1 unchanged",
        "updated CANT1 Wednesday 3 March 2027, 15:30: moved from 16:00; ends 17:00 (was 17:30)",
    ]
    assert report.changed_ids == [march.id]
    [after, may_after] = await meetings(demo_db)
    assert after.id == march.id and after.sequence == 2
    assert (after.starts_at, after.ends_at) == (utc(2027, 3, 3, 15, 30), utc(2027, 3, 3, 17, 0))
    assert after.submission_deadline == utc(2027, 2, 17, 15, 30)
    assert after.updated_at == clock.now() and after.created_at == march.created_at
    assert may_after == may  # untouched
    assert (await run(demo_db, moved, clock)).changed_ids == []


async def test_a_changed_end_place_or_chair_updates_and_a_postponed_meeting_is_scheduled_again(
    demo_db: Database, clock: FixedClock, tmp_path: Path
) -> None:
    await run(demo_db, meetings_file(tmp_path, "CANT1,2027-03-03 16:00,90m,Online,"), clock)
    async with demo_db.session() as session:
        await session.exec(update(Meeting).values(status=MeetingStatus.POSTPONED))
        await session.commit()
    changed = meetings_file(tmp_path, f"CANT1,2027-03-03 16:00,2h,Harbledown Park Academy / Teams,{GRACE}")
    report = await run(demo_db, changed, clock)
    assert report.lines() == [
        "meetings: 0 added, 1 updated, 0 unchanged",
        "updated CANT1 Wednesday 3 March 2027, 16:00: ends 18:00 (was 17:30); "
        "place: Harbledown Park Academy and online (was online); a different chair",
    ]
    [meeting] = await meetings(demo_db)
    assert (meeting.sequence, meeting.status) == (2, MeetingStatus.SCHEDULED)
    assert (meeting.location, meeting.online) == ("Harbledown Park Academy", True)
    assert meeting.chair_person_id == await person_id(demo_db, GRACE)


async def test_meetings_left_out_of_a_file_are_kept_and_another_day_is_another_meeting(
    demo_db: Database, clock: FixedClock, tmp_path: Path
) -> None:
    await run(
        demo_db,
        meetings_file(tmp_path, "CANT1,2027-03-03 16:00,90m,,", "THAN2,2027-03-03 16:00,90m,,"),
        clock,
    )
    before = await snapshot(demo_db)
    report = await run(demo_db, meetings_file(tmp_path, "CANT1,2027-03-04 16:00,90m,,"), clock)
    assert report.lines() == ["meetings: 1 added, 0 updated, 0 unchanged"]
    after = await snapshot(demo_db)
    assert after[:2] == before and len(after) == 3


async def test_a_move_is_only_taken_when_it_is_unambiguous(
    demo_db: Database, clock: FixedClock, tmp_path: Path
) -> None:
    await run(demo_db, meetings_file(tmp_path, "CANT1,2027-03-03 16:00,90m,,"), clock)
    # Two new times that day: which one is the old meeting? Neither; both are added.
    two = meetings_file(tmp_path, "CANT1,2027-03-03 09:30,90m,,", "CANT1,2027-03-03 13:00,90m,,")
    assert (await run(demo_db, two, clock)).lines() == ["meetings: 2 added, 0 updated, 0 unchanged"]
    assert len(await meetings(demo_db)) == 3


async def test_a_cancelled_meeting_is_not_moved(demo_db: Database, clock: FixedClock, tmp_path: Path) -> None:
    await run(demo_db, meetings_file(tmp_path, "CANT1,2027-03-03 16:00,90m,,"), clock)
    async with demo_db.session() as session:
        await session.exec(update(Meeting).values(status=MeetingStatus.CANCELLED))
        await session.commit()
    report = await run(demo_db, meetings_file(tmp_path, "CANT1,2027-03-03 17:00,90m,,"), clock)
    assert report.added == 1
    assert [meeting.status for meeting in await meetings(demo_db)] == [
        MeetingStatus.CANCELLED,
        MeetingStatus.SCHEDULED,
    ]
