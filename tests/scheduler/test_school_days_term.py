"""A term with term dates loaded, driven by the injected clock: deadlines fall on school days, and
nothing is posted to a channel on a weekend, a bank holiday or in the holidays, except the morning
reminder of a meeting that really is on that day.

Kent-like autumn 2026 (Term 1 to 23 October, half term, Term 2 from 2 November with an INSET day
on Monday 2 November). The clock moves from one stored ``next_run_time`` to the next and the real
jobs run from the real job store; the assertions are on the real outbox rows. Dates by hand.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlmodel import col, select

import scheduler.tables  # noqa: F401  (registers the scheduler's tables before the db fixture creates them)
from communities.clock import FixedClock
from communities.db import Database
from communities.meetings.importing import import_meetings
from communities.meetings.tables import LONDON, Meeting, MeetingOffsets
from communities.messaging.outbox import DeliveryKind, Outbox, OutboxMessage
from communities.roster.importing import import_roster
from communities.roster.tables import Community, Person
from communities.school_days import SchoolCalendar, Term
from communities.terms.importing import import_terms
from tests.conftest import DEMO_ROSTER
from tests.scheduler.test_term import World, service_for
from tests.support.linked_channels import community_channel
from tests.support.people import DANIEL, HANNAH, PRIYA, TOM, personal_chat

START = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
END = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)

TERMS_CSV = """academic_year,term,starts_on,ends_on
2026-27,Term 1,2026-09-02,2026-10-23
2026-27,Term 2,2026-11-02,2026-12-18
2026-27,inset,2026-11-02,
"""
#: The same terms, as the test's own reckoning of school days.
TERMS = SchoolCalendar(
    (
        Term(2026, "Term 1", date(2026, 9, 2), date(2026, 10, 23)),
        Term(2026, "Term 2", date(2026, 11, 2), date(2026, 12, 18)),
    ),
    frozenset({date(2026, 11, 2)}),
)

MEETINGS_CSV = """community_code,starts_at,ends_at,location,chair_email
CANT1,2026-11-03 16:00,17:30,Online,
THAN2,2026-10-12 15:45,17:15,Teams,
THAN2,2026-11-14 10:00,11:00,Teams,
"""


async def build(db: Database, clock: FixedClock, tmp_path: Path) -> World:
    await import_roster(db, DEMO_ROSTER, clock)
    (tmp_path / "terms.csv").write_text(TERMS_CSV)
    await import_terms(db, tmp_path / "terms.csv", clock)
    (tmp_path / "meetings.csv").write_text(MEETINGS_CSV)
    report = await import_meetings(db, tmp_path / "meetings.csv", clock, MeetingOffsets())
    assert report.warnings == [
        "THAN2 Saturday 14 November 2026, 10:00: Saturday 14 November 2026 is not a school day (a Saturday)"
    ]
    async with db.session() as session:
        people = {p.email: p.id for p in (await session.exec(select(Person))).all() if p.id is not None}
        for email in (PRIYA, DANIEL, HANNAH, TOM):
            session.add(personal_chat(people[email], email, clock.now()))
        for community in (await session.exec(select(Community))).all():
            assert community.id is not None
            session.add(community_channel(community.id, community.code, people[PRIYA], clock.now()))
        await session.commit()
        found = (await session.exec(select(Meeting, Community).join(Community))).all()
        meetings = {
            (c.code, m.starts_at.astimezone(LONDON).strftime("%m-%d")): m.id for m, c in found if m.id
        }
    return World(db, clock, people, meetings)


async def test_deadlines_fall_on_school_days_and_nothing_posts_out_of_school(
    db: Database, tmp_path: Path
) -> None:
    clock = FixedClock(START)
    world = await build(db, clock, tmp_path)
    async with db.session() as session:
        stored = {m.id: m for m in (await session.exec(select(Meeting))).all()}
    cant1 = stored[world.meetings[("CANT1", "11-03")]]
    # Tuesday 3 November: 10 school days back skips the INSET day (2 November) and half term:
    # Fri 23, Thu 22, Wed 21, Tue 20, Mon 19, Fri 16, Thu 15, Wed 14, Tue 13, Mon 12 October.
    assert cant1.submission_deadline == datetime(2026, 10, 12, 15, 0, tzinfo=UTC)  # 16:00 BST
    assert cant1.agenda_publish_by == datetime(2026, 10, 19, 15, 0, tzinfo=UTC)  # 5 school days back
    for meeting in stored.values():
        for moment in (meeting.submission_deadline, meeting.agenda_publish_by):
            assert TERMS.is_school_day(moment.astimezone(LONDON).date()), (meeting.id, moment)

    service = service_for(world, Outbox(clock))
    await service.start()
    await asyncio.wait_for(service.until_leading(), 10)
    while (target := await service.next_run_time()) is not None and target < END:
        clock.advance(seconds=max(0.0, (target - clock.now()).total_seconds()))
        await service.run_due()
    await service.stop()

    async with db.session() as session:
        rows = (await session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id)))).all()
    posts = [
        r for r in rows if r.kind == DeliveryKind.NEW_THREAD and r.idempotency_key.startswith("timeline:")
    ]
    posted_on = {r.idempotency_key: r.created_at.astimezone(LONDON) for r in posts}
    cant1_key = f"timeline:{cant1.id}"
    saturday = world.meetings[("THAN2", "11-14")]
    # CANT1's day-before reminder for Tuesday 3 November: Monday is an INSET day and half term
    # precedes it, so it goes out on Friday 23 October at 09:00 BST.
    assert posted_on[f"{cant1_key}:meeting_reminder_day_before:1"] == datetime(2026, 10, 23, 9, tzinfo=LONDON)
    # Every channel post is on a school day, but the morning reminder of the Saturday meeting.
    out_of_school = sorted(key for key, at in posted_on.items() if not TERMS.is_school_day(at.date()))
    assert out_of_school == [f"timeline:{saturday}:meeting_reminder_morning:1"]
    assert posted_on[out_of_school[0]] == datetime(2026, 11, 14, 8, 0, tzinfo=LONDON)
    assert len(posts) >= 8
    # Reminders by DM follow the same rule: nothing on a weekend or in half term.
    dms = [r for r in rows if r.kind == DeliveryKind.SEND and r.idempotency_key.startswith("timeline:")]
    odd = [r.idempotency_key for r in dms if not TERMS.is_school_day(r.created_at.astimezone(LONDON).date())]
    assert odd == []
    assert clock.now() - START > timedelta(days=60)
