"""Every step of a meeting's timeline, run once under ``cosbot serve``'s composition (``bot.app``) and
once under ``python -m bot.scheduler_runner``'s, each on a real SQLite database built the same way and
on an injected clock: the outbox rows must be the same, whichever process holds the lead.

Under both, the cut-off's DM to the chair is the draft agenda card, the reminders carry the RSVP
buttons, and a meeting nobody has answered for gets the quorum DM the day before.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient, TestServer
from sqlmodel import col, select

from bot import scheduler_runner
from bot.app import SERVICES, create_app
from bot.config import Settings
from bot.migrate import upgrade_async
from cards.agenda_cards import AGENDA_PUBLISH
from cards.meetings.rsvp import RSVP
from communities.clock import FixedClock
from communities.db import Database
from communities.meetings.tables import Meeting
from communities.messaging.outbox import DeliveryKind, OutboxMessage
from communities.messaging.teams_links import PersonalChat
from communities.requests.service import start_draft
from communities.roster.directory import community_by_code
from communities.roster.importing import import_roster
from scheduler.service import SchedulerService
from scheduler.timeline import StepKind, timeline_for
from tests.conftest import DEMO_ROSTER
from tests.support.fake_connector import FakeConnector
from tests.support.linked_channels import community_channel
from tests.support.meetings import add_meeting
from tests.support.people import DANIEL, HANNAH, PRIYA, profile_of
from tests.support.requests import school_id

START = datetime(2026, 10, 19, 12, 0, tzinfo=UTC)
MEETING = "2026-11-24 16:00"  # CANT1, a Tuesday: requests open on 4 November

#: What the test compares of each outbox row: its key, its kind, where it goes, what it says.
Row = tuple[str, str, str, dict[str, Any]]


@dataclass(frozen=True)
class World:
    settings: Settings
    clock: FixedClock
    meeting_id: int
    people: dict[str, int]


async def build_world(tmp_path: Path, name: str, service_url: str) -> World:
    """The demo roster, chats with the bot for the chair, a SENCO and the officer, CANT1's channel
    linked, a meeting of CANT1, and a draft not yet submitted (so the deadline reminder has a DM)."""
    url = f"sqlite+aiosqlite:///{tmp_path}/{name}.db"
    await upgrade_async(url)
    clock = FixedClock(START)
    database = Database(url)
    try:
        await import_roster(database, DEMO_ROSTER, clock)
        meeting_id = await add_meeting(database, clock, "CANT1", MEETING)
        people = {email: (await profile_of(database, email)).person_id for email in (DANIEL, HANNAH, PRIYA)}
        async with database.session() as session:
            for email, person_id in people.items():
                session.add(
                    PersonalChat(
                        teams_user_id=f"29:{email}",
                        person_id=person_id,
                        service_url=service_url,
                        reference={"serviceUrl": service_url, "conversation": {"id": f"a:{email}"}},
                        updated_at=clock.now(),
                    )
                )
            community = await community_by_code(session, "CANT1")
            assert community is not None and community.id is not None
            session.add(community_channel(community.id, "CANT1", people[PRIYA], clock.now(), service_url))
            await session.commit()
        hannah = await profile_of(database, HANNAH)
        westgate = await school_id(database, "990101")
        async with database.session() as session:
            await start_draft(session, clock, hannah, westgate)
            await session.commit()
    finally:
        await database.dispose()
    # The scheduler on (the default); the offsets, zone and quorum rule are the settings' defaults.
    return World(Settings(database_url=url), clock, meeting_id, people)


@asynccontextmanager
async def serve(world: World) -> AsyncIterator[SchedulerService]:
    """The scheduler as `cosbot serve` runs it: the whole aiohttp app, started and stopped."""
    app = create_app(world.settings, clock=world.clock, scheduler_timer=False)
    async with TestClient(TestServer(app)):
        scheduler = app[SERVICES].scheduler
        assert scheduler is not None
        await asyncio.wait_for(scheduler.until_leading(), 10)
        yield scheduler


@asynccontextmanager
async def scheduler_process(world: World) -> AsyncIterator[SchedulerService]:
    """The scheduler as `python -m bot.scheduler_runner` runs it."""
    database, scheduler = scheduler_runner.compose(world.settings, world.clock, timer=False)
    await scheduler.start()
    try:
        await asyncio.wait_for(scheduler.until_leading(), 10)
        yield scheduler
    finally:
        await scheduler.stop()
        await database.dispose()


#: How a process runs its scheduler: started, leading, and stopped after.
Composition = Callable[[World], AbstractAsyncContextManager[SchedulerService]]


async def run_the_timeline(world: World, composition: Composition) -> list[Row]:
    """Move the clock to each step of the meeting in turn and run what is due; the outbox rows."""
    database = Database(world.settings.database_url)
    try:
        async with database.session() as session:
            meeting = await session.get(Meeting, world.meeting_id)
        assert meeting is not None
        steps = timeline_for(meeting, world.settings.timeline, world.clock.now(), world.settings.zone)
        assert {step.kind for step in steps} == set(StepKind)
        ran: list[str] = []
        async with composition(world) as scheduler:
            for step in sorted(steps, key=lambda s: s.at):
                world.clock.advance(seconds=(step.at - world.clock.now()).total_seconds())
                ran += await scheduler.run_due()
        assert {f"meeting:{world.meeting_id}:{kind.value}" for kind in StepKind} <= set(ran)
        async with database.session() as session:
            rows = (await session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id)))).all()
    finally:
        await database.dispose()
    return [(r.idempotency_key, str(r.kind), r.conversation_key, r.payload) for r in rows]


def by_key(rows: list[Row]) -> dict[str, Row]:
    return {row[0]: row for row in rows}


async def test_serve_and_the_scheduler_runner_queue_the_same_messages(tmp_path: Path) -> None:
    async with FakeConnector() as fake:  # where `cosbot serve`'s outbox sender delivers
        served = await build_world(tmp_path, "serve", fake.url)
        separate = await build_world(tmp_path, "runner", fake.url)
        assert (served.meeting_id, served.people) == (separate.meeting_id, separate.people)
        under_serve = await run_the_timeline(served, serve)
        under_runner = await run_the_timeline(separate, scheduler_process)

    assert [row[0] for row in under_runner] == [row[0] for row in under_serve]
    assert under_runner == under_serve

    rows = by_key(under_serve)
    m = served.meeting_id
    daniel, hannah, priya = (served.people[e] for e in (DANIEL, HANNAH, PRIYA))
    assert {key for key in rows if key.startswith(f"timeline:{m}:")} == {
        f"timeline:{m}:requests_open:1",
        f"timeline:{m}:deadline_reminder:1:{daniel}",  # Westgate's school leader
        f"timeline:{m}:deadline_reminder:1:{hannah}",  # and its SENCO, who started the draft
        f"timeline:{m}:cut_off:1:{daniel}",
        f"timeline:{m}:agenda_due:1:{daniel}",
        f"timeline:{m}:agenda_overdue:1:{priya}",
        f"timeline:{m}:meeting_reminder_day_before:1",
        f"timeline:{m}:meeting_reminder_morning:1",
    }
    for key in (f"timeline:{m}:requests_open:1", f"timeline:{m}:meeting_reminder_day_before:1"):
        assert rows[key][1:3] == (DeliveryKind.NEW_THREAD, "19:CANT1@thread.tacv2")
    # The cut-off: the chair's review copy of the draft agenda, with its Publish button.
    cut_off = rows[f"timeline:{m}:cut_off:1:{daniel}"][3]
    assert cut_off["summary"].startswith("Requests have closed: the draft agenda for ")
    assert AGENDA_PUBLISH in str(cut_off["attachments"][0]["content"])
    # The reminders: the RSVP card, with its buttons.
    for when in ("day_before", "morning"):
        card = rows[f"timeline:{m}:meeting_reminder_{when}:1"][3]["attachments"][0]["content"]
        answers = [a["data"]["answer"] for a in card["actions"] if a["data"].get("action") == RSVP]
        assert answers == ["attending", "apologies", "colleague"]
    # Nobody has answered: not quorate, and the chair hears of it the day before.
    quorum = rows[f"quorum:{m}:1:{daniel}"][3]["text"]
    assert quorum.startswith("Quorum is not met yet for the Canterbury City Community (CANT1) meeting")
