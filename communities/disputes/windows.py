"""How long each step of a dispute may take, in school days (:mod:`communities.school_days`).

The defaults are our proposal (a council sets its own, through ``DISPUTE_*`` settings):

- the school may raise a dispute within 20 school days of being told the outcome;
- at each stage the handler acknowledges within 5 school days of the dispute reaching them, and
  decides within 20 school days of it reaching them;
- after a decision the school may escalate to the next stage within 10 school days;
- the handler is reminded 2 school days before each deadline, once per deadline.

A deadline is a day: anything done on it is in time, and it has passed the day after.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DisputeWindows:
    raise_days: int = 20
    acknowledge_days: int = 5
    decide_days: int = 20
    escalate_days: int = 10
    reminder_lead_days: int = 2

    def __post_init__(self) -> None:
        for name in ("raise_days", "acknowledge_days", "decide_days", "escalate_days"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be one school day or more")
        if self.reminder_lead_days < 0:
            raise ValueError("reminder_lead_days must be zero or more")
        if self.acknowledge_days > self.decide_days:
            raise ValueError("the acknowledgement cannot be due after the decision")


#: ``DISPUTE_<NAME>`` settings and the field each one sets.
SETTINGS = ("raise_days", "acknowledge_days", "decide_days", "escalate_days", "reminder_lead_days")
