"""Attendance starts from the answers to the reminder card; the chair corrects it; quorum follows."""

from __future__ import annotations

import pytest

from communities.clock import FixedClock
from communities.db import Database
from communities.meetings.rsvp import RsvpAnswer, answer
from communities.outcomes.access import OutcomeRefused
from communities.outcomes.attendance import Mark, attendance, attendance_tally, save_attendance
from communities.outcomes.tables import AttendanceStatus
from tests.support.meetings import add_meeting
from tests.support.outcomes import MEETING_AT, as_person, person_id
from tests.support.people import DANIEL, GRACE, HANNAH, TOM


async def answered_meeting(db: Database, clock: FixedClock) -> int:
    meeting_id = await add_meeting(db, clock, "CANT1", MEETING_AT)
    for email, said in (
        (GRACE, RsvpAnswer.ATTENDING),
        (HANNAH, RsvpAnswer.COLLEAGUE),
        (DANIEL, RsvpAnswer.APOLOGIES),
    ):
        await as_person(db, email, lambda s, a, said=said: answer(s, clock, meeting_id, a, said))
    clock.advance(days=18)
    return meeting_id


async def test_attendance_starts_from_the_answers(demo_db: Database, clock: FixedClock) -> None:
    meeting_id = await answered_meeting(demo_db, clock)
    async with demo_db.session() as session:
        lines = {line.name: line for line in await attendance(session, meeting_id)}
        counted = await attendance_tally(session, meeting_id)
    assert lines["Grace Li"].status is AttendanceStatus.PRESENT and lines["Grace Li"].chairs
    assert lines["Hannah Reid"].status is AttendanceStatus.APOLOGIES and lines["Hannah Reid"].sent_colleague
    assert lines["Daniel Okafor"].status is AttendanceStatus.APOLOGIES
    assert not any(line.saved for line in lines.values())
    # The vice chair and 2 of 4 schools (St Dunstan's; Westgate by Hannah's colleague): quorate.
    assert (counted.attending, counted.apologies, counted.colleague) == (1, 1, 1)
    assert counted.schools_represented == 2 and counted.quorate


async def test_the_chair_corrects_it_and_the_quorum_follows(demo_db: Database, clock: FixedClock) -> None:
    meeting_id = await answered_meeting(demo_db, clock)
    hannah = await person_id(demo_db, HANNAH)
    lines = await as_person(
        demo_db,
        GRACE,
        lambda s, a: save_attendance(s, clock, a, meeting_id, {hannah: Mark(AttendanceStatus.ABSENT)}),
    )
    assert all(line.saved for line in lines)
    async with demo_db.session() as session:
        counted = await attendance_tally(session, meeting_id)
    assert counted.schools_represented == 1 and not counted.quorate
    assert counted.needs() == "the chair or vice chair and 2 of 4 schools"
    # A late answer no longer changes what was saved.
    async with demo_db.session() as session:
        again = {line.name: line for line in await attendance(session, meeting_id)}
    assert again["Hannah Reid"].status is AttendanceStatus.ABSENT


async def test_only_the_communitys_chairs_and_officers_record_attendance_and_only_for_members(
    demo_db: Database, clock: FixedClock
) -> None:
    meeting_id = await answered_meeting(demo_db, clock)
    with pytest.raises(OutcomeRefused, match="Only the chair or vice chair of CANT1"):
        await as_person(demo_db, TOM, lambda s, a: save_attendance(s, clock, a, meeting_id, {}))
    tom = await person_id(demo_db, TOM)
    with pytest.raises(OutcomeRefused, match="the community's members only"):
        await as_person(
            demo_db,
            GRACE,
            lambda s, a: save_attendance(s, clock, a, meeting_id, {tom: Mark(AttendanceStatus.PRESENT)}),
        )
