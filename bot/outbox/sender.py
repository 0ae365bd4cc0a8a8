"""The one proactive-delivery path: delivers :class:`OutboxMessage` rows to Teams.

How a row travels:

1. A poll (every ``poll_seconds``, or at once after :meth:`OutboxSender.wake`)
   finds the conversations with due rows and hands each Teams thread (a chat,
   or a channel with its reply threads) to one *lane* task. A lane sends one
   message at a time, oldest first, so at most one request is ever in flight
   per thread in this process; lanes run side by side, up to ``max_in_flight``.
2. Before each send the lane waits for Teams' per-thread windows, *claims* the
   row with one atomic UPDATE that sets ``locked_until``, then waits for room
   in the global rate window. The UPDATE only matches if the row is still
   pending, due and unleased, no older row of the same conversation is pending
   and no row of the same thread is leased, so two senders (two replicas, or a
   restarted process) never hold the same row and order is kept.
3. The result goes back on the row, guarded by the lease: ``sent`` with the
   Teams ids, ``failed`` with a readable reason, or pending again with a later
   ``next_attempt_at`` (exponential backoff with jitter, or Retry-After).

A process that dies mid-send leaves its lease behind; when it expires
(``lease_seconds`` on the injected clock) another sender sends the row again,
so a message whose send was interrupted can reach Teams twice, never more.

Pacing is per process: with several replicas, give each a share of the global
rate; Teams' 429s and their Retry-After cover the per-thread windows, which
each replica only sees its own part of.
"""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from functools import partial
from typing import Any

from sqlalchemy import and_, exists, func, or_, text, update
from sqlalchemy.orm import aliased
from sqlmodel import col, select

from bot.outbox.rate_limits import (
    TEAMS_THREAD_LIMITS,
    AdaptiveRateLimiter,
    ConversationPacing,
    Window,
    pacing_key,
)
from bot.safe_logging import describe
from bot.teams.connector import BotConnector, ConnectorError
from communities.clock import Clock
from communities.db import Database
from communities.messaging.outbox import DeliveryKind, OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)

_REASON_LENGTH = 1000


class _Outcome(Enum):
    SENT = "sent"
    FAILED = "failed"
    RETRY = "retry"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class _Candidate:
    id: int
    conversation_key: str


@dataclass(frozen=True)
class _Claim:
    row: OutboxMessage
    lease: datetime
    #: For UPDATE rows: the message whose Teams activity is replaced.
    original: OutboxMessage | None


@dataclass(frozen=True)
class _Delivered:
    activity_id: str | None
    thread_conversation_id: str | None = None


class _Undeliverable(Exception):
    """The row itself is unusable (a broken reference); retrying cannot help."""


class _Deferred(Exception):
    """An UPDATE whose original has not been sent yet."""


class _BotFailure(ConnectorError):
    """An unexpected error in the bot while sending; retried like a network error."""

    def __init__(self, error: Exception) -> None:
        super().__init__(0, type(error).__name__)

    @property
    def reason(self) -> str:
        return f"the bot failed while sending ({self.detail}); see the bot's log"


