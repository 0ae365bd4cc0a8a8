"""The outbox sender against the fake Bot Connector and a real database."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
from sqlmodel import col, select

from bot.outbox.leases import Candidate
from bot.outbox.rate_limits import TEAMS_THREAD_LIMITS, AdaptiveRateLimiter, SlidingWindowPacer, Window
from bot.outbox.sender import OutboxSender
from bot.teams.connector import BotConnector, NoTokens
from communities.clock import FixedClock, SystemClock
from communities.db import Database
from communities.messaging.outbox import Outbox, OutboxMessage, OutgoingMessage
from tests.support.fake_connector import FakeConnector, Fault

CHANNEL = "19:3f2a0c9e5b1d4c7a@thread.tacv2"
TENANT = "kent-tenant"


def channel_reference(fake: FakeConnector, channel: str = CHANNEL) -> dict[str, Any]:
    return {
        "serviceUrl": fake.url,
        "channelId": "msteams",
        "bot": {"id": "28:cosbot", "name": "Cosbot"},
        "conversation": {"id": channel, "isGroup": True, "conversationType": "channel", "tenantId": TENANT},
    }


def chat_reference(fake: FakeConnector, chat_id: str) -> dict[str, Any]:
    return {
        "serviceUrl": fake.url,
        "channelId": "msteams",
        "bot": {"id": "28:cosbot", "name": "Cosbot"},
        "user": {"id": "29:someone", "aadObjectId": "aad-1"},
        "conversation": {"id": chat_id, "conversationType": "personal", "tenantId": TENANT},
    }


class Harness:
    """Enqueues through the real Outbox API and builds senders on the test's database."""

    def __init__(self, db: Database, clock: FixedClock, fake: FakeConnector, connector: BotConnector) -> None:
        self.db = db
        self.clock = clock
        self.fake = fake
        self.connector = connector
        self.outbox = Outbox(clock)

    def sender(self, database: Database | None = None, **options: Any) -> OutboxSender:
        options.setdefault("poll_seconds", 0.05)
        clock = options.pop("clock", self.clock)
        return OutboxSender(database or self.db, self.connector, clock, **options)

    async def new_thread(self, key: str, text: str, channel: str = CHANNEL) -> int:
        async with self.db.session() as session:
            row = await self.outbox.new_thread(
                session,
                key=key,
                channel_reference=channel_reference(self.fake, channel),
                message=OutgoingMessage(text=text),
            )
            await session.commit()
        assert row.id is not None
        return row.id

    async def send(self, key: str, text: str, reference: dict[str, Any]) -> int:
        async with self.db.session() as session:
            row = await self.outbox.send(
                session, key=key, reference=reference, message=OutgoingMessage(text=text)
            )
            await session.commit()
        assert row.id is not None
        return row.id

    async def update(self, key: str, original_id: int, text: str) -> int:
        async with self.db.session() as session:
            original = await session.get(OutboxMessage, original_id)
            assert original is not None
            row = await self.outbox.update(
                session, key=key, original=original, message=OutgoingMessage(text=text)
            )
            await session.commit()
        assert row.id is not None
        return row.id

    async def row(self, row_id: int) -> OutboxMessage:
        async with self.db.session() as session:
            row = await session.get(OutboxMessage, row_id)
        assert row is not None
        return row

    async def rows(self) -> list[OutboxMessage]:
        async with self.db.session() as session:
            return list((await session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id)))).all())

    async def deliver_all(self, sender: OutboxSender, rounds: int = 20) -> None:
        """Drain, jumping the clock past every backoff, until nothing is pending."""
        for _ in range(rounds):
            await sender.drain(timeout=60)
            if all(row.status != "pending" for row in await self.rows()):
                return
            self.clock.advance(hours=1)
        raise AssertionError("rows still pending after every retry")


@pytest.fixture
def h(db: Database, clock: FixedClock, fake: FakeConnector, connector: BotConnector) -> Harness:
    return Harness(db, clock, fake, connector)


def texts(fake: FakeConnector, conversation_id: str | None = None) -> list[str | None]:
    return [message.text for message in fake.activities(conversation_id)]


