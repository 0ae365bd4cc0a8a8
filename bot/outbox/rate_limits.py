"""Pacing for proactive sends: Teams' per-conversation windows and a global per-second window.

Teams throttles a bot per conversation ("thread": a chat or a channel, with its
reply threads) over four sliding windows, and per app per tenant at 50
requests a second (MicrosoftDocs msteams-docs ``bots/how-to/rate-limit.md``).
Both limiters here use the event loop's monotonic time and real sleeps; they
never look at the injected business clock.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Window:
    """At most ``limit`` requests in any ``seconds``-long sliding window."""

    limit: int
    seconds: float


#: Send / create conversation, per bot per thread: 7/1 s, 8/2 s, 60/30 s, 1800/3600 s.
TEAMS_THREAD_LIMITS: tuple[Window, ...] = (
    Window(7, 1.0),
    Window(8, 2.0),
    Window(60, 30.0),
    Window(1800, 3600.0),
)

Monotonic = Callable[[], float]


def pacing_key(conversation_key: str) -> str:
    """The Teams "thread" a conversation counts against: a channel's reply threads count as the channel."""
    return conversation_key.split(";messageid=")[0]


class SlidingWindowPacer:
    """Remembers when one conversation's requests finished and says how long to wait before the next.

    Times are recorded when a request *finishes*: with one request in flight per
    conversation, Teams saw each earlier request before that moment, so spacing
    the next start from it keeps Teams' own count within every window.
    """

    def __init__(self, windows: Sequence[Window], margin: float = 0.01) -> None:
        self._windows = tuple(windows)
        self._margin = margin
        self._longest = max((w.seconds for w in self._windows), default=0.0)
        self._deepest = max((w.limit for w in self._windows), default=0)
        self._sent: deque[float] = deque()
        self._paused_until = 0.0

    def delay(self, now: float) -> float:
        """Seconds to wait from ``now`` before the next request may start."""
        self._forget(now)
        wait = max(0.0, self._paused_until - now)
        for window in self._windows:
            if len(self._sent) >= window.limit:
                oldest_in_window = self._sent[-window.limit]
                wait = max(wait, oldest_in_window + window.seconds + self._margin - now)
        return wait

    def record(self, now: float) -> None:
        self._sent.append(now)
        self._forget(now)

    def pause_until(self, until: float) -> None:
        """Hold the conversation (Teams sent Retry-After)."""
        self._paused_until = max(self._paused_until, until)

    def idle(self, now: float) -> bool:
        self._forget(now)
        return not self._sent and self._paused_until <= now

    def _forget(self, now: float) -> None:
        while self._sent and (
            now - self._sent[0] > self._longest + self._margin or len(self._sent) > self._deepest
        ):
            self._sent.popleft()


class ConversationPacing:
    """One :class:`SlidingWindowPacer` per Teams thread, created on first use and dropped when idle."""

    def __init__(
        self, windows: Sequence[Window] = TEAMS_THREAD_LIMITS, monotonic: Monotonic = time.monotonic
    ) -> None:
        self._windows = tuple(windows)
        self._monotonic = monotonic
        self._pacers: dict[str, SlidingWindowPacer] = {}

    async def wait(self, key: str) -> None:
        # Pacing is about time passing, not an event: sleep, then look again (a 429 may have paused it).
        while (delay := self._pacer(key).delay(self._monotonic())) > 0:  # noqa: ASYNC110
            await asyncio.sleep(delay)

    def record(self, key: str) -> None:
        self._pacer(key).record(self._monotonic())

    def pause(self, key: str, seconds: float) -> None:
        self._pacer(key).pause_until(self._monotonic() + seconds)

    def prune(self) -> None:
        """Drop the state of conversations with nothing left in any window."""
        now = self._monotonic()
        for key in [k for k, pacer in self._pacers.items() if pacer.idle(now)]:
            del self._pacers[key]

    def _pacer(self, key: str) -> SlidingWindowPacer:
        pacer = self._pacers.get(key)
        if pacer is None:
            pacer = self._pacers[key] = SlidingWindowPacer(self._windows)
        return pacer


class AdaptiveRateLimiter:
    """A global limiter, counted as Teams counts: at most ``rate`` request starts in any second.

    A sliding window over request starts, not a token bucket: a bucket refilling at ``rate``
    with room for a burst lets ``rate + burst`` through in some second (Teams answers the
    excess 429), and one without room loses every late wake-up for good. ``margin`` widens the
    window a little for the time between the start here and the arrival at Teams: 20 ms, which
    caps the rate at 0.98 of the limit (40 ms capped it at 0.96; ``bench/broadcast.py`` saw no
    429 of Teams' own with either).

    Teams' 429s are each conversation's business (it is paused on its own) until they are a
    real share of what the app sends: when at least ``spread`` conversations, and at least
    ``throttled_share`` of the requests of the last ``throttle_window`` seconds, were throttled,
    the app as a whole is likely over its limit: the rate halves (not below ``min_rate``) and
    the limiter holds for the Retry-After Teams gave. Every ``recover_after`` quiet seconds the
    rate doubles back towards the configured one.
    """

    def __init__(
        self,
        rate: float,
        *,
        min_rate: float = 1.0,
        spread: int = 3,
        throttled_share: float = 0.25,
        throttle_window: float = 10.0,
        recover_after: float = 10.0,
        margin: float = 0.02,
        monotonic: Monotonic = time.monotonic,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.configured_rate = rate
        self.rate = rate
        self._min_rate = min(min_rate, rate)
        self._spread = spread
        self._share = throttled_share
        self._throttle_window = throttle_window
        self._recover_after = recover_after
        self._margin = margin
        self._monotonic = monotonic
        self._starts: deque[float] = deque()  # the last throttle_window seconds of starts
        self._held_until = 0.0
        self._changed_at = monotonic()
        self._throttled: dict[str, float] = {}
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        """Wait for room in the window and count one start. Waiters are served in arrival order."""
        async with self._lock:
            while (delay := self._take(self._monotonic())) > 0:  # noqa: ASYNC110  (waiting for time)
                await asyncio.sleep(delay)

    def throttled(self, key: str, retry_after: float | None) -> None:
        """Teams answered 429 for conversation ``key``."""
        now = self._monotonic()
        self._throttled[key] = now
        for other, at in list(self._throttled.items()):
            if now - at > self._throttle_window:
                del self._throttled[other]
        self._forget(now)
        count = len(self._throttled)
        if count >= self._spread and count >= self._share * len(self._starts):
            self._throttled.clear()
            self.rate = max(self._min_rate, self.rate / 2)
            self._changed_at = now
            self._held_until = max(self._held_until, now + (retry_after or 1.0))

    def _take(self, now: float) -> float:
        """Count a start and return 0, or return how long to wait for room."""
        self._recover(now)
        if now < self._held_until:
            return self._held_until - now
        self._forget(now)
        limit = max(1, int(self.rate))
        window = 1.0 + self._margin
        in_window = 0
        for at in reversed(self._starts):
            if now - at >= window:
                break
            in_window += 1
        if in_window < limit:
            self._starts.append(now)
            return 0.0
        return self._starts[-limit] + window - now

    def _forget(self, now: float) -> None:
        keep = max(self._throttle_window, 1.0 + self._margin)
        while self._starts and now - self._starts[0] > keep:
            self._starts.popleft()

    def _recover(self, now: float) -> None:
        if self.rate < self.configured_rate and now - self._changed_at >= self._recover_after:
            self.rate = min(self.configured_rate, self.rate * 2)
            self._changed_at = now
