"""A broadcast of meeting dates to many channels, with faults injected, and killed mid-way.

What an officer would notice is counted at the fake Bot Connector: a community channel with
no card (lost), with two (duplicated), or with another community's card; and the delivery
report has to agree with it.

The kill test runs the real service, ``cosbot serve``, as a subprocess. It delivers the outbox
with the :class:`~bot.outbox.sender.OutboxSender` that ``bot/app.py`` starts in the background
(polling every second, and at once on start-up). A row is *claimed* with a lease
(``locked_until`` = claim time + ``lease_seconds``, 30 s by default) before its request
leaves; SIGKILL leaves those leases behind, and the restarted service leaves the rows alone
until they expire, then sends them again. So a duplicate is possible only for a row claimed at
the moment of the kill, and at most ``max_in_flight`` rows are claimed at once (the claim is
made inside the sender's ``max_in_flight`` slots). The test therefore waits out the lease
(about 30 s) before it can count the last cards: that wait is the sender's design, not slowness.
"""

from __future__ import annotations

import asyncio
import inspect
import random
import signal
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from bot.migrate import upgrade_async
from bot.outbox.sender import OutboxSender
from bot.teams.connector import BotConnector
from cards.meetings.dates import dates_card
from communities.broadcasts import report as broadcast_report
from communities.broadcasts import service as broadcasts
from communities.broadcasts.report import Delivery, DeliveryReport
from communities.clock import SystemClock
from communities.db import Database
from communities.messaging.outbox import Outbox, OutboxMessage, OutboxStatus
from tests.bot.cli.test_serve import COSBOT, free_port, unauthenticated_env
from tests.support.fake_connector import FakeConnector, Fault
from tests.support.linked_channels import MEETING_DAY, Channel, seed_linked_communities

SELECTION = broadcasts.Selection(first=MEETING_DAY - timedelta(days=7), last=MEETING_DAY)
FAULT_RATE = 0.1
#: The faults: Teams' throttling (with the Retry-After it sends) and its transient server errors.
FAULTS = (
    Fault.throttle(retry_after=1),
    Fault.error(500),
    Fault.error(502),
    Fault.error(503),
    Fault.error(504),
)

#: How many rows one sender can hold claimed, i.e. have in flight, at once; ``bot/app.py`` keeps
#: the default. A kill can duplicate at most these.
MAX_IN_FLIGHT: int = inspect.signature(OutboxSender).parameters["max_in_flight"].default
LEASE_SECONDS: float = inspect.signature(OutboxSender).parameters["lease_seconds"].default


def inject_faults(fake: FakeConnector, channels: list[Channel], seed: int) -> int:
    """Each request to a channel is faulted with probability FAULT_RATE (so retries can be too)."""
    rng = random.Random(seed)
    injected = 0
    for channel in channels:
        faults = []
        while rng.random() < FAULT_RATE:
            faults.append(rng.choice(FAULTS))
        fake.script(channel.channel_id, *faults)
        injected += len(faults)
    assert injected > 0, "pick another seed: no fault was injected"
    return injected


async def queue_broadcast(database: Database, outbox: Outbox, channels: list[Channel]) -> int:
    """What the officer's "Confirm" does: plan, queue one card per channel, commit, wake the sender."""
    clock = SystemClock()
    async with database.session() as session:
        planned, empty = await broadcasts.plan(
            session, clock, SELECTION, feed_base_url="https://cosbot.example.org", bot_name="CoS Bot"
        )
        assert not empty and len(planned) == len(channels)
        record = await broadcasts.start(
            session,
            clock,
            outbox,
            actor_person_id=None,
            selection=SELECTION,
            planned=planned,
            render=dates_card,
        )
        await session.commit()
    outbox.wake()
    assert record.id is not None
    return record.id


async def delivery_report(database: Database, broadcast_id: int) -> DeliveryReport:
    async with database.session() as session:
        return await broadcast_report.report(session, broadcast_id)


async def wait_until_settled(database: Database, broadcast_id: int, timeout: float) -> DeliveryReport:  # noqa: ASYNC109
    deadline = time.monotonic() + timeout
    while True:
        report = await delivery_report(database, broadcast_id)
        if report.settled:
            return report
        if time.monotonic() > deadline:
            pending = report.count(Delivery.PENDING)
            raise AssertionError(f"{pending} card(s) still pending after {timeout:g} s")
        await asyncio.sleep(0.2)


@dataclass(frozen=True)
class Cards:
    lost: list[str]
    duplicated: dict[str, int]
    wrong: list[str]

    @property
    def extra(self) -> int:
        return sum(n - 1 for n in self.duplicated.values())


def cards_at_connector(fake: FakeConnector, channels: list[Channel]) -> Cards:
    """Each channel's cards as Teams would show them: new threads, each with its card."""
    lost: list[str] = []
    duplicated: dict[str, int] = {}
    wrong: list[str] = []
    for channel in channels:
        posted = fake.activities(channel.channel_id)
        if not posted:
            lost.append(channel.code)
        elif len(posted) > 1:
            duplicated[channel.code] = len(posted)
        for message in posted:
            card = message.card or {}
            title = str((card.get("body") or [{}])[0].get("text", ""))
            if f"({channel.code})" not in title or not message.conversation_id.endswith(f"={message.id}"):
                wrong.append(channel.code)
    return Cards(lost, duplicated, wrong)


# ---- in process: the real sender, faults, every channel gets exactly one card ---------------------


@pytest.fixture
async def migrated(tmp_path: Path) -> AsyncIterator[Database]:
    url = f"sqlite+aiosqlite:///{tmp_path}/cosbot.db"
    await upgrade_async(url)
    database = Database(url)
    try:
        yield database
    finally:
        await database.dispose()