# ------------------------------------------------------------------ delivery


async def test_new_thread_then_reply_then_update(h: Harness, fake: FakeConnector) -> None:
    root_id = await h.new_thread("agenda:1", "Agenda for 1 December")
    sender = h.sender()

    assert await sender.run_once() == 1

    root = await h.row(root_id)
    assert root.status == "sent" and root.sent_at == h.clock.now()
    assert root.thread_conversation_id == f"{CHANNEL};messageid={root.activity_id}"
    assert fake.threads(CHANNEL) == [root.thread_conversation_id]
    [create] = fake.requests_to(CHANNEL, "create_conversation")
    assert create.body["isGroup"] is True
    assert create.body["channelData"]["channel"]["id"] == CHANNEL
    assert create.body["tenantId"] == TENANT
    assert create.body["activity"]["type"] == "message"
    assert create.body["activity"]["from"]["id"] == "28:cosbot"

    thread_reference = channel_reference(h.fake, root.thread_conversation_id)
    reply_id = await h.send("reminder:1", "Reminder: papers are out", thread_reference)
    update_id = await h.update("agenda:1:v2", root_id, "Agenda for 1 December (room changed)")
    await sender.drain()

    assert texts(fake, root.thread_conversation_id) == [
        "Agenda for 1 December (room changed)",
        "Reminder: papers are out",
    ]
    posted_root = fake.activity(str(root.activity_id))
    assert posted_root.updates == 1 and posted_root.history[0]["text"] == "Agenda for 1 December"
    [put] = fake.requests_to(CHANNEL, "update")
    assert put.conversation_id == root.thread_conversation_id and put.activity_id == root.activity_id
    reply, update = await h.row(reply_id), await h.row(update_id)
    assert reply.status == "sent" and reply.activity_id == fake.activities()[1].id
    assert update.status == "sent" and update.activity_id == root.activity_id
    fake.assert_no_violations()


async def test_personal_chat_send(h: Harness, fake: FakeConnector) -> None:
    chat = "a:1personal-chat"
    row_id = await h.send("dm:1", "Your papers are ready", chat_reference(fake, chat))

    assert await h.sender().run_once() == 1

    row = await h.row(row_id)
    [posted] = fake.activities(chat)
    assert row.status == "sent" and row.activity_id == posted.id
    assert posted.text == "Your papers are ready"
    assert posted.activity["type"] == "message" and posted.activity["conversation"] == {"id": chat}
    assert row.failure_reason is None


async def test_a_repeated_idempotency_key_sends_once(h: Harness, fake: FakeConnector) -> None:
    chat = "a:1repeat"
    first = await h.send("dm:same", "Once only", chat_reference(fake, chat))
    second = await h.send("dm:same", "Once only", chat_reference(fake, chat))

    await h.sender().drain()

    assert first == second
    assert texts(fake, chat) == ["Once only"]
    assert len(fake.requests) == 1


async def test_a_sent_row_is_never_sent_again(h: Harness, fake: FakeConnector) -> None:
    await h.send("dm:1", "Hello", chat_reference(fake, "a:1x"))
    sender = h.sender()
    assert await sender.run_once() == 1

    h.clock.advance(hours=2)  # far past any lease
    assert await sender.run_once() == 0
    assert await h.sender().run_once() == 0
    assert len(fake.requests) == 1


# ------------------------------------------------------------------ failures


async def test_429_with_retry_after_is_honoured(h: Harness, fake: FakeConnector) -> None:
    chat = "a:1throttled"
    fake.script(chat, Fault.throttle(retry_after=1))
    row_id = await h.send("dm:1", "Hello", chat_reference(fake, chat))
    sender = h.sender()

    assert await sender.run_once() == 1
    row = await h.row(row_id)
    assert row.status == "pending" and row.attempts == 1
    assert row.next_attempt_at >= h.clock.now() + timedelta(seconds=1)
    assert row.failure_reason is not None and "slow down" in row.failure_reason

    h.clock.advance(seconds=2)
    assert await sender.run_once() == 1

    assert (await h.row(row_id)).status == "sent"
    first, second = fake.requests_to(chat)
    assert second.arrived_at - first.arrived_at >= 1.0  # the sender waited in real time too
    fake.assert_no_violations()


