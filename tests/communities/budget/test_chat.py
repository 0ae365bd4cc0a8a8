"""Finance records payments and officers change budgets from the chat: the role first (a refusal
changes nothing but its audit row), then every bad amount, date, reference and reason refused clearly."""

from __future__ import annotations

import pytest
from sqlmodel import select

from communities.audit import AuditEvent
from communities.budget.chat import CORRECTION, SET, TOP_UP, change_budget, pay
from communities.budget.service import BudgetRefused, allocate, entries_of, position_of, set_budget
from communities.budget.years import FinancialYear
from communities.clock import FixedClock
from communities.db import Database
from communities.roster.tables import Community
from tests.support.people import GRACE, PRIYA, profile_of
from tests.support.requests import school_id

YEAR = FinancialYear(2026)
SAM = "sam.carter@kent-demo.example.org"  # the demo's finance officer


async def an_allocation(db: Database, clock: FixedClock) -> int:
    """CANT1: £48,000 for 2026-27, £1,500 of it allocated to Westgate Meadow."""
    westgate = await school_id(db, "990101")
    async with db.session() as session:
        await set_budget(session, clock, 1, YEAR, 4_800_000, reason="row 2", source="t")
        written = await allocate(
            session, clock, 1, YEAR, 150_000, school_id=westgate, outcome_id=None, actor_person_id=1
        )
        await session.commit()
    assert written.entry is not None and written.entry.id is not None
    return written.entry.id


async def paying(
    db: Database, clock: FixedClock, email: str, allocation_id: int | None, **typed: str
) -> object:
    actor = await profile_of(db, email)
    values = {"amount": "500", "paid_on": "2026-11-20", "reference": "PAY-0042"} | typed
    async with db.session() as session:
        written = await pay(session, clock, actor, allocation_id, **values)
        await session.commit()
    return written


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ({"amount": "-5"}, "“-5” is not an amount"),
        ({"amount": "0"}, "“0” is not an amount"),
        ({"amount": "five pounds"}, "“five pounds” is not an amount"),
        ({"amount": ""}, "Give the amount in pounds and pence"),
        ({"amount": "1,500.01"}, "£1,500.01 is more than the £1,500 of this allocation not yet paid."),
        ({"paid_on": "20/11/2026"}, "Give the day it was paid with the date picker."),
        ({"paid_on": "2026-12-25"}, "The day paid is in the future"),
        ({"reference": "  "}, "Give finance's reference"),
    ],
)
async def test_a_bad_payment_is_refused_clearly_and_records_nothing(
    demo_db: Database, clock: FixedClock, typed: dict[str, str], said: str
) -> None:
    allocation = await an_allocation(demo_db, clock)
    with pytest.raises(BudgetRefused, match=said.replace("(", r"\(").replace(".", r"\.")):
        await paying(demo_db, clock, SAM, allocation, **typed)
    async with demo_db.session() as session:
        assert (await position_of(session, 1, YEAR)).spent_pence == 0


async def test_finance_records_a_payment_and_only_finance_can(demo_db: Database, clock: FixedClock) -> None:
    allocation = await an_allocation(demo_db, clock)
    with pytest.raises(BudgetRefused, match="Only a finance officer can record a payment"):
        await paying(demo_db, clock, PRIYA, allocation)
    with pytest.raises(BudgetRefused, match="That allocation is not in the ledger"):
        await paying(demo_db, clock, SAM, allocation + 100)  # forged or stale
    await paying(demo_db, clock, SAM, allocation, amount="£1,000")
    await paying(demo_db, clock, SAM, allocation, amount="500", reference="PAY-0043")
    with pytest.raises(BudgetRefused, match="Nothing of this allocation is left unpaid"):
        await paying(demo_db, clock, SAM, allocation, amount="1")
    async with demo_db.session() as session:
        position = await position_of(session, 1, YEAR)
        payments = [
            (e.amount_pence, e.reference) for e in await entries_of(session, 1, YEAR) if e.kind == "payment"
        ]
        refused = (
            await session.exec(select(AuditEvent).where(AuditEvent.action == "budget_payment_refused"))
        ).all()
    assert position.spent_pence == 150_000 and payments == [(100_000, "PAY-0042"), (50_000, "PAY-0043")]
    assert len(refused) == 1


async def changing(db: Database, clock: FixedClock, email: str, how: str, amount: str, reason: str) -> object:
    actor = await profile_of(db, email)
    async with db.session() as session:
        community = (await session.exec(select(Community).where(Community.code == "CANT1"))).one()
        written = await change_budget(
            session, clock, actor, community, YEAR, how=how, amount=amount, reason=reason
        )
        await session.commit()
    return written


async def test_an_officer_sets_tops_up_and_corrects_a_budget_with_a_reason(
    demo_db: Database, clock: FixedClock
) -> None:
    with pytest.raises(BudgetRefused, match="Only a council officer can change a community's budget"):
        await changing(demo_db, clock, GRACE, SET, "48000", "The year's budget")
    with pytest.raises(BudgetRefused, match="No budget is set for CANT1 for 2026-27 yet: set it first."):
        await changing(demo_db, clock, PRIYA, TOP_UP, "500", "More")
    with pytest.raises(BudgetRefused, match="Give a reason"):
        await changing(demo_db, clock, PRIYA, SET, "48000", " ")
    with pytest.raises(BudgetRefused, match="is not an amount"):
        await changing(demo_db, clock, PRIYA, SET, "-48000", "The year's budget")
    await changing(demo_db, clock, PRIYA, SET, "48,000", "The year's budget, from the schools forum")
    with pytest.raises(BudgetRefused, match=r"already set \(£48,000\)"):
        await changing(demo_db, clock, PRIYA, SET, "50000", "Again")
    await changing(demo_db, clock, PRIYA, TOP_UP, "2,000", "Extra from the high needs block")
    await changing(demo_db, clock, PRIYA, CORRECTION, "500", "Typing slip in the top-up")
    with pytest.raises(BudgetRefused, match="cannot go below £0"):
        await changing(demo_db, clock, PRIYA, CORRECTION, "60000", "Too much")
    async with demo_db.session() as session:
        position = await position_of(session, 1, YEAR)
        entries = [(str(e.kind), e.amount_pence, e.reason) for e in await entries_of(session, 1, YEAR)]
    assert position.budget_pence == 4_950_000
    assert entries == [
        ("budget_set", 4_800_000, "The year's budget, from the schools forum"),
        ("top_up", 200_000, "Extra from the high needs block"),
        ("adjustment", -50_000, "Typing slip in the top-up"),
    ]
