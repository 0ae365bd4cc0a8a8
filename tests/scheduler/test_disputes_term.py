"""A dispute through all three stages, over a winter, on the injected clock.

Westgate Meadow's three requests are decided at CANT1's meeting on Thursday 10 December 2026 and
confirmed on Friday 11 December: £1,500 agreed (allocated from CANT1's £10,000), not agreed, advice
only. Daniel Okafor, Westgate's head (and CANT1's chair, so conflicted: the vice chair, Grace Li,
takes stage 1), disputes the first and the second on Monday 14 December.

- The first: Grace acknowledges it (15 December) and does not uphold it (16 December); Daniel
  escalates it (17 December) to the council's officers, who miss the acknowledgement deadline,
  Thursday 24 December: Priya is reminded on Tuesday 22 December, and the officers are told on
  Tuesday 29 December (the first school day after it: 25 and 28 December are bank holidays). Priya
  acknowledges it (30 December) and does not uphold it (31 December); Daniel escalates it (Monday 4
  January) to the Area Board (Olivia Hart, on it through THAN2, in the same East area), who
  acknowledges it and varies it (6 January): £2,250. The ledger shows the change; the outcome's
  history keeps the £1,500 version.
- The second: Grace does not uphold it (16 December); Daniel lets the escalation window (10 school
  days, to Monday 4 January) pass, the daily job closes it on Tuesday 5 January and tells him, and
  his escalation that day is refused.
- The third: Daniel's dispute on Thursday 14 January is refused: the last day (20 school days after
  11 December) was Wednesday 13 January.

The real jobs run from the real job store as the clock jumps; the assertions are on the outbox:
every message about a dispute, in a personal chat, exactly once, at its time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import col, select

import scheduler.tables  # noqa: F401  (registers the scheduler's tables before the db fixture creates them)
from communities.budget.tables import EntryKind, LedgerEntry
from communities.clock import FixedClock
from communities.db import Database
from communities.disputes.outcome_history import outcome_history
from communities.disputes.service import DisputeRefused
from communities.disputes.tables import Dispute, DisputeStatus
from communities.disputes.varying import NewOutcome
from communities.messaging.outbox import Outbox, OutboxMessage
from communities.outcomes.tables import Outcome
from scheduler.service import SchedulerService
from tests.support.disputes import (
    OLIVIA,
    acknowledge,
    add_area_board_member,
    confirmed_outcomes,
    decide,
    escalate,
    raise_one,
)
from tests.support.outcomes import person_id
from tests.support.people import DANIEL, GRACE, PRIYA, personal_chat

END = datetime(2027, 1, 20, tzinfo=UTC)


def utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


async def dispute_rows(db: Database) -> list[OutboxMessage]:
    async with db.session() as session:
        rows = (await session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id)))).all()
    return [r for r in rows if r.idempotency_key.startswith("dispute:")]


async def test_a_dispute_through_three_stages(demo_db: Database, clock: FixedClock) -> None:
    db = demo_db
    confirmed = await confirmed_outcomes(db, clock)  # the clock is now Friday 11 December
    first, second, third = confirmed.outcome_ids
    olivia = await add_area_board_member(db, clock)
    daniel, grace, priya = [await person_id(db, e) for e in (DANIEL, GRACE, PRIYA)]
    async with db.session() as session:
        for person, email in ((daniel, DANIEL), (grace, GRACE), (priya, PRIYA)):
            session.add(personal_chat(person, email, clock.now()))
        await session.commit()
    ids: dict[str, int] = {}

    async def daniel_disputes_two() -> None:
        a = await raise_one(db, clock, DANIEL, first)
        ids["a"] = a.id or 0
        clock.advance(minutes=5)
        b = await raise_one(db, clock, DANIEL, second, "process", "The school was not asked to the meeting.")
        ids["b"] = b.id or 0
        assert (str(a.acknowledge_by), str(a.decide_by)) == ("2026-12-21", "2027-01-14")

    async def grace_acknowledges_the_first() -> None:
        await acknowledge(db, clock, GRACE, ids["a"])

    async def grace_decides_both() -> None:
        decided = await decide(db, clock, GRACE, ids["a"], "not_upheld", "The panel applied the usual rates.")
        assert str(decided.escalate_by) == "2027-01-04"
        clock.advance(hours=1)
        await acknowledge(db, clock, GRACE, ids["b"])
        await decide(db, clock, GRACE, ids["b"], "not_upheld", "The school was invited on 2 November.")

    async def daniel_escalates_to_the_officers() -> None:
        escalated = await escalate(db, clock, DANIEL, ids["a"])
        assert (escalated.stage, str(escalated.acknowledge_by)) == (2, "2026-12-24")
        with pytest.raises(DisputeRefused, match="Only a council officer can deal with a dispute at stage 2"):
            await acknowledge(db, clock, GRACE, ids["a"])

    async def priya_acknowledges_late() -> None:
        await acknowledge(db, clock, PRIYA, ids["a"])

    async def priya_does_not_uphold_it() -> None:
        decided = await decide(
            db, clock, PRIYA, ids["a"], "not_upheld", "The allocation followed the policy."
        )
        assert str(decided.escalate_by) == "2027-01-15"

    async def daniel_escalates_to_the_area_board() -> None:
        escalated = await escalate(db, clock, DANIEL, ids["a"])
        assert escalated.stage == 3

    async def olivia_acknowledges() -> None:
        await acknowledge(db, clock, OLIVIA, ids["a"])

    async def the_second_cannot_be_escalated_now() -> None:
        with pytest.raises(
            DisputeRefused, match="The last day to escalate this dispute was Monday 4 January 2027"
        ):
            await escalate(db, clock, DANIEL, ids["b"])

    async def olivia_varies_it() -> None:
        new = NewOutcome(None, 225_000, "Comparable needs in the area were funded at £2,250.")
        decided = await decide(
            db, clock, OLIVIA, ids["a"], "varied", "The allocation was low for the need.", new
        )
        assert decided.status == DisputeStatus.CLOSED

    async def the_third_is_too_late() -> None:
        with pytest.raises(
            DisputeRefused, match="the last day to raise a dispute was Wednesday 13 January 2027"
        ):
            await raise_one(db, clock, DANIEL, third)

    steps: list[tuple[datetime, Callable[[], Awaitable[None]]]] = [
        (utc(2026, 12, 14, 10), daniel_disputes_two),
        (utc(2026, 12, 15, 10), grace_acknowledges_the_first),
        (utc(2026, 12, 16, 10), grace_decides_both),
        (utc(2026, 12, 17, 10), daniel_escalates_to_the_officers),
        (utc(2026, 12, 30, 10), priya_acknowledges_late),
        (utc(2026, 12, 31, 10), priya_does_not_uphold_it),
        (utc(2027, 1, 4, 10), daniel_escalates_to_the_area_board),
        (utc(2027, 1, 5, 10), olivia_acknowledges),
        (utc(2027, 1, 5, 11), the_second_cannot_be_escalated_now),
        (utc(2027, 1, 6, 10), olivia_varies_it),
        (utc(2027, 1, 14, 10), the_third_is_too_late),
    ]
    service = SchedulerService(demo_db, clock, Outbox(clock), timer=False, sweep_every=timedelta(days=1))
    await service.start()
    await asyncio.wait_for(service.until_leading(), 10)
    try:
        while True:
            next_job = await service.next_run_time()
            target = min(t for t in (next_job, steps[0][0] if steps else None) if t is not None)
            if target >= END:
                break
            if target > clock.now():
                clock.advance(seconds=(target - clock.now()).total_seconds())
            while steps and steps[0][0] <= clock.now():
                await steps.pop(0)[1]()
            await service.run_due()
    finally:
        await service.stop()
    assert not steps, "every step happened"

    a, b = ids["a"], ids["b"]
    got = [(r.idempotency_key, r.created_at) for r in await dispute_rows(db)]
    assert len(got) == len(set(got)), "a message was queued twice"
    expected = {
        (f"dispute:{a}:stage1:reached:{grace}", utc(2026, 12, 14, 10)),
        (f"dispute:{b}:stage1:reached:{grace}", utc(2026, 12, 14, 10, 5)),
        (f"dispute:{a}:stage1:acknowledged:{daniel}", utc(2026, 12, 15, 10)),
        (f"dispute:{a}:stage1:decided:{daniel}", utc(2026, 12, 16, 10)),
        (f"dispute:{b}:stage1:acknowledged:{daniel}", utc(2026, 12, 16, 11)),
        (f"dispute:{b}:stage1:decided:{daniel}", utc(2026, 12, 16, 11)),
        (f"dispute:{a}:stage2:reached:{priya}", utc(2026, 12, 17, 10)),
        # Two school days before Thursday 24 December, at the DM time (09:00 in London, GMT).
        (f"dispute:{a}:stage2:acknowledged:reminder:2026-12-24:{priya}", utc(2026, 12, 22, 9)),
        # Missed: the first school day after it is Tuesday 29 December.
        (f"dispute:{a}:stage2:acknowledged:missed:2026-12-24:{priya}", utc(2026, 12, 29, 9)),
        (f"dispute:{a}:stage2:acknowledged:{daniel}", utc(2026, 12, 30, 10)),
        (f"dispute:{a}:stage2:decided:{daniel}", utc(2026, 12, 31, 10)),
        (f"dispute:{a}:stage3:reached:{olivia}", utc(2027, 1, 4, 10)),
        (f"dispute:{b}:stage1:closed:{daniel}", utc(2027, 1, 5, 9)),
        (f"dispute:{a}:stage3:acknowledged:{daniel}", utc(2027, 1, 5, 10)),
        (f"dispute:{a}:stage3:decided:{daniel}", utc(2027, 1, 6, 10)),
    }
    missing = sorted(expected - set(got), key=lambda e: e[1])
    extra = sorted(set(got) - expected, key=lambda e: e[1])
    assert not missing and not extra, f"missing: {missing}\nextra: {extra}"
    for row in await dispute_rows(db):
        assert row.reference["conversation"]["id"].startswith("a:"), "a personal chat, never a channel"

    async with db.session() as session:
        outcome = await session.get(Outcome, first)
        history = await outcome_history(session, first)
        ledger = (
            await session.exec(
                select(LedgerEntry).where(LedgerEntry.outcome_id == first).order_by(col(LedgerEntry.id))
            )
        ).all()
        disputes = {d.id: d for d in (await session.exec(select(Dispute))).all()}
    assert outcome is not None and outcome.funding_pence == 225_000
    assert [(v.funding_pence, v.replaced_because) for v in history] == [
        (150_000, "Dispute varied at stage 3: the area board")
    ]
    assert [(e.kind, e.amount_pence) for e in ledger] == [
        (EntryKind.ALLOCATION, 150_000),
        (EntryKind.ALLOCATION_CHANGED, 75_000),
    ]
    assert (disputes[a].status, disputes[a].finding) == ("closed", "varied")
    assert (disputes[b].status, disputes[b].stage) == ("closed", 1)