@pytest.mark.parametrize(
    "fault",
    [Fault.error(412), Fault.error(502), Fault.error(503), Fault.error(504), Fault.dropped()],
    ids=["412", "502", "503", "504", "dropped"],
)
async def test_transient_failures_are_retried(h: Harness, fake: FakeConnector, fault: Fault) -> None:
    chat = "a:1flaky"
    fake.script(chat, fault, fault)
    row_id = await h.send("dm:1", "Hello", chat_reference(fake, chat))

    await h.deliver_all(h.sender())

    row = await h.row(row_id)
    assert row.status == "sent" and row.attempts == 3 and row.failure_reason is None
    assert len(fake.requests_to(chat)) == 3
    assert texts(fake, chat) == ["Hello"]


async def test_a_faulted_send_is_retried_at_the_next_free_slot_in_the_same_run(
    h: Harness, fake: FakeConnector
) -> None:
    chat = "a:1flaky"
    fake.script(chat, 502, 503)
    row_id = await h.send("dm:1", "Hello", chat_reference(fake, chat))

    assert await h.sender().run_once() == 3  # the clock never moved: no backoff between the attempts

    row = await h.row(row_id)
    assert row.status == "sent" and row.attempts == 3
    assert texts(fake, chat) == ["Hello"]
    fake.assert_no_violations()


async def test_a_429_is_retried_in_the_first_slot_after_its_retry_after(
    h: Harness, fake: FakeConnector
) -> None:
    chat = "a:1throttled"
    fake.script(chat, Fault.throttle(retry_after=1))
    row_id = await h.send("dm:1", "Hello", chat_reference(fake, chat))

    assert await h.sender(clock=SystemClock()).run_once() == 2  # the lane waited for it: no poll needed

    assert (await h.row(row_id)).status == "sent"
    first, second = fake.requests_to(chat)
    assert second.arrived_at - first.arrived_at >= 1.0
    fake.assert_no_violations()


async def test_a_conversation_that_keeps_failing_backs_off_more_each_time(
    h: Harness, fake: FakeConnector
) -> None:
    chat = "a:1backoff"
    fake.fail(chat, 502)
    row_id = await h.send("dm:1", "Hello", chat_reference(fake, chat))
    sender = h.sender(backoff_base=2.0, quick_retries=2, hold_seconds=0)

    assert await sender.run_once() == 3  # the first two failures are retried at once
    delays = []
    for _ in range(4):
        row = await h.row(row_id)
        delays.append((row.next_attempt_at - h.clock.now()).total_seconds())
        h.clock.advance(seconds=delays[-1])
        assert await sender.run_once() == 1

    # The n-th wait is between half and all of 2 * 2**(n-1) seconds.
    for n, delay in enumerate(delays, start=1):
        ceiling = 2.0 * 2 ** (n - 1)
        assert ceiling / 2 <= delay <= ceiling
    assert len(fake.requests_to(chat)) == 7


@pytest.mark.parametrize(
    ("status", "expected"),
    [(403, "not allowed to post here"), (404, "conversation was not found")],
)
async def test_permanent_errors_fail_at_once_with_a_readable_reason(
    h: Harness, fake: FakeConnector, status: int, expected: str
) -> None:
    chat = "a:1gone"
    fake.fail(chat, status)
    row_id = await h.send("dm:1", "Hello", chat_reference(fake, chat))
    sender = h.sender()

    assert await sender.run_once() == 1
    h.clock.advance(hours=1)
    assert await sender.run_once() == 0

    row = await h.row(row_id)
    assert row.status == "failed" and row.attempts == 1
    assert row.failure_reason is not None and expected in row.failure_reason
    assert len(fake.requests_to(chat)) == 1


