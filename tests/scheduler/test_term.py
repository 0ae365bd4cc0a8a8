"""The timeline over a whole term for two communities, driven by the injected clock.

The autumn term 2026 (1 September to 18 December) for CANT1 and THAN2 of the demo roster: meeting
dates imported on 31 August, drafts started and withdrawn, declarations confirmed, a meeting moved,
one cancelled (by "another process": nobody tells the scheduler), one added late, the clocks going
back on 25 October, and the service restarted (a new instance on the same database) at the very
moment a reminder is due.

The clock moves from one stored ``next_run_time`` to the next and :meth:`SchedulerService.run_due`
runs the real job functions from the real job store; the assertions are on the real outbox rows:
every message, at its London time (written out by hand below), exactly once, and nothing else.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import col, select

import scheduler.tables  # noqa: F401  (registers the scheduler's tables before the db fixture creates them)
from communities.clock import FixedClock
from communities.db import Database
from communities.declarations import register as declarations
from communities.meetings import service as meeting_service
from communities.meetings.importing import import_meetings
from communities.meetings.service import MeetingTimes
from communities.meetings.tables import LONDON, Meeting, MeetingOffsets
from communities.messaging.outbox import DeliveryKind, Outbox, OutboxMessage
from communities.messaging.teams_links import PersonalChat
from communities.requests import service as request_service
from communities.roster.importing import import_roster
from communities.roster.tables import Community, Person, School
from scheduler import jobs
from scheduler.service import SchedulerService
from scheduler.tables import TimelineRun
from tests.conftest import DEMO_ROSTER
from tests.support.linked_channels import community_channel
from tests.support.people import DANIEL, GRACE, HANNAH, PRIYA, TOM, personal_chat, profile_of

START = datetime(2026, 8, 31, 15, 0, tzinfo=UTC)
END = datetime(2026, 12, 19, 0, 0, tzinfo=UTC)
RESTART_AT = datetime(2026, 10, 26, 9, 0, tzinfo=UTC)  # THAN2's day-before reminder, just after the change

MEETINGS_CSV = """community_code,starts_at,ends_at,location,chair_email
CANT1,2026-09-30 16:00,17:30,Online,
CANT1,2026-11-10 16:00,17:30,Online,
CANT1,2026-12-09 16:00,17:30,Online,
THAN2,2026-10-08 15:45,17:15,Ramsgate Cliffs Primary Academy,
THAN2,2026-10-27 15:45,17:15,Teams,
THAN2,2026-12-03 15:45,17:15,Teams,
"""


def utc(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


@dataclass
class World:
    db: Database
    clock: FixedClock
    people: dict[str, int]
    #: (community code, London start "MM-DD") -> meeting id
    meetings: dict[tuple[str, str], int]


async def build_world(db: Database, clock: FixedClock, tmp_path: Path) -> World:
    await import_roster(db, DEMO_ROSTER, clock)
    csv = tmp_path / "autumn.csv"
    csv.write_text(MEETINGS_CSV)
    await import_meetings(db, csv, clock, MeetingOffsets())
    async with db.session() as session:
        people = {p.email: p.id for p in (await session.exec(select(Person))).all() if p.id is not None}
        # Everyone but Amara (MAID1, never opened a chat) can get a direct message.
        for email in (PRIYA, DANIEL, GRACE, HANNAH, TOM):
            session.add(personal_chat(people[email], email, clock.now()))
        communities = {c.code: c for c in (await session.exec(select(Community))).all()}
        for code in ("CANT1", "THAN2"):  # MAID1 has no channel (and no meetings this term)
            community = communities[code]
            assert community.id is not None
            session.add(community_channel(community.id, code, people[PRIYA], clock.now()))
        await session.commit()
        found = (await session.exec(select(Meeting, Community).join(Community))).all()
        meetings = {
            (c.code, m.starts_at.astimezone(LONDON).strftime("%m-%d")): m.id for m, c in found if m.id
        }
    return World(db, clock, people, meetings)


def service_for(world: World, outbox: Outbox, runner: str = "first") -> SchedulerService:
    # A daily sweep (the default is every 5 minutes) keeps the number of clock steps small.
    return SchedulerService(
        world.db, world.clock, outbox, timer=False, sweep_every=timedelta(days=1), runner=runner
    )


async def timeline_rows(db: Database) -> list[OutboxMessage]:
    async with db.session() as session:
        rows = (await session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id)))).all()
    return [r for r in rows if r.idempotency_key.startswith(("timeline:", "declarations:renewal:"))]


def expected_messages(world: World) -> set[tuple[str, datetime]]:
    """Every message of the term with its time, by hand. BST (UTC+1) until 25 October, GMT after."""
    m, p = world.meetings, world.people
    daniel, grace, hannah, tom, priya = (p[e] for e in (DANIEL, GRACE, HANNAH, TOM, PRIYA))

    def at(
        code: str, day: str, kind: str, when: datetime, *people: int, sequence: int = 1
    ) -> set[tuple[str, datetime]]:
        key = f"timeline:{m[(code, day)]}:{kind}:{sequence}"
        return {(f"{key}:{person}", when) for person in people} if people else {(key, when)}

    expected: set[tuple[str, datetime]] = set()
    # School days (issue 14): no term dates are loaded, so weekdays without bank holidays (none
    # from 1 September to 18 December). Days count back in school days; nothing falls on a weekend.
    # CANT1, Wednesday 30 September 16:00 BST: deadline Wednesday 16 September 16:00 (10 school
    # days before), agenda by Wednesday 23 September (5).
    expected |= at("CANT1", "09-30", "requests_open", utc(9, 2, 8))  # 09:00 BST, 20 school days before
    expected |= at("CANT1", "09-30", "deadline_reminder", utc(9, 11, 8), daniel, hannah)  # Westgate's draft
    expected |= at("CANT1", "09-30", "cut_off", utc(9, 16, 15), daniel)
    expected |= at("CANT1", "09-30", "agenda_due", utc(9, 22, 8), daniel)
    expected |= at("CANT1", "09-30", "agenda_overdue", utc(9, 23, 15), priya)
    expected |= at("CANT1", "09-30", "meeting_reminder_day_before", utc(9, 29, 8))
    expected |= at("CANT1", "09-30", "meeting_reminder_morning", utc(9, 30, 7))  # 08:00 BST
    # CANT1, Tuesday 10 November 16:00 GMT: deadline Tuesday 27 October, after the change.
    expected |= at("CANT1", "11-10", "requests_open", utc(10, 13, 8))  # 09:00 BST
    expected |= at("CANT1", "11-10", "deadline_reminder", utc(10, 22, 8), daniel, hannah)  # 09:00 BST
    expected |= at("CANT1", "11-10", "cut_off", utc(10, 27, 16), daniel)
    expected |= at("CANT1", "11-10", "agenda_due", utc(11, 2, 9), daniel)
    expected |= at("CANT1", "11-10", "agenda_overdue", utc(11, 3, 16), priya)
    expected |= at("CANT1", "11-10", "meeting_reminder_day_before", utc(11, 9, 9))
    expected |= at("CANT1", "11-10", "meeting_reminder_morning", utc(11, 10, 8))
    # CANT1, Wednesday 9 December: requests open on 11 November; its deadline reminder (3 school
    # days before Wednesday 25 November) goes out at 09:00 on 20 November, before it is cancelled.
    expected |= at("CANT1", "12-09", "requests_open", utc(11, 11, 9))
    expected |= at("CANT1", "12-09", "deadline_reminder", utc(11, 20, 9), daniel, hannah)
    # THAN2, Thursday 8 October 15:45 BST: deadline Thursday 24 September 15:45, agenda by 1 October.
    expected |= at("THAN2", "10-08", "requests_open", utc(9, 10, 8))
    expected |= at("THAN2", "10-08", "deadline_reminder", utc(9, 21, 8), tom)  # Ramsgate's draft
    expected |= at("THAN2", "10-08", "cut_off", utc(9, 24, 14, 45), tom)
    expected |= at("THAN2", "10-08", "agenda_due", utc(9, 30, 8), tom)
    expected |= at("THAN2", "10-08", "agenda_overdue", utc(10, 1, 14, 45), priya)
    expected |= at("THAN2", "10-08", "meeting_reminder_day_before", utc(10, 7, 8))
    expected |= at("THAN2", "10-08", "meeting_reminder_morning", utc(10, 8, 7))
    # THAN2, Tuesday 27 October 15:45 GMT: everything in BST but its two reminders.
    expected |= at("THAN2", "10-27", "requests_open", utc(9, 29, 8))
    expected |= at("THAN2", "10-27", "deadline_reminder", utc(10, 8, 8), tom)
    expected |= at("THAN2", "10-27", "cut_off", utc(10, 13, 14, 45), tom)  # 15:45 BST
    expected |= at("THAN2", "10-27", "agenda_due", utc(10, 19, 8), tom)
    expected |= at("THAN2", "10-27", "agenda_overdue", utc(10, 20, 14, 45), priya)
    expected |= at(
        "THAN2", "10-27", "meeting_reminder_day_before", utc(10, 26, 9)
    )  # 09:00 GMT on Monday, after the restart
    expected |= at("THAN2", "10-27", "meeting_reminder_morning", utc(10, 27, 8))
    # THAN2, Thursday 3 December, moved on 1 November to Thursday 10 December (sequence 2). Ramsgate's
    # draft was withdrawn on 1 November: no deadline reminder.
    moved = {"sequence": 2}
    expected |= at("THAN2", "12-03", "requests_open", utc(11, 12, 9), **moved)
    expected |= at("THAN2", "12-03", "cut_off", utc(11, 26, 15, 45), tom, **moved)
    expected |= at("THAN2", "12-03", "agenda_due", utc(12, 2, 9), tom, **moved)
    expected |= at("THAN2", "12-03", "agenda_overdue", utc(12, 3, 15, 45), priya, **moved)
    expected |= at("THAN2", "12-03", "meeting_reminder_day_before", utc(12, 9, 9), **moved)
    expected |= at("THAN2", "12-03", "meeting_reminder_morning", utc(12, 10, 8), **moved)
    # THAN2, Thursday 26 November 15:45, added on 12 November at 14:10: requests open at once, and
    # close at 15:45 that day (10 school days before).
    expected |= at("THAN2", "11-26", "requests_open", utc(11, 12, 14, 10))
    expected |= at("THAN2", "11-26", "cut_off", utc(11, 12, 15, 45), tom)
    expected |= at("THAN2", "11-26", "agenda_due", utc(11, 18, 9), tom)
    expected |= at("THAN2", "11-26", "agenda_overdue", utc(11, 19, 15, 45), priya)
    expected |= at("THAN2", "11-26", "meeting_reminder_day_before", utc(11, 25, 9))
    expected |= at("THAN2", "11-26", "meeting_reminder_morning", utc(11, 26, 8))
    # Declarations for 2026/27: every Tuesday from 1 September, 09:00 London, until each confirms.
    tuesdays = [
        datetime(2026, 9, 1, 9, tzinfo=LONDON) + timedelta(weeks=n) for n in range(16)
    ]  # to 15 December
    weekly = dict.fromkeys((hannah, tom), tuesdays)  # never confirm
    weekly[grace] = tuesdays[:2]  # confirms on 10 September
    weekly[daniel] = tuesdays[:8]  # confirms on 20 October at 11:00, after that day's 09:00 reminder
    for person, days in weekly.items():
        for day in days:
            expected.add(
                (f"declarations:renewal:2026:{day.date().isoformat()}:{person}", day.astimezone(UTC))
            )
    return expected


async def test_a_whole_term_for_two_communities(db: Database, tmp_path: Path) -> None:
    clock = FixedClock(START)
    world = await build_world(db, clock, tmp_path)
    outbox = Outbox(clock)
    school = await _school_ids(db)
    meetings = world.meetings
    service = service_for(world, outbox)

    async def in_session(work: Callable[..., Awaitable[object]]) -> None:
        async with db.session() as session:
            await work(session)
            await session.commit()

    async def hannah_drafts() -> None:
        profile = await profile_of(db, HANNAH)
        await in_session(lambda s: request_service.start_draft(s, clock, profile, school["990101"]))

    tom_draft: list[int] = []

    async def tom_drafts() -> None:
        profile = await profile_of(db, TOM)
        async with db.session() as session:
            request = await request_service.start_draft(session, clock, profile, school["990201"])
            await session.commit()
            assert request.id is not None
            tom_draft.append(request.id)

    async def tom_withdraws() -> None:
        profile = await profile_of(db, TOM)
        await in_session(lambda s: request_service.withdraw(s, clock, outbox, profile, tom_draft[0]))

    async def confirms(email: str) -> None:
        await in_session(lambda s: declarations.nothing_to_declare(s, clock, world.people[email]))

    async def move_than2_december() -> None:
        officer = await profile_of(db, PRIYA)
        start = datetime(2026, 12, 10, 15, 45, tzinfo=LONDON)
        await in_session(
            lambda s: meeting_service.move(
                s,
                clock,
                officer,
                meetings[("THAN2", "12-03")],
                MeetingTimes(start, start + timedelta(minutes=90)),
                location=None,
                online=True,
                offsets=MeetingOffsets(),
            )
        )
        await service.sync_meeting(meetings[("THAN2", "12-03")])

    async def add_than2_meeting() -> None:
        officer = await profile_of(db, PRIYA)
        start = datetime(2026, 11, 26, 15, 45, tzinfo=LONDON)
        async with db.session() as session:
            community = (await session.exec(select(Community).where(Community.code == "THAN2"))).one()
            meeting = await meeting_service.schedule(
                session,
                clock,
                officer,
                community,
                MeetingTimes(start, start + timedelta(minutes=90)),
                location=None,
                online=True,
                offsets=MeetingOffsets(),
            )
            await session.commit()
        assert meeting.id is not None
        meetings[("THAN2", "11-26")] = meeting.id
        await service.sync_meeting(meeting.id)

    async def cancel_cant1_december() -> None:
        """Cancelled by another process (say `cosbot` on another machine): the scheduler is not told.
        The job re-reads the meeting, and the next sweep removes its jobs."""
        officer = await profile_of(db, PRIYA)
        await in_session(
            lambda s: meeting_service.cancel(
                s, clock, officer, meetings[("CANT1", "12-09")], "The venue is closed"
            )
        )

    restarted: list[str] = []

    async def restart() -> None:
        nonlocal service
        before = len(await timeline_rows(db))
        await service.stop()
        service = service_for(world, outbox, runner="second")
        await service.start()
        await asyncio.wait_for(
            service.until_leading(), 10
        )  # on PostgreSQL it wins the lock in the background
        assert len(await timeline_rows(db)) == before  # starting again sends nothing by itself
        restarted.append(jobs.current().runner)

    actions: list[tuple[datetime, Callable[[], Awaitable[None]]]] = sorted(
        [
            (utc(9, 1, 10), hannah_drafts),
            (utc(9, 10, 12), lambda: confirms(GRACE)),
            (utc(9, 20, 10), tom_drafts),
            (utc(10, 20, 10), lambda: confirms(DANIEL)),
            (RESTART_AT, restart),
            (utc(11, 1, 9), tom_withdraws),
            (utc(11, 1, 10), move_than2_december),
            (utc(11, 12, 14, 10), add_than2_meeting),
            (utc(11, 20, 12), cancel_cant1_december),
        ],
        key=lambda action: action[0],
    )

    await service.start()
    await asyncio.wait_for(service.until_leading(), 10)  # on PostgreSQL it wins the lock in the background
    steps = 0
    while True:
        next_job = await service.next_run_time()
        candidates = [t for t in (next_job, actions[0][0] if actions else None) if t is not None]
        target = min(candidates)
        if target >= END:
            break
        if target > clock.now():
            clock.advance(seconds=(target - clock.now()).total_seconds())
        assert clock.now() == target
        while actions and actions[0][0] <= clock.now():
            await actions.pop(0)[1]()
        await service.run_due()
        steps += 1
    await service.stop()

    assert restarted, "the restart happened"
    rows = await timeline_rows(db)
    got = [(r.idempotency_key, r.created_at) for r in rows]
    assert len(got) == len(set(got)), "a message was queued twice"
    expected = expected_messages(world)
    missing = sorted(expected - set(got), key=lambda e: e[1])
    extra = sorted(set(got) - expected, key=lambda e: e[1])
    assert not missing and not extra, f"missing: {missing}\nextra: {extra}"
    # Channel posts are new threads in the community's channel; everything else is a DM.
    for row in rows:
        channel = row.idempotency_key.split(":")[2] in (
            "requests_open",
            "meeting_reminder_day_before",
            "meeting_reminder_morning",
        )
        assert row.kind == (DeliveryKind.NEW_THREAD if channel else DeliveryKind.SEND), row.idempotency_key
        assert not (1 <= row.created_at.astimezone(LONDON).hour < 3)
    assert steps < 400  # the clock jumped from job to job, it did not tick
    # Every step ran once, recorded by (job, due).
    async with db.session() as session:
        runs = (await session.exec(select(TimelineRun))).all()
    assert len({(r.job_id, r.due_at) for r in runs}) == len(runs)
    assert {r.runner for r in runs if r.ran_at < RESTART_AT} == {"first"}
    assert {r.runner for r in runs if r.ran_at >= RESTART_AT} == {"second"}
    day_before = f"meeting:{world.meetings[('THAN2', '10-27')]}:meeting_reminder_day_before"
    assert [(r.runner, r.ran_at) for r in runs if r.job_id == day_before] == [("second", RESTART_AT)]


async def test_a_step_that_already_ran_does_not_send_again(db: Database, tmp_path: Path) -> None:
    """A runner committed the step's messages and its run, but the job store never moved the job on
    (the process died first, or another replica ran it): the job runs again and sends nothing; and
    after a restart the rebuild sees the run and drops the job."""
    clock = FixedClock(START)
    world = await build_world(db, clock, tmp_path)
    outbox = Outbox(clock)
    meeting_id = world.meetings[("CANT1", "09-30")]
    job_id = f"meeting:{meeting_id}:requests_open"
    service = service_for(world, outbox)
    await service.start()
    await asyncio.wait_for(service.until_leading(), 10)  # on PostgreSQL it wins the lock in the background
    clock.advance(seconds=(utc(9, 2, 8) - clock.now()).total_seconds())
    assert await jobs.requests_open(meeting_id) == 1  # what the other runner did, to its commit
    assert job_id in await service.run_due()  # the store still had the job due: it ran...
    assert await jobs.requests_open(meeting_id) == 0  # ...and would send nothing, however often
    await service.stop()
    restarted = service_for(world, outbox)
    await restarted.start()
    await asyncio.wait_for(restarted.until_leading(), 10)  # on PostgreSQL it wins the lock in the background
    assert job_id not in {info.id for info in await restarted.jobs()}
    assert job_id not in await restarted.run_due()
    await restarted.stop()
    keys = [r.idempotency_key for r in await timeline_rows(db)]
    assert keys.count(f"timeline:{meeting_id}:requests_open:1") == 1
    async with db.session() as session:
        runs = (await session.exec(select(TimelineRun).where(TimelineRun.job_id == job_id))).all()
    assert [(r.due_at, r.messages) for r in runs] == [(utc(9, 2, 8), 1)]


async def test_the_jobs_listing_shows_what_is_scheduled_in_london_time(db: Database, tmp_path: Path) -> None:
    clock = FixedClock(START)
    world = await build_world(db, clock, tmp_path)
    service = service_for(world, Outbox(clock))
    await service.start()
    await asyncio.wait_for(service.until_leading(), 10)  # on PostgreSQL it wins the lock in the background
    try:
        listed = await service.jobs()
    finally:
        await service.stop()
    purge, first = listed[0], listed[1]
    assert purge.id == "retention:purge" and purge.schedule == "daily at 03:00"
    assert purge.next_run == datetime(2026, 9, 1, 3, tzinfo=LONDON)
    assert first.id == "declarations:renewal:2026"
    assert first.next_run == datetime(2026, 9, 1, 9, tzinfo=LONDON)
    assert first.next_run is not None and first.next_run.utcoffset() == timedelta(hours=1)
    assert first.schedule == "weekly on Tue at 09:00"
    cant1 = world.meetings[("CANT1", "09-30")]
    by_id = {info.id: info for info in listed}
    assert by_id[f"meeting:{cant1}:requests_open"].next_run == datetime(2026, 9, 2, 9, tzinfo=LONDON)
    assert by_id[f"meeting:{cant1}:requests_open"].description.startswith(
        "CANT1 meeting Wed 30 Sep 2026 16:00: requests open"
    )
    assert by_id["scheduler:sweep"].schedule == "every 1440 minutes"
    # Ten steps for each of the six meetings, the sweep, the renewal of 2026/27 (on 31 August
    # 2025/26 has no reminder left, and 2027/28's job comes once 2026/27 has begun), and the daily
    # follow-up after meetings (reviews due, action reminders), and the daily retention purge.
    assert len(listed) == 6 * 10 + 1 + 1 + 1 + 1
    assert by_id["outcomes:daily"].schedule == "daily at 09:00"
    assert by_id["outcomes:daily"].next_run == datetime(2026, 9, 1, 9, tzinfo=LONDON)
    assert [i.id for i in listed if i.id.startswith("declarations:")] == ["declarations:renewal:2026"]


async def _school_ids(db: Database) -> dict[str, int]:
    async with db.session() as session:
        return {s.urn: s.id for s in (await session.exec(select(School))).all() if s.id is not None}


async def test_the_steps_call_the_agenda_rsvp_and_quorum_directly(db: Database, tmp_path: Path) -> None:
    """The cut-off builds the draft agenda for the chair, a published agenda stops the nudges, the
    reminders are the RSVP card, and the quorum check runs at 15:00 the day before. THAN2's chair
    has no chat with the bot, so what is his goes to the officer."""
    from cards.agenda_cards import AGENDA_PUBLISH
    from cards.meetings.rsvp import RSVP
    from communities.agendas.tables import Agenda, AgendaStatus

    clock = FixedClock(START)
    world = await build_world(db, clock, tmp_path)
    outbox = Outbox(clock)
    async with db.session() as session:
        tom_chat = (
            await session.exec(select(PersonalChat).where(PersonalChat.person_id == world.people[TOM]))
        ).one()
        await session.delete(tom_chat)
        await session.commit()
    service = SchedulerService(db, clock, outbox, timer=False, sweep_every=timedelta(days=1))
    await service.start()
    await asyncio.wait_for(service.until_leading(), 10)  # on PostgreSQL it wins the lock in the background
    cant1, than2 = world.meetings[("CANT1", "09-30")], world.meetings[("THAN2", "10-08")]
    published = False
    while (target := await service.next_run_time()) is not None and target < utc(10, 9, 0):
        if not published and target > utc(9, 21, 12):  # the chair publishes CANT1's agenda
            async with db.session() as session:
                agenda = (await session.exec(select(Agenda).where(Agenda.meeting_id == cant1))).one()
                agenda.status = AgendaStatus.PUBLISHED
                session.add(agenda)
                await session.commit()
            published = True
        clock.advance(seconds=(target - clock.now()).total_seconds())
        await service.run_due()
    await service.stop()

    rows = {r.idempotency_key: r for r in await _all_rows(db)}
    daniel, priya = world.people[DANIEL], world.people[PRIYA]
    # The cut-off: the chair's review copy of the draft agenda, with its Publish button.
    draft = rows[f"timeline:{cant1}:cut_off:1:{daniel}"]
    assert draft.created_at == utc(9, 16, 15)  # 10 school days before
    assert AGENDA_PUBLISH in str(draft.payload)
    # Published before the nudge: no nudge, no escalation. THAN2's was not: the officer hears of it.
    assert not [
        k for k in rows if k.startswith((f"timeline:{cant1}:agenda_due", f"timeline:{cant1}:agenda_overdue"))
    ]
    passed_on = rows[f"timeline:{than2}:cut_off:1:{priya}"]
    assert passed_on.payload["text"].startswith(
        "The chair of Thanet Coast Community (THAN2) cannot be reached"
    )
    assert AGENDA_PUBLISH in str(passed_on.payload)
    assert f"timeline:{than2}:agenda_due:1:{priya}" in rows
    assert f"timeline:{than2}:agenda_overdue:1:{priya}" in rows
    # The reminders are the RSVP card.
    for kind in ("meeting_reminder_day_before", "meeting_reminder_morning"):
        card = rows[f"timeline:{cant1}:{kind}:1"].payload["attachments"][0]["content"]
        assert RSVP in str(card)
    # The quorum check, 15:00 London the day before; nobody has answered, so it is not met.
    assert rows[f"quorum:{cant1}:1:{daniel}"].created_at == utc(9, 29, 14)
    assert rows[f"quorum:{than2}:1:{priya}"].created_at == utc(10, 7, 14)
    assert f"quorum:{than2}:1:{priya}" in rows


async def _all_rows(db: Database) -> list[OutboxMessage]:
    async with db.session() as session:
        return list((await session.exec(select(OutboxMessage))).all())


async def test_a_write_only_service_stores_jobs_and_runs_none(db: Database, tmp_path: Path) -> None:
    """What `cosbot import meetings` does after an import: derive the jobs into the shared store for
    the running service to pick up, without running any or seeking the lead."""
    clock = FixedClock(START)
    world = await build_world(db, clock, tmp_path)
    writer = SchedulerService(db, clock, Outbox(clock), run_jobs=False, timer=False)
    await writer.start()
    try:
        assert not writer.is_leader
        report = await writer.rebuild()
        # The meetings' steps, this year's renewal, the daily follow-up and the daily retention purge.
        assert report.added == 6 * 10 + 3
        clock.advance(days=30)
        assert await writer.run_due() == []
    finally:
        await writer.stop()
    assert await timeline_rows(db) == []
    # The service that starts next, on 30 September, runs what fell due meanwhile and is still
    # useful: THAN2's cut-off of 24 September (the chair needs the draft agenda until 1 October),
    # and the requests open of THAN2's 27 October meeting (29 September; requests are open until
    # 13 October). CANT1's cut-off of 16 September expired with its agenda's due date, and the
    # reminders with the day.
    service = service_for(world, Outbox(clock))
    await service.start()
    await asyncio.wait_for(service.until_leading(), 10)  # on PostgreSQL it wins the lock in the background
    ran = await service.run_due()
    assert sorted(job for job in ran if job.startswith("meeting:")) == sorted(
        [
            f"meeting:{world.meetings[('THAN2', '10-08')]}:cut_off",
            f"meeting:{world.meetings[('THAN2', '10-27')]}:requests_open",
        ]
    )
    await service.stop()


async def test_cosbot_jobs_prints_the_schedule_in_london_time(
    db: Database, database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import argparse

    from bot.cli.jobs import cmd_jobs
    from bot.config import Settings

    settings = Settings(database_url=database_url)
    assert cmd_jobs(argparse.Namespace(limit=0), settings) == 0
    assert capsys.readouterr().out.startswith("Nothing is scheduled: ")  # the table exists, empty
    clock = FixedClock(START)
    world = await build_world(db, clock, tmp_path)
    service = service_for(world, Outbox(clock))
    await service.start()
    await asyncio.wait_for(service.until_leading(), 10)  # on PostgreSQL it wins the lock in the background
    await service.stop()
    assert cmd_jobs(argparse.Namespace(limit=5), settings) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "64 scheduled jobs, times in Europe/London:"
    assert out[1].split() == [
        "Tue",
        "01",
        "Sep",
        "2026",
        "03:00",
        "BST",
        "retention:purge",
        "daily",
        "at",
        "03:00",
    ]
    out = [out[0], *out[3:]]  # the lines after the purge's, as they were before it
    assert out[1].split() == ["Tue", "01", "Sep", "2026", "09:00", "BST", "declarations:renewal:2026"] + [
        "weekly",
        "on",
        "Tue",
        "at",
        "09:00",
    ]
    assert out[3].split() == [
        "Tue",
        "01",
        "Sep",
        "2026",
        "09:00",
        "BST",
        "outcomes:daily",
        "daily",
        "at",
        "09:00",
    ]
    cant1 = world.meetings[("CANT1", "09-30")]
    assert out[5].split() == [
        "Tue",
        "01",
        "Sep",
        "2026",
        "16:00",
        "BST",
        "scheduler:sweep",
        "every",
        "1440",
        "minutes",
    ]
    assert f"meeting:{cant1}:requests_open" in out[7] and "Wed 02 Sep 2026 09:00 BST" in out[7]
    assert "CANT1 meeting Wed 30 Sep 2026 16:00: requests open" in out[8]
    assert out[9] == "  ... and 59 more"
    # On PostgreSQL the lock tells who leads; the service above has stopped and released it.
    assert out[10].startswith("Leader: the cosbot serve process" if db.is_sqlite else "Leader: none")