class OutboxSender:
    """Delivers the outbox to Teams; see the module docstring for the guarantees."""

    def __init__(
        self,
        database: Database,
        connector: BotConnector,
        clock: Clock,
        *,
        rate_per_second: float = 20,
        max_attempts: int = 8,
        lease_seconds: float = 30,
        poll_seconds: float = 1.0,
        bot_id: str = "",
        max_in_flight: int = 16,
        batch_size: int = 48,
        conversation_limits: tuple[Window, ...] = TEAMS_THREAD_LIMITS,
        backoff_base: float = 2.0,
        backoff_cap: float = 600.0,
        send_timeout: float | None = None,
        rng: random.Random | None = None,
    ) -> None:
        if max_attempts < 1 or max_in_flight < 1 or batch_size < 1:
            raise ValueError("max_attempts, max_in_flight and batch_size must be at least 1")
        self._db = database
        self._connector = connector
        self._clock = clock
        self._max_attempts = max_attempts
        self._lease = timedelta(seconds=lease_seconds)
        self._poll_seconds = poll_seconds
        self._bot_id = bot_id
        self._batch_size = batch_size
        self._backoff_base = backoff_base
        self._backoff_cap = backoff_cap
        # A send must end well before its lease does, or another sender could take the row over.
        self._send_timeout = send_timeout if send_timeout is not None else lease_seconds / 3
        self._rng = rng or random.Random()
        self._pacing = ConversationPacing(conversation_limits)
        self._limiter = AdaptiveRateLimiter(rate_per_second)
        self._slots = asyncio.Semaphore(max_in_flight)
        self._lanes: dict[str, asyncio.Task[int]] = {}
        self._wakeup = asyncio.Event()
        self._stopping = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: asyncio.Task[None] | None = None
        self._sending = 0
        #: Lanes between taking a slot and recording the outcome; stop() lets these finish.
        self._working: set[str] = set()

    # ----------------------------------------------------------------- control

    @property
    def in_flight(self) -> int:
        """Requests to Teams under way right now."""
        return self._sending

    @property
    def current_rate(self) -> float:
        """The global rate in messages per second, lowered while Teams throttles widely."""
        return self._limiter.rate

    async def start(self) -> None:
        """Run the delivery loop in the background until :meth:`stop`."""
        if self._runner is not None and not self._runner.done():
            return
        self._stopping = False
        self._loop = asyncio.get_running_loop()
        self._runner = asyncio.create_task(self._run_forever(), name="outbox-sender")

    async def stop(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109  (a grace period, not a deadline)
        """Stop claiming rows; wait up to ``timeout`` for sends under way, then cancel them.

        A cancelled send keeps its lease, so its row is sent again (by whichever
        sender runs next) once the lease expires.
        """
        self._stopping = True
        self._wakeup.set()
        if self._runner is not None:
            await asyncio.gather(self._runner, return_exceptions=True)
            self._runner = None
        lanes = list(self._lanes.values())
        if not lanes:
            return
        for lane, task in self._lanes.items():
            if lane not in self._working:  # only waiting for its pace or a slot: nothing to finish
                task.cancel()
        _, unfinished = await asyncio.wait(lanes, timeout=timeout)
        for task in unfinished:
            task.cancel()
        await asyncio.gather(*lanes, return_exceptions=True)

    def wake(self) -> None:
        """Nudge the loop after new rows were committed. Safe to call from any thread."""
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if self._loop is not None and running is not self._loop:
            self._loop.call_soon_threadsafe(self._wakeup.set)
        else:
            self._wakeup.set()

    async def run_once(self) -> int:
        """Claim and deliver the due rows once; returns how many rows were attempted."""
        lanes = await self._dispatch()
        if not lanes:
            return 0
        results = await asyncio.gather(*lanes, return_exceptions=True)
        return sum(result for result in results if isinstance(result, int))

    async def drain(self, timeout: float = 30.0) -> int:  # noqa: ASYNC109  (the API tests asked for)
        """Deliver until no due row is left (rows retried later on the clock stay pending).

        Returns the number of attempts made; raises ``TimeoutError`` after ``timeout`` seconds.
        """
        total = 0
        async with asyncio.timeout(timeout):
            while True:
                busy = list(self._lanes.values())
                if busy:
                    await asyncio.wait(busy)
                attempted = await self.run_once()
                total += attempted
                if attempted == 0 and not self._lanes:
                    return total

    async def _run_forever(self) -> None:
        while not self._stopping:
            self._wakeup.clear()
            try:
                await self._dispatch()
            except Exception as error:
                log.error(
                    "outbox poll failed; trying again in %.1f s: %s", self._poll_seconds, describe(error)
                )
            if self._stopping:
                break
            try:
                await asyncio.wait_for(self._wakeup.wait(), self._poll_seconds)
            except TimeoutError:
                pass

    # --------------------------------------------------------------- dispatch

    async def _dispatch(self) -> list[asyncio.Task[int]]:
        """Start a lane for every Teams thread with due rows and no lane running."""
        if self._stopping:
            return []
        by_lane: dict[str, list[str]] = {}
        for key in await self._due_conversations(self._clock.now()):
            by_lane.setdefault(pacing_key(key), []).append(key)
        self._pacing.prune()
        started: list[asyncio.Task[int]] = []
        for lane, keys in by_lane.items():
            if lane in self._lanes:
                continue
            task = asyncio.create_task(self._run_lane(lane, keys), name=f"outbox-lane:{lane}")
            self._lanes[lane] = task
            task.add_done_callback(partial(self._lane_done, lane))
            started.append(task)
        return started

    def _lane_done(self, lane: str, task: asyncio.Task[int]) -> None:
        self._lanes.pop(lane, None)
        if task.cancelled():
            return
        error = task.exception()
        if error is not None:
            log.error("outbox lane %s crashed: %s", lane, describe(error))
        elif task.result() > 0:
            # The rows behind the ones just sent are due now; look again without waiting for the poll.
            self._wakeup.set()

    async def _run_lane(self, lane: str, keys: list[str]) -> int:
        """Deliver one Teams thread's due rows one at a time, its conversations in turn.

        Each conversation goes oldest row first until it has no due row left.
        After a row that stays pending (retry later, or claimed elsewhere) the
        rest of that conversation waits, so nothing overtakes it.
        """
        attempted = 0
        active = list(keys)
        while active and not self._stopping:
            for key in list(active):
                candidate = await self._next_row(key, self._clock.now())
                outcome = _Outcome.SKIPPED if candidate is None else await self._deliver(lane, candidate)
                if outcome is not _Outcome.SKIPPED:
                    attempted += 1
                if outcome in (_Outcome.RETRY, _Outcome.SKIPPED):
                    active.remove(key)
                if self._stopping:
                    break
        return attempted

    # --------------------------------------------------------------- delivery

    async def _deliver(self, lane: str, candidate: _Candidate) -> _Outcome:
        await self._pacing.wait(lane)
        async with self._slots:
            if self._stopping:
                return _Outcome.SKIPPED
            self._working.add(lane)
            try:
                return await self._claim_and_send(lane, candidate)
            finally:
                self._working.discard(lane)

    async def _claim_and_send(self, lane: str, candidate: _Candidate) -> _Outcome:
        claim = await self._claim(candidate, lane, self._clock.now())
        if claim is None:
            return _Outcome.SKIPPED
        # Room in the window comes last, so the request leaves when the limiter says, not after a DB wait.
        await self._limiter.acquire()
        try:
            delivered = await self._send(claim, lane)
        except _Deferred:
            await self._defer(claim)
            return _Outcome.SKIPPED
        except _Undeliverable as exc:
            return await self._fail(claim, str(exc))
        except ConnectorError as exc:
            return await self._after_error(claim, lane, exc)
        except Exception as exc:  # a bug must not stop the lane: retry, then fail, like a transient error
            log.error("outbox %s: unexpected error while sending: %s", claim.row.id, describe(exc))
            return await self._after_error(claim, lane, _BotFailure(exc))
        return await self._succeed(claim, delivered)

    async def _send(self, claim: _Claim, lane: str) -> _Delivered:
        row = claim.row
        service_url = str(row.reference.get("serviceUrl") or "")
        if not service_url:
            raise _Undeliverable("the stored conversation reference has no serviceUrl")
        # Checked before any request: an UPDATE may have to wait for, or fail with, its original.
        target = self._update_target(claim) if row.kind == DeliveryKind.UPDATE else None
        self._sending += 1
        try:
            async with asyncio.timeout(self._send_timeout):
                if target is not None:
                    return await self._update(service_url, row, *target)
                if row.kind == DeliveryKind.NEW_THREAD:
                    return await self._new_thread(service_url, row)
                return await self._send_message(service_url, row)
        except TimeoutError as exc:
            raise ConnectorError(0, f"no answer from Teams within {self._send_timeout:g} s") from exc
        finally:
            self._sending -= 1
            self._pacing.record(lane)

    async def _new_thread(self, service_url: str, row: OutboxMessage) -> _Delivered:
        channel_id = row.conversation_key
        parameters: dict[str, Any] = {
            "isGroup": True,
            "channelData": {"channel": {"id": channel_id}},
            "activity": self._activity(row),
        }
        bot = self._bot(row)
        if bot:
            parameters["bot"] = bot
        tenant_id = _tenant_id(row.reference)
        if tenant_id:
            parameters["tenantId"] = tenant_id
            parameters["channelData"]["tenant"] = {"id": tenant_id}
        response = await self._connector.create_conversation(service_url, parameters)
        thread_id = str(response.get("id") or "")
        root_id = str(response.get("activityId") or "") or thread_id.partition(";messageid=")[2]
        if not thread_id or not root_id:
            raise ConnectorError(0, "Teams did not return the new thread's id")
        return _Delivered(activity_id=root_id, thread_conversation_id=thread_id)

    async def _send_message(self, service_url: str, row: OutboxMessage) -> _Delivered:
        conversation_id = _conversation_id(row.reference)
        activity = self._activity(row)
        activity["conversation"] = {"id": conversation_id}
        response = await self._connector.send_to_conversation(service_url, conversation_id, activity)
        return _Delivered(activity_id=str(response["id"]) if response.get("id") else None)

    async def _update(
        self, service_url: str, row: OutboxMessage, conversation_id: str, activity_id: str
    ) -> _Delivered:
        activity = self._activity(row)
        activity["id"] = activity_id
        activity["conversation"] = {"id": conversation_id}
        await self._connector.update_activity(service_url, conversation_id, activity_id, activity)
        return _Delivered(activity_id=activity_id)

    def _update_target(self, claim: _Claim) -> tuple[str, str]:
        """(conversation id, activity id) that an UPDATE replaces."""
        original = claim.original
        if original is None:
            raise _Undeliverable("the message to update no longer exists")
        if original.status == OutboxStatus.FAILED:
            raise _Undeliverable(
                f"the original message was never delivered, so it cannot be updated "
                f"({original.failure_reason or 'no reason recorded'})"
            )
        if original.status != OutboxStatus.SENT:
            raise _Deferred
        if not original.activity_id:
            raise _Undeliverable("Teams gave no id for the original message, so it cannot be updated")
        conversation_id = original.thread_conversation_id or _conversation_id(original.reference)
        return conversation_id, original.activity_id

    def _activity(self, row: OutboxMessage) -> dict[str, Any]:
        activity: dict[str, Any] = {"type": "message", **row.payload}
        activity.setdefault("channelId", row.reference.get("channelId") or "msteams")
        bot = self._bot(row)
        if bot:
            activity["from"] = bot
        return activity

    def _bot(self, row: OutboxMessage) -> dict[str, Any] | None:
        if self._bot_id:
            return {"id": self._bot_id}
        bot = row.reference.get("bot")
        return dict(bot) if isinstance(bot, dict) and bot.get("id") else None

    # --------------------------------------------------------------- outcomes

    async def _after_error(self, claim: _Claim, lane: str, error: ConnectorError) -> _Outcome:
        if error.status == 429:
            self._limiter.throttled(lane, error.retry_after)
            self._pacing.pause(lane, error.retry_after if error.retry_after is not None else 1.0)
        elif error.retry_after is not None:
            self._pacing.pause(lane, error.retry_after)
        if not error.transient:
            return await self._fail(claim, error.reason)
        if claim.row.attempts >= self._max_attempts:
            return await self._fail(
                claim, f"gave up after {_attempts(claim.row.attempts)}; the last one: {error.reason}"
            )
        delay = self._backoff(claim.row.attempts, error.retry_after)
        retry_at = self._clock.now() + timedelta(seconds=delay)
        log.warning(
            "outbox %s to %s: attempt %d failed (%s); retrying in %.1f s",
            claim.row.id,
            claim.row.conversation_key,
            claim.row.attempts,
            error.status or "network",
            delay,
        )
        await self._finish(
            claim,
            next_attempt_at=retry_at,
            locked_until=None,
            failure_reason=_clip(f"retrying: {error.reason}"),
        )
        return _Outcome.RETRY

    def _backoff(self, attempts: int, retry_after: float | None) -> float:
        """Seconds before the next attempt: Retry-After when Teams gave it, else capped exponential."""
        if retry_after is not None:
            return retry_after + self._rng.uniform(0, min(1.0, retry_after / 10))
        ceiling = min(self._backoff_cap, self._backoff_base * 2.0 ** max(0, attempts - 1))
        return ceiling / 2 + self._rng.uniform(0, ceiling / 2)

    async def _succeed(self, claim: _Claim, delivered: _Delivered) -> _Outcome:
        recorded = await self._finish(
            claim,
            status=OutboxStatus.SENT,
            activity_id=delivered.activity_id,
            thread_conversation_id=delivered.thread_conversation_id,
            sent_at=self._clock.now(),
            locked_until=None,
            failure_reason=None,
        )
        if recorded:
            log.info(
                "outbox %s sent to %s as activity %s",
                claim.row.id,
                claim.row.conversation_key,
                delivered.activity_id,
            )
        return _Outcome.SENT

    async def _fail(self, claim: _Claim, reason: str) -> _Outcome:
        await self._finish(claim, status=OutboxStatus.FAILED, locked_until=None, failure_reason=_clip(reason))
        log.warning("outbox %s to %s failed: %s", claim.row.id, claim.row.conversation_key, reason)
        return _Outcome.FAILED

    async def _defer(self, claim: _Claim) -> None:
        """Put an UPDATE back, uncounted, until its original has been sent."""
        await self._finish(
            claim,
            attempts=max(0, claim.row.attempts - 1),
            next_attempt_at=self._clock.now() + timedelta(seconds=max(1.0, self._poll_seconds)),
            locked_until=None,
        )

    # -------------------------------------------------------------------- SQL

    async def _due_conversations(self, now: datetime) -> list[str]:
        """Conversations with a row to send now, the longest waiting first.

        One entry per conversation, so that a long queue in one of them cannot
        crowd the others out of the batch. A conversation waits while one of its
        rows is leased, or while its oldest due row is behind one backing off.
        """
        other = aliased(OutboxMessage)
        blocking = exists().where(
            col(other.conversation_key) == col(OutboxMessage.conversation_key),
            col(other.status) == OutboxStatus.PENDING,
            col(other.id) != col(OutboxMessage.id),
            or_(
                col(other.locked_until) > now,
                and_(col(other.id) < col(OutboxMessage.id), col(other.next_attempt_at) > now),
            ),
        )
        oldest = func.min(col(OutboxMessage.id))
        statement = (
            select(col(OutboxMessage.conversation_key), oldest)
            .where(
                col(OutboxMessage.status) == OutboxStatus.PENDING,
                col(OutboxMessage.next_attempt_at) <= now,
                _lease_free(now),
                ~blocking,
            )
            .group_by(col(OutboxMessage.conversation_key))
            .order_by(oldest)
            .limit(self._batch_size)
        )
        async with self._db.session() as session:
            rows = (await session.exec(statement)).all()
        return [key for key, _ in rows]

    async def _next_row(self, key: str, now: datetime) -> _Candidate | None:
        """The oldest due, unleased row of one conversation (the claim checks it heads the queue)."""
        statement = (
            select(col(OutboxMessage.id))
            .where(
                col(OutboxMessage.conversation_key) == key,
                col(OutboxMessage.status) == OutboxStatus.PENDING,
                col(OutboxMessage.next_attempt_at) <= now,
                _lease_free(now),
            )
            .order_by(col(OutboxMessage.id))
            .limit(1)
        )
        async with self._db.session() as session:
            row_id = (await session.exec(statement)).first()
        return None if row_id is None else _Candidate(id=row_id, conversation_key=key)

    async def _claim(self, candidate: _Candidate, lane: str, now: datetime) -> _Claim | None:
        """Lease one row atomically, or return None if it is not this sender's to send now."""
        lease = now + self._lease
        other = aliased(OutboxMessage)
        same_thread = or_(
            col(other.conversation_key) == lane,
            col(other.conversation_key).startswith(lane + ";messageid=", autoescape=True),
        )
        blocking = exists().where(
            col(other.status) == OutboxStatus.PENDING,
            col(other.id) != candidate.id,
            or_(
                and_(col(other.conversation_key) == candidate.conversation_key, col(other.id) < candidate.id),
                and_(same_thread, col(other.locked_until) > now),
            ),
        )
        statement = (
            update(OutboxMessage)
            .where(
                col(OutboxMessage.id) == candidate.id,
                col(OutboxMessage.conversation_key) == candidate.conversation_key,
                col(OutboxMessage.status) == OutboxStatus.PENDING,
                col(OutboxMessage.next_attempt_at) <= now,
                _lease_free(now),
                ~blocking,
            )
            .values(locked_until=lease, attempts=col(OutboxMessage.attempts) + 1)
            .execution_options(synchronize_session=False)
        )
        async with self._db.session() as session:
            if not self._db.is_sqlite:
                # PostgreSQL runs two claims of one thread side by side, and neither sees the
                # other's uncommitted lease; a per-thread lock for this transaction orders them.
                # (SQLite lets one writer in at a time, which orders them already.)
                await session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:lane))"), {"lane": lane})
            result = await session.exec(statement)
            if result.rowcount != 1:
                await session.rollback()
                return None
            await session.commit()
            row = await session.get(OutboxMessage, candidate.id)
            if row is None:
                return None
            original = None
            if row.kind == DeliveryKind.UPDATE and row.update_of_id is not None:
                original = await session.get(OutboxMessage, row.update_of_id)
        return _Claim(row=row, lease=lease, original=original)

    async def _finish(self, claim: _Claim, **values: Any) -> bool:
        """Write the outcome, but only while this sender still holds the row's lease."""
        statement = (
            update(OutboxMessage)
            .where(
                col(OutboxMessage.id) == claim.row.id,
                col(OutboxMessage.status) == OutboxStatus.PENDING,
                col(OutboxMessage.locked_until) == claim.lease,
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        async with self._db.session() as session:
            result = await session.exec(statement)
            await session.commit()
        if result.rowcount != 1:
            log.warning(
                "outbox %s: the lease ran out before the result was recorded; another sender may "
                "send it again",
                claim.row.id,
            )
            return False
        return True


def _lease_free(now: datetime) -> Any:
    return or_(col(OutboxMessage.locked_until).is_(None), col(OutboxMessage.locked_until) <= now)


def _conversation_id(reference: dict[str, Any]) -> str:
    conversation_id = str((reference.get("conversation") or {}).get("id") or "")
    if not conversation_id:
        raise _Undeliverable("the stored conversation reference has no conversation id")
    return conversation_id


def _tenant_id(reference: dict[str, Any]) -> str | None:
    conversation = reference.get("conversation") or {}
    channel_data = reference.get("channelData") or {}
    tenant = conversation.get("tenantId") or (channel_data.get("tenant") or {}).get("id")
    return str(tenant) if tenant else None


def _attempts(count: int) -> str:
    return "1 attempt" if count == 1 else f"{count} attempts"


def _clip(reason: str) -> str:
    return reason if len(reason) <= _REASON_LENGTH else reason[: _REASON_LENGTH - 1] + "…"
