"""The one proactive-delivery path: delivers :class:`OutboxMessage` rows to Teams.

How a row travels:

1. A poll (every ``poll_seconds``, or at once after :meth:`OutboxSender.wake`)
   finds the conversations with due rows and hands each Teams thread (a chat,
   or a channel with its reply threads) to one *lane* task. A lane sends one
   message at a time, oldest first, so at most one request is ever in flight
   per thread in this process; lanes run side by side, up to ``max_in_flight``.
2. Before each send the lane waits for Teams' per-thread windows, *claims* the
   row (a lease, :mod:`bot.outbox.leases`: two senders never hold the same row,
   and order is kept), then waits for room in the global rate window, and
   :mod:`bot.outbox.delivery` makes the Bot Connector call.
3. The result goes back on the row, guarded by the lease: ``sent`` with the
   Teams ids, ``failed`` with a readable reason, or pending again with a later
   ``next_attempt_at`` (:mod:`bot.outbox.retries`: the next free slot, Retry-After,
   or backing off when a conversation keeps failing).

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
from datetime import timedelta
from enum import Enum
from functools import partial

from bot.outbox.delivery import BotFailure, Deferred, Delivered, TeamsDelivery, Undeliverable
from bot.outbox.leases import Candidate, Claim, OutboxLeases
from bot.outbox.rate_limits import (
    TEAMS_THREAD_LIMITS,
    AdaptiveRateLimiter,
    ConversationPacing,
    Window,
    pacing_key,
)
from bot.outbox.retries import CLOCK_MARGIN, RetryPolicy
from bot.safe_logging import describe
from bot.teams.connector import BotConnector, ConnectorError
from communities.clock import Clock
from communities.db import Database
from communities.messaging.outbox import DeliveryKind, OutboxStatus

log = logging.getLogger(__name__)

_REASON_LENGTH = 1000


class _Outcome(Enum):
    SENT = "sent"
    FAILED = "failed"
    RETRY = "retry"
    #: Pending again and due within ``hold_seconds``: the lane waits for it (pacing) and goes on.
    AGAIN = "again"
    SKIPPED = "skipped"


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
        quick_retries: int = 2,
        hold_seconds: float = 2.0,
        send_timeout: float | None = None,
        rng: random.Random | None = None,
    ) -> None:
        if max_attempts < 1 or max_in_flight < 1 or batch_size < 1:
            raise ValueError("max_attempts, max_in_flight and batch_size must be at least 1")
        #: The rows' side of delivery (public for the tests of concurrent claims).
        self.leases = OutboxLeases(database, lease=timedelta(seconds=lease_seconds), batch_size=batch_size)
        self._delivery = TeamsDelivery(connector, bot_id, database, clock)
        self._clock = clock
        self._max_attempts = max_attempts
        self._poll_seconds = poll_seconds
        self._retries = RetryPolicy(
            max(0, quick_retries), backoff_base, backoff_cap, hold_seconds, rng or random.Random()
        )
        # A send must end well before its lease does, or another sender could take the row over.
        self._send_timeout = send_timeout if send_timeout is not None else lease_seconds / 3
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
        for key in await self.leases.due_conversations(self._clock.now()):
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
                candidate = await self.leases.next_row(key, self._clock.now())
                outcome = _Outcome.SKIPPED if candidate is None else await self._deliver(lane, candidate)
                if outcome is not _Outcome.SKIPPED:
                    attempted += 1
                if outcome in (_Outcome.RETRY, _Outcome.SKIPPED):
                    active.remove(key)
                elif outcome is _Outcome.AGAIN:
                    await self._pacing.wait(lane)  # until the row is due: then it is looked up again
                if self._stopping:
                    break
        return attempted

    # --------------------------------------------------------------- delivery

    async def _deliver(self, lane: str, candidate: Candidate) -> _Outcome:
        await self._pacing.wait(lane)
        async with self._slots:
            if self._stopping:
                return _Outcome.SKIPPED
            self._working.add(lane)
            try:
                return await self._claim_and_send(lane, candidate)
            finally:
                self._working.discard(lane)

    async def _claim_and_send(self, lane: str, candidate: Candidate) -> _Outcome:
        claim = await self.leases.claim(candidate, lane, self._clock.now())
        if claim is None:
            return _Outcome.SKIPPED
        # Room in the window comes last, so the request leaves when the limiter says, not after a DB wait.
        await self._limiter.acquire()
        try:
            delivered = await self._send(claim, lane)
        except Deferred:
            await self._defer(claim)
            return _Outcome.SKIPPED
        except Undeliverable as exc:
            return await self._fail(claim, str(exc))
        except ConnectorError as exc:
            return await self._after_error(claim, lane, exc)
        except Exception as exc:  # a bug must not stop the lane: retry, then fail, like a transient error
            log.error("outbox %s: unexpected error while sending: %s", claim.row.id, describe(exc))
            return await self._after_error(claim, lane, BotFailure(exc))
        return await self._succeed(claim, delivered)

    async def _send(self, claim: Claim, lane: str) -> Delivered:
        row = claim.row
        service_url = str(row.reference.get("serviceUrl") or "")
        if not service_url:
            raise Undeliverable("the stored conversation reference has no serviceUrl")
        # Checked before any request: an UPDATE may have to wait for, or fail with, its original.
        target = self._delivery.update_target(claim) if row.kind == DeliveryKind.UPDATE else None
        self._sending += 1
        try:
            async with asyncio.timeout(self._send_timeout):
                if target is not None:
                    return await self._delivery.update(service_url, row, *target)
                if row.kind == DeliveryKind.NEW_THREAD:
                    return await self._delivery.start_thread(service_url, row)
                return await self._delivery.send_message(service_url, row)
        except TimeoutError as exc:
            raise ConnectorError(0, f"no answer from Teams within {self._send_timeout:g} s") from exc
        finally:
            self._sending -= 1
            self._pacing.record(lane)

    # --------------------------------------------------------------- outcomes

    async def _after_error(self, claim: Claim, lane: str, error: ConnectorError) -> _Outcome:
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
        delay = self._retries.delay(claim.row.attempts, error.retry_after, throttled=error.status == 429)
        retry_at = self._clock.now() + timedelta(seconds=delay)
        log.warning(
            "outbox %s to %s: attempt %d failed (%s); retrying in %.1f s",
            claim.row.id,
            claim.row.conversation_key,
            claim.row.attempts,
            error.status or "network",
            delay,
        )
        await self.leases.finish(
            claim,
            next_attempt_at=retry_at,
            locked_until=None,
            failure_reason=_clip(f"retrying: {error.reason}"),
        )
        if not self._retries.holds(delay):
            return _Outcome.RETRY
        # Due soon: the lane keeps the conversation and its pacing wait lasts until the row is due.
        self._pacing.pause(lane, delay + CLOCK_MARGIN)
        return _Outcome.AGAIN

    async def _succeed(self, claim: Claim, delivered: Delivered) -> _Outcome:
        recorded = await self.leases.finish(
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

    async def _fail(self, claim: Claim, reason: str) -> _Outcome:
        await self.leases.finish(
            claim, status=OutboxStatus.FAILED, locked_until=None, failure_reason=_clip(reason)
        )
        log.warning("outbox %s to %s failed: %s", claim.row.id, claim.row.conversation_key, reason)
        return _Outcome.FAILED

    async def _defer(self, claim: Claim) -> None:
        """Put an UPDATE back, uncounted, until its original has been sent."""
        await self.leases.finish(
            claim,
            attempts=max(0, claim.row.attempts - 1),
            next_attempt_at=self._clock.now() + timedelta(seconds=max(1.0, self._poll_seconds)),
            locked_until=None,
        )


def _attempts(count: int) -> str:
    return "1 attempt" if count == 1 else f"{count} attempts"


def _clip(reason: str) -> str:
    return reason if len(reason) <= _REASON_LENGTH else reason[: _REASON_LENGTH - 1] + "…"
