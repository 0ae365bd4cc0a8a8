"""The outbox on PostgreSQL: delivered once, and two senders on one database never send a row twice."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.outbox.leases import Candidate
from bot.outbox.sender import OutboxSender
from bot.teams.connector import BotConnector, NoTokens
from communities.clock import FixedClock
from communities.db import Database, in_transaction
from communities.messaging.outbox import Outbox, OutboxMessage, OutgoingMessage
from tests.support.fake_connector import FakeConnector

pytestmark = pytest.mark.postgres


def reference(fake: FakeConnector, conversation_id: str) -> dict[str, Any]:
    """A stored conversation reference (a chat, a channel or a thread) pointing at the fake connector."""
    return {
        "serviceUrl": fake.url,
        "channelId": "msteams",
        "bot": {"id": "28:cosbot", "name": "Cosbot"},
        "conversation": {"id": conversation_id, "tenantId": "kent-tenant"},
    }


@pytest.fixture
async def connector() -> AsyncIterator[BotConnector]:
    async with aiohttp.ClientSession() as http:
        yield BotConnector(http, NoTokens())


@pytest.fixture
async def replicas(pg_url: str) -> AsyncIterator[list[Database]]:
    """Engines of other processes on the same PostgreSQL database (each its own connection pool)."""
    databases = [Database(pg_url) for _ in range(3)]
    try:
        yield databases
    finally:
        for database in databases:
            await database.dispose()


async def enqueue(
    db: Database,
    clock: FixedClock,
    key: str,
    text: str,
    to: dict[str, Any],
    *,
    new_thread: bool = False,
) -> int:
    """Enqueue as the services do: in a transaction that retries on a unique-key race."""

    async def work(session: AsyncSession) -> int:
        message = OutgoingMessage(text=text)
        outbox = Outbox(clock)
        if new_thread:
            row = await outbox.new_thread(session, key=key, channel_reference=to, message=message)
        else:
            row = await outbox.send(session, key=key, reference=to, message=message)
        assert row.id is not None
        return row.id

    return await in_transaction(db, work)


async def rows(db: Database) -> list[OutboxMessage]:
    async with db.session() as session:
        return list((await session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id)))).all())


def sender(db: Database, connector: BotConnector, clock: FixedClock, **options: Any) -> OutboxSender:
    return OutboxSender(db, connector, clock, poll_seconds=0.05, rate_per_second=20, **options)


def texts(fake: FakeConnector, conversation_id: str) -> list[str | None]:
    return [message.text for message in fake.activities(conversation_id)]


async def test_an_enqueued_message_reaches_teams_exactly_once(
    pg_db: Database, replicas: list[Database], clock: FixedClock, fake: FakeConnector, connector: BotConnector
) -> None:
    chat = "a:1papers"
    to = reference(fake, chat)
    # The same message enqueued by three processes at the same moment is one row.
    ids = await asyncio.gather(
        *(enqueue(db, clock, "dm:papers", "Your papers are ready", to) for db in [pg_db, *replicas])
    )
    assert len(set(ids)) == 1

    assert await sender(pg_db, connector, clock).drain(timeout=20) == 1

    [posted] = fake.activities(chat)
    assert posted.text == "Your papers are ready"
    [row] = await rows(pg_db)
    assert (row.status, row.activity_id, row.sent_at, row.locked_until) == (
        "sent",
        posted.id,
        clock.now(),
        None,
    )

    clock.advance(hours=2)  # far past any lease
    assert await sender(replicas[0], connector, clock).drain(timeout=20) == 0
    assert len(fake.requests) == 1
    fake.assert_no_violations()


async def test_two_senders_at_once_never_double_send(
    pg_db: Database, replicas: list[Database], clock: FixedClock, fake: FakeConnector, connector: BotConnector
) -> None:
    fake.latency = 0.01
    chats = [f"a:1pair{n:02d}" for n in range(15)]
    for n in range(3):
        for chat in chats:
            await enqueue(pg_db, clock, f"dm:{chat}:{n}", f"{chat} #{n}", reference(fake, chat))
    await asyncio.gather(pg_db.ping(), replicas[0].ping())  # both connected, so that they start together

    # Two sends at a time each, so that neither can lease every conversation before the other starts.
    one = sender(pg_db, connector, clock, max_in_flight=2)
    two = sender(replicas[0], connector, clock, max_in_flight=2)
    attempted = await asyncio.gather(one.drain(timeout=20), two.drain(timeout=20))

    assert [
        (row.id, row.status, row.failure_reason) for row in await rows(pg_db) if row.status != "sent"
    ] == []
    assert sum(attempted) == 45 and min(attempted) > 0  # both senders worked, and no row twice
    for chat in chats:
        assert texts(fake, chat) == [f"{chat} #{n}" for n in range(3)]  # each once, in order
    fake.assert_no_violations()


async def test_senders_racing_for_the_same_row_send_it_once(
    pg_db: Database, replicas: list[Database], clock: FixedClock, fake: FakeConnector, connector: BotConnector
) -> None:
    databases = [pg_db, *replicas]
    chats = [f"a:1race{n}" for n in range(5)]
    for chat in chats:
        await enqueue(pg_db, clock, f"dm:{chat}", f"to {chat}", reference(fake, chat))
    await asyncio.gather(*(db.ping() for db in databases))

    # Four processes, each with two senders, all claiming the same rows at the same moment.
    senders = [sender(db, connector, clock) for db in databases for _ in range(2)]
    attempted = await asyncio.gather(*(s.run_once() for s in senders))

    assert sum(attempted) == len(chats)
    assert Counter(message.conversation_id for message in fake.activities()) == dict.fromkeys(chats, 1)
    assert all(row.status == "sent" for row in await rows(pg_db))
    fake.assert_no_violations()


async def test_a_channel_and_its_threads_are_leased_to_one_sender_at_a_time(
    pg_db: Database, replicas: list[Database], clock: FixedClock, fake: FakeConnector, connector: BotConnector
) -> None:
    """White-box: the second claim runs while the first's lease is written but not yet committed."""
    channel = "19:3f2a0c9e5b1d4c7a@thread.tacv2"
    thread = f"{channel};messageid=77"
    root = await enqueue(pg_db, clock, "agenda:1", "root", reference(fake, channel), new_thread=True)
    reply = await enqueue(pg_db, clock, "reply:1", "reply", reference(fake, thread))
    now = clock.now()
    first, second = sender(pg_db, connector, clock), sender(replicas[0], connector, clock)
    claimed_meanwhile: list[asyncio.Task[Any]] = []

    class LeaseNotYetCommitted(AsyncSession):
        async def commit(self) -> None:
            if not claimed_meanwhile:
                task = asyncio.ensure_future(second.leases.claim(Candidate(reply, thread), channel, now))
                claimed_meanwhile.append(task)
                await asyncio.wait([task], timeout=1)  # a correct claim waits for this commit
            await super().commit()

    pg_db.sessions = async_sessionmaker(pg_db.engine, class_=LeaseNotYetCommitted, expire_on_commit=False)
    first_claim = await first.leases.claim(Candidate(root, channel), channel, now)
    [second_claim] = await asyncio.gather(*claimed_meanwhile)

    assert first_claim is not None
    assert second_claim is None, "both senders leased rows of one Teams thread at once"