async def test_gives_up_after_max_attempts(h: Harness, fake: FakeConnector) -> None:
    chat = "a:1down"
    fake.fail(chat, 502)
    row_id = await h.send("dm:1", "Hello", chat_reference(fake, chat))

    await h.deliver_all(h.sender(max_attempts=3))

    row = await h.row(row_id)
    assert row.status == "failed" and row.attempts == 3
    assert row.failure_reason is not None
    assert row.failure_reason.startswith("gave up after 3 attempts") and "502" in row.failure_reason
    assert len(fake.requests_to(chat)) == 3


async def test_a_send_without_an_answer_times_out_and_is_retried(h: Harness, fake: FakeConnector) -> None:
    chat = "a:1slow"
    fake.script(chat, Fault.slow(0.8))
    row_id = await h.send("dm:1", "Hello", chat_reference(fake, chat))
    sender = h.sender(send_timeout=0.2, quick_retries=0, hold_seconds=0)

    assert await sender.run_once() == 1
    row = await h.row(row_id)
    assert row.status == "pending" and row.failure_reason is not None and "no answer" in row.failure_reason

    await fake.wait_for(lambda: all(r.answered_at for r in fake.requests))
    await h.deliver_all(sender)
    assert (await h.row(row_id)).status == "sent"
    # The slow answer still posted it: an interrupted send can arrive twice, never more.
    assert texts(fake, chat) == ["Hello", "Hello"]


async def test_a_broken_reference_fails_without_a_request(h: Harness, fake: FakeConnector) -> None:
    reference = chat_reference(fake, "a:1nourl")
    del reference["serviceUrl"]
    row_id = await h.send("dm:1", "Hello", reference)

    assert await h.sender().run_once() == 1

    row = await h.row(row_id)
    assert row.status == "failed" and row.failure_reason is not None and "serviceUrl" in row.failure_reason
    assert fake.requests == []


# -------------------------------------------------------------------- update


async def test_an_update_waits_for_its_original(h: Harness, fake: FakeConnector) -> None:
    fake.script(CHANNEL, 502)
    root_id = await h.new_thread("agenda:1", "v1")
    update_id = await h.update("agenda:1:v2", root_id, "v2")
    sender = h.sender(quick_retries=0, hold_seconds=0)  # the original's retry waits for a later run

    assert await sender.run_once() == 1  # only the original: it failed, and the update stays behind it
    update = await h.row(update_id)
    assert update.status == "pending" and update.attempts == 0
    assert fake.requests_to(CHANNEL, "update") == []

    await h.deliver_all(sender)

    assert [r.operation for r in fake.requests_to(CHANNEL)] == ["create_conversation"] * 2 + ["update"]
    [root] = fake.activities(CHANNEL)
    assert root.text == "v2" and root.updates == 1
    assert (await h.row(update_id)).status == "sent"


async def test_an_update_of_a_failed_original_fails(h: Harness, fake: FakeConnector) -> None:
    fake.fail(CHANNEL, 403)
    root_id = await h.new_thread("agenda:1", "v1")
    update_id = await h.update("agenda:1:v2", root_id, "v2")

    await h.deliver_all(h.sender())

    update = await h.row(update_id)
    assert update.status == "failed"
    assert update.failure_reason is not None
    assert "original message was never delivered" in update.failure_reason
    assert "not allowed to post here" in update.failure_reason
    assert fake.requests_to(CHANNEL, "update") == []


async def test_an_update_claimed_before_its_original_is_put_back(h: Harness, fake: FakeConnector) -> None:
    """Normally the queue order keeps an update behind its original; this is the fallback."""
    fake.script(CHANNEL, 502)
    root_id = await h.new_thread("agenda:1", "v1")
    update_id = await h.update("agenda:1:v2", root_id, "v2")
    async with h.db.session() as session:
        update = await session.get(OutboxMessage, update_id)
        assert update is not None
        update.conversation_key = "somewhere-else"
        session.add(update)
        await session.commit()
    sender = h.sender()

    await sender.run_once()

    update = await h.row(update_id)
    assert update.status == "pending" and update.attempts == 0 and update.next_attempt_at > h.clock.now()
    assert fake.requests_to(CHANNEL, "update") == []
    await h.deliver_all(sender)
    assert (await h.row(update_id)).status == "sent"
    assert fake.activities(CHANNEL)[0].text == "v2"


