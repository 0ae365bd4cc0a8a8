"""Keeping disputes on time: which deadlines need a reminder or have been missed today.

Checked once a day (the scheduler's daily follow-up, :mod:`scheduler.disputes`), on school days:

- a dispute waiting to be acknowledged (or for a decision) whose deadline is within
  ``reminder_lead_days`` school days: its handlers are reminded, keyed by the deadline, so each
  deadline is reminded once whichever day the job first sees it;
- a deadline passed with the step not taken: the council's officers are told, once per deadline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from communities.disputes.tables import Dispute, DisputeStatus, Stage
from communities.disputes.windows import DisputeWindows
from communities.school_days import is_school_day, school_days_between
from communities.terms.calendar import load_calendar


@dataclass(frozen=True)
class DeadlineDue:
    dispute: Dispute
    stage: Stage
    #: "acknowledged" or "decided"
    what: str
    by: date
    missed: bool

    @property
    def key(self) -> str:
        kind = "missed" if self.missed else "reminder"
        return f"dispute:{self.dispute.id}:stage{int(self.stage)}:{self.what}:{kind}:{self.by.isoformat()}"


async def deadlines_due(session: AsyncSession, today: date, windows: DisputeWindows) -> list[DeadlineDue]:
    calendar = await load_calendar(session)
    if not is_school_day(today, calendar):
        return []
    rows = await session.exec(
        select(Dispute)
        .where(
            col(Dispute.status).in_(
                [DisputeStatus.AWAITING_ACKNOWLEDGEMENT.value, DisputeStatus.ACKNOWLEDGED.value]
            )
        )
        .order_by(col(Dispute.id))
    )
    due = []
    for dispute in rows.all():
        waiting = DisputeStatus(dispute.status) is DisputeStatus.AWAITING_ACKNOWLEDGEMENT
        what, by = ("acknowledged", dispute.acknowledge_by) if waiting else ("decided", dispute.decide_by)
        stage = Stage(dispute.stage)
        if today > by:
            due.append(DeadlineDue(dispute, stage, what, by, missed=True))
        elif school_days_between(today, by, calendar) <= windows.reminder_lead_days:
            due.append(DeadlineDue(dispute, stage, what, by, missed=False))
    return due