async def test_a_broadcast_with_faults_gives_every_channel_exactly_one_card(
    migrated: Database, fake: FakeConnector, connector: BotConnector
) -> None:
    channels = await seed_linked_communities(migrated, fake.url, 100, label="Crash")
    injected = inject_faults(fake, channels, seed=7)
    clock = SystemClock()
    # As bot/app.py builds it (its Settings defaults), on the real clock: backoffs are real seconds.
    sender = OutboxSender(migrated, connector, clock)
    outbox = Outbox(clock)
    outbox.wake_listeners.append(sender.wake)
    await sender.start()
    try:
        broadcast_id = await queue_broadcast(migrated, outbox, channels)
        report = await wait_until_settled(migrated, broadcast_id, timeout=90)
    finally:
        await sender.stop()

    cards = cards_at_connector(fake, channels)
    requests = len(fake.requests)
    print(f"\n100 channels, {injected} faults injected, {requests} requests: {cards}")
    assert cards.lost == [] and cards.duplicated == {} and cards.wrong == []
    assert report.count(Delivery.SENT) == len(channels), report.lines
    assert report.failures == 0
    assert requests == len(channels) + injected, "every fault was retried, and nothing else"
    fake.assert_no_violations()


# ---- cosbot serve, killed with SIGKILL mid-broadcast and restarted --------------------------------

CRASH_CHANNELS = 200
#: Kill once this many cards have arrived (the service sends 20 a second by default).
KILL_AFTER = 60


@contextmanager
def serving(tmp_path: Path, database_url: str, name: str) -> Iterator[subprocess.Popen[bytes]]:
    """``cosbot serve`` on a free loopback port, no app id; killed (SIGKILL) on the way out."""
    assert COSBOT.is_file(), f"{COSBOT} is missing; install the project into the venv (pip install -e .)"
    env = unauthenticated_env(tmp_path)
    env["DATABASE_URL"] = database_url
    log = tmp_path / f"{name}.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(COSBOT), "serve", "--host", "127.0.0.1", "--port", str(free_port())],
            cwd=tmp_path,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)


def log_tail(tmp_path: Path, name: str, lines: int = 40) -> str:
    text = (tmp_path / f"{name}.log").read_text(errors="replace").splitlines()
    return "\n".join(text[-lines:])


@asynccontextmanager
async def alive(process: subprocess.Popen[bytes], tmp_path: Path, name: str) -> AsyncIterator[None]:
    """Fail with the service's log if it exits by itself meanwhile."""
    try:
        yield
    except (AssertionError, TimeoutError) as error:
        if process.poll() is not None:
            log = log_tail(tmp_path, name)
            raise AssertionError(f"cosbot serve exited ({process.returncode}):\n{log}") from error
        raise AssertionError(f"{error}\n{name} log:\n{log_tail(tmp_path, name)}") from error


async def leased_rows(database: Database) -> int:
    """Rows a sender holds claimed right now: the ones whose request may be under way."""
    now = datetime.now(UTC)
    async with database.session() as session:
        statement = (
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.status == OutboxStatus.PENDING, col(OutboxMessage.locked_until) > now)
        )
        return int((await session.exec(statement)).one())


@pytest.mark.timeout(240)
async def test_a_broadcast_killed_mid_way_resumes_without_losing_or_doubling_cards(
    tmp_path: Path, migrated: Database, fake: FakeConnector
) -> None:
    channels = await seed_linked_communities(migrated, fake.url, CRASH_CHANNELS, label="Crash")
    injected = inject_faults(fake, channels, seed=11)
    # Queued before the service starts: it finds the rows on its first poll.
    broadcast_id = await queue_broadcast(migrated, Outbox(SystemClock()), channels)
    database_url = migrated.url

    with serving(tmp_path, database_url, "first") as first:
        async with alive(first, tmp_path, "first"):
            await fake.wait_for(lambda: len(fake.activities()) >= KILL_AFTER, timeout=60)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
        killed_at = time.monotonic()
    arrived = len(fake.activities())
    under_way = sum(1 for r in fake.requests if r.answered_at is None)
    leased = await leased_rows(migrated)
    print(
        f"\nkilled after {arrived} of {CRASH_CHANNELS} cards; {leased} rows were claimed at the kill, "
        f"{under_way} requests still under way at the connector; at most {MAX_IN_FLIGHT} rows can be "
        f"in flight at once (OutboxSender max_in_flight), leases last {LEASE_SECONDS:g} s"
    )
    assert arrived < CRASH_CHANNELS, "the broadcast finished before the kill; kill earlier"
    assert leased <= MAX_IN_FLIGHT

    with serving(tmp_path, database_url, "second") as second:
        async with alive(second, tmp_path, "second"):
            # The rows the first process had claimed wait for their leases to run out (about
            # LEASE_SECONDS after their claim) before the second one sends them: hence the timeout.
            report = await wait_until_settled(migrated, broadcast_id, timeout=LEASE_SECONDS + 90)
    resumed_in = time.monotonic() - killed_at

    cards = cards_at_connector(fake, channels)
    print(
        f"{injected} faults injected; every card settled {resumed_in:.1f} s after the kill; "
        f"lost {len(cards.lost)}, duplicated {len(cards.duplicated)} ({cards.extra} extra cards; "
        f"bound: {leased} claimed at the kill, {MAX_IN_FLIGHT} max in flight)"
    )
    assert cards.lost == [], f"channels with no card: {cards.lost}"
    assert cards.wrong == [], f"channels with a card that is not theirs: {cards.wrong}"
    assert cards.extra <= leased <= MAX_IN_FLIGHT, f"duplicated: {cards.duplicated}"
    assert report.count(Delivery.SENT) == CRASH_CHANNELS, [line for line in report.lines if line.reason]
    fake.assert_no_violations()