# ------------------------------------------------------------ pacing and load


async def test_many_messages_to_one_conversation_keep_order_and_limits(
    h: Harness, fake: FakeConnector
) -> None:
    fake.latency = 0.02
    chat = "a:1busy"
    for n in range(12):  # more than Teams allows in 1 s (7) and in 2 s (8)
        await h.send(f"dm:{n}", f"message {n}", chat_reference(fake, chat))

    attempted = await h.sender().drain(timeout=60)

    assert attempted == 12
    assert texts(fake, chat) == [f"message {n}" for n in range(12)]
    fake.assert_no_violations()
    assert all(row.status == "sent" for row in await h.rows())


async def test_fifty_conversations_in_parallel_one_in_flight_each(h: Harness, fake: FakeConnector) -> None:
    fake.latency = 0.02
    chats = [f"a:1chat{n:02d}" for n in range(50)]
    for round_ in range(2):
        for chat in chats:
            await h.send(f"dm:{chat}:{round_}", f"{chat} #{round_}", chat_reference(fake, chat))

    attempted = await h.sender(rate_per_second=40, max_in_flight=16).drain(timeout=60)

    assert attempted == 100
    fake.assert_no_violations()
    for chat in chats:
        assert texts(fake, chat) == [f"{chat} #0", f"{chat} #1"]
    assert 1 < fake.peak_concurrency() <= 16


async def test_a_long_queue_in_one_conversation_does_not_hold_up_others(
    h: Harness, fake: FakeConnector
) -> None:
    for n in range(30):
        await h.send(f"busy:{n}", f"busy {n}", chat_reference(fake, "a:1busy"))
    await h.send("quiet:1", "quiet", chat_reference(fake, "a:1quiet"))
    sender = h.sender(batch_size=5, conversation_limits=(Window(2, 1.0),))  # the busy chat takes 15 s
    await sender.start()
    try:
        await fake.wait_for(lambda: fake.activities("a:1quiet"), timeout=5)
        assert len(fake.activities("a:1busy")) < 30
    finally:
        await sender.stop(timeout=5)
    fake.assert_no_violations()


async def test_a_channel_and_its_threads_are_paced_together(h: Harness, fake: FakeConnector) -> None:
    fake.latency = 0.01
    root_id = await h.new_thread("agenda:1", "root")
    sender = h.sender()
    await sender.run_once()
    thread = (await h.row(root_id)).thread_conversation_id
    assert thread is not None
    for n in range(5):
        await h.new_thread(f"other:{n}", f"new thread {n}")
        await h.send(f"reply:{n}", f"reply {n}", channel_reference(fake, thread))

    await sender.drain(timeout=60)  # 11 sends to one channel: over Teams' 7 per second

    assert len(fake.activities(CHANNEL)) == 11
    fake.assert_no_violations()


async def test_throttling_across_conversations_slows_the_global_rate(h: Harness, fake: FakeConnector) -> None:
    for n in range(4):
        chat = f"a:1hot{n}"
        fake.script(chat, Fault.throttle(retry_after=1))
        await h.send(f"dm:{n}", "Hello", chat_reference(fake, chat))
    sender = h.sender(rate_per_second=20)

    assert await sender.run_once() == 4

    assert sender.current_rate < 20


# ---------------------------------------------------------- restarts, replicas


