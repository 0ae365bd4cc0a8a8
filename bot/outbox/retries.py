"""When a faulted send is tried again: at the next free slot, after Retry-After, or backing off.

Teams' advice is to honour Retry-After and back off on errors; a broadcast's tail also wants a
card faulted once to go out at the next slot the limits allow, not seconds later behind a
backoff (issue 16: two 5xx in a row on the last card cost 5 s). So the first ``quick`` transient
failures without a Retry-After are retried at once (the per-conversation pacing still applies),
and only a conversation that keeps failing backs off, exponentially with jitter. Slowing the
sender as a whole is the global limiter's business, when 429s are widespread.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

#: Seconds a held lane waits beyond a retry's due time, so the row is due by the clock when it looks.
CLOCK_MARGIN = 0.01


@dataclass
class RetryPolicy:
    """How long a row waits after a transient failure, and whether its lane waits with it."""

    quick: int = 2
    backoff_base: float = 2.0
    backoff_cap: float = 600.0
    #: A retry due within this many seconds keeps its lane (a poll would add up to a second).
    hold_seconds: float = 2.0
    rng: random.Random = field(default_factory=random.Random)

    def delay(self, attempts: int, retry_after: float | None, *, throttled: bool = False) -> float:
        """Seconds before the next attempt, after ``attempts`` attempts (the last one failed).

        Retry-After exactly when Teams gave it (the conversation is paused as long, so the retry
        takes the first slot after it); a 429 without one waits a second; none for the first
        ``quick`` failures; then capped exponential with jitter.
        """
        if retry_after is not None:
            return retry_after
        backing_off = attempts - self.quick
        if backing_off <= 0:
            return 1.0 if throttled else 0.0
        ceiling = min(self.backoff_cap, self.backoff_base * 2.0 ** (backing_off - 1))
        wait = ceiling / 2 + self.rng.uniform(0, ceiling / 2)
        return max(wait, 1.0) if throttled else wait

    def holds(self, delay: float) -> bool:
        """Whether the lane waits for the retry rather than leaving it to a later poll."""
        return delay <= self.hold_seconds