@pytest.mark.parametrize("how", ["graceful", "cancelled"])
async def test_a_second_sender_finishes_what_the_first_left(
    h: Harness, fake: FakeConnector, database_url: str, how: str
) -> None:
    chat = "a:1restart"
    fake.script(chat, Fault.ok(), Fault.ok(), Fault.slow(0.5))
    for n in range(6):
        await h.send(f"dm:{n}", f"message {n}", chat_reference(fake, chat))
    first = h.sender()
    await first.start()
    await fake.wait_for(lambda: len(fake.requests_to(chat)) >= 3, timeout=10)

    await first.stop(timeout=10 if how == "graceful" else 0)

    states = [row.status for row in await h.rows()]
    assert states[:2] == ["sent", "sent"] and states[3:] == ["pending"] * 3
    assert states[2] == ("sent" if how == "graceful" else "pending")
    await fake.wait_for(lambda: all(r.answered_at for r in fake.requests), timeout=10)

    other_process = Database(database_url)
    try:
        second = h.sender(other_process)
        if how == "cancelled":
            assert await second.run_once() == 0  # the cancelled send's lease still holds
            h.clock.advance(seconds=31)
        await second.drain(timeout=60)
    finally:
        await other_process.dispose()

    assert all(row.status == "sent" for row in await h.rows())
    counts = Counter(texts(fake, chat))
    assert set(counts) == {f"message {n}" for n in range(6)}
    assert all(count == 1 for text, count in counts.items() if text != "message 2")
    assert 1 <= counts["message 2"] <= 2
    assert [text for text in texts(fake, chat) if text != "message 2"] == [
        f"message {n}" for n in (0, 1, 3, 4, 5)
    ]
    fake.assert_no_violations()


async def test_two_senders_at_once_never_double_send(
    h: Harness, fake: FakeConnector, database_url: str
) -> None:
    fake.latency = 0.01
    chats = [f"a:1pair{n:02d}" for n in range(20)]
    for n in range(3):
        for chat in chats:
            await h.send(f"dm:{chat}:{n}", f"{chat} #{n}", chat_reference(fake, chat))
    other_process = Database(database_url)
    await other_process.ping()  # connected, so that both start together
    try:
        # rate_per_second is per process: two replicas at 20 stay under Teams' 50 per second.
        one, two = h.sender(rate_per_second=20), h.sender(other_process, rate_per_second=20)
        attempted = await asyncio.gather(one.drain(timeout=60), two.drain(timeout=60))
    finally:
        await other_process.dispose()

    assert [(r.id, r.status, r.failure_reason) for r in await h.rows() if r.status != "sent"] == []
    assert sum(attempted) == 60 and min(attempted) > 0  # both worked, no row twice
    for chat in chats:
        assert texts(fake, chat) == [f"{chat} #{n}" for n in range(3)]
    fake.assert_no_violations()


async def test_the_claim_is_atomic_and_keeps_order(
    h: Harness, fake: FakeConnector, database_url: str
) -> None:
    """White-box: the UPDATE that leases a row, which the senders above rely on."""
    chat = "a:1claims"
    first = await h.send("dm:1", "one", chat_reference(fake, chat))
    second = await h.send("dm:2", "two", chat_reference(fake, chat))
    root = await h.new_thread("agenda:1", "root")
    reply = await h.send("reply:1", "reply", channel_reference(fake, f"{CHANNEL};messageid=77"))
    now = h.clock.now()
    other_process = Database(database_url)
    try:
        senders = [h.sender(), h.sender(other_process)]
        behind = await senders[1].leases.claim(Candidate(second, chat), chat, now)
        claims = await asyncio.gather(
            *(sender.leases.claim(Candidate(first, chat), chat, now) for sender in senders for _ in range(5))
        )
        channel = await senders[0].leases.claim(Candidate(root, CHANNEL), CHANNEL, now)
        thread = await senders[1].leases.claim(Candidate(reply, f"{CHANNEL};messageid=77"), CHANNEL, now)
    finally:
        await other_process.dispose()

    assert sum(claim is not None for claim in claims) == 1  # one winner among ten tries
    assert behind is None  # an older row of the conversation is pending (not even leased)
    assert channel is not None and thread is None  # a channel and its threads: one lease at a time
    leased = await h.row(first)
    assert leased.attempts == 1 and leased.locked_until == now + timedelta(seconds=30)


async def test_the_background_loop_wakes_on_enqueue(h: Harness, fake: FakeConnector) -> None:
    sender = h.sender(poll_seconds=30)  # only a wake can make it look again within the test
    h.outbox.wake_listeners.append(sender.wake)
    await sender.start()
    try:
        await asyncio.sleep(0.1)  # the first poll has found nothing
        await h.send("dm:1", "Hello", chat_reference(fake, "a:1woken"))
        h.outbox.wake()
        await fake.wait_for(lambda: fake.activities("a:1woken"), timeout=5)
    finally:
        await sender.stop()
    assert sender.in_flight == 0


async def test_stop_does_not_wait_for_a_conversation_that_is_pacing(h: Harness, fake: FakeConnector) -> None:
    chat = "a:1paced"
    await h.send("dm:1", "first", chat_reference(fake, chat))
    await h.send("dm:2", "second", chat_reference(fake, chat))
    sender = h.sender(conversation_limits=(Window(1, 30.0),))  # one message per 30 s
    await sender.start()
    await fake.wait_for(lambda: fake.activities(chat), timeout=5)

    started = asyncio.get_running_loop().time()
    await sender.stop(timeout=20)

    assert asyncio.get_running_loop().time() - started < 5  # not the 30 s pace, nor the 20 s grace
    second = (await h.rows())[1]
    assert second.status == "pending" and second.attempts == 0 and second.locked_until is None


class ExplodingConnector(BotConnector):
    async def send_to_conversation(
        self, service_url: str, conversation_id: str, activity: dict[str, Any]
    ) -> dict[str, Any]:
        raise RuntimeError("a bug")


async def test_a_bug_while_sending_is_retried_then_reported(
    h: Harness, fake: FakeConnector, http: aiohttp.ClientSession
) -> None:
    row_id = await h.send("dm:1", "Hello", chat_reference(fake, "a:1bug"))
    sender = OutboxSender(h.db, ExplodingConnector(http, NoTokens()), h.clock, max_attempts=2)
    await h.deliver_all(sender)

    row = await h.row(row_id)
    assert row.status == "failed" and row.attempts == 2
    assert row.failure_reason == (
        "gave up after 2 attempts; the last one: "
        "the bot failed while sending (RuntimeError); see the bot's log"
    )


async def test_logs_never_contain_message_text(
    h: Harness, fake: FakeConnector, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="bot")
    fake.script("a:1log", 502)
    fake.fail("a:1denied", 403)
    await h.send("dm:1", "SECRET-BODY-1", chat_reference(fake, "a:1log"))
    await h.send("dm:2", "SECRET-BODY-2", chat_reference(fake, "a:1denied"))

    await h.deliver_all(h.sender())

    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("bot."))
    assert "a:1log" in ours and "a:1denied" in ours
    assert "SECRET-BODY" not in ours


# --------------------------------------------------------------- rate limits


def test_the_pacer_keeps_to_every_window() -> None:
    pacer = SlidingWindowPacer(TEAMS_THREAD_LIMITS, margin=0.0)
    for n in range(7):
        assert pacer.delay(n * 0.01) == 0
        pacer.record(n * 0.01)
    assert pacer.delay(0.1) == pytest.approx(0.9)  # 7 per second
    pacer.record(1.0)
    assert pacer.delay(1.01) == pytest.approx(0.99)  # 8 per 2 seconds
    pacer.pause_until(5.0)
    assert pacer.delay(2.5) == pytest.approx(2.5)  # Retry-After


def test_the_pacer_allows_sixty_per_thirty_seconds() -> None:
    pacer = SlidingWindowPacer([Window(60, 30.0)], margin=0.0)
    for n in range(60):
        pacer.record(n * 0.1)
    assert pacer.delay(6.0) == pytest.approx(24.0)
    assert pacer.delay(30.0) == 0


async def test_the_bucket_halves_when_several_conversations_are_throttled_and_recovers() -> None:
    now = [0.0]
    bucket = AdaptiveRateLimiter(20, monotonic=lambda: now[0], recover_after=10)

    bucket.throttled("a", 1)
    bucket.throttled("a", 1)
    bucket.throttled("b", 1)
    assert bucket.rate == 20  # two conversations: their own business
    bucket.throttled("c", 1)
    assert bucket.rate == 10

    now[0] = 11.0
    await bucket.acquire()
    assert bucket.rate == 20
