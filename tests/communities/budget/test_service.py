"""Changing a budget: entries only, refusals with the numbers, and no overspend between two writers."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest
from sqlmodel import select

from communities.audit import AuditEvent
from communities.budget.service import (
    BudgetRefused,
    Overspend,
    adjust_budget,
    allocate,
    change_allocation,
    entries_of,
    position_of,
    record_payment,
    release_allocation,
    set_budget,
)
from communities.budget.tables import EntryKind
from communities.budget.years import FinancialYear
from communities.clock import FixedClock
from communities.db import Database
from communities.roster.tables import Community
from tests.support.people import GRACE, PRIYA, profile_of
from tests.support.requests import school_id

YEAR = FinancialYear(2026)


async def cant1(db: Database) -> int:
    async with db.session() as session:
        community = (await session.exec(select(Community).where(Community.code == "CANT1"))).one()
    assert community.id is not None
    return community.id


async def budget(db: Database, clock: FixedClock, pence: int) -> int:
    community_id = await cant1(db)
    async with db.session() as session:
        await set_budget(session, clock, community_id, YEAR, pence, reason="test", source="test")
        await session.commit()
    return community_id


async def allocated(db: Database, clock: FixedClock, community_id: int, pence: int, **extra: int) -> int:
    grace = await profile_of(db, GRACE)
    async with db.session() as session:
        written = await allocate(
            session,
            clock,
            community_id,
            YEAR,
            pence,
            school_id=await school_id(db, "990101"),
            outcome_id=None,
            actor_person_id=grace.person_id,
            **extra,
        )
        await session.commit()
    assert written.entry is not None and written.entry.id is not None
    return written.entry.id


async def test_setting_the_same_budget_again_changes_nothing_and_a_new_amount_is_an_adjustment(
    demo_db: Database, clock: FixedClock
) -> None:
    community_id = await budget(demo_db, clock, 4_800_000)
    await budget(demo_db, clock, 4_800_000)
    await budget(demo_db, clock, 5_000_000)
    async with demo_db.session() as session:
        kinds = [(e.kind, e.amount_pence) for e in await entries_of(session, community_id, YEAR)]
        held = await position_of(session, community_id, YEAR)
    assert kinds == [(EntryKind.BUDGET_SET, 4_800_000), (EntryKind.ADJUSTMENT, 200_000)]
    assert held.budget_pence == 5_000_000 == held.available_pence


async def test_an_allocation_larger_than_what_is_available_is_refused_with_the_numbers(
    demo_db: Database, clock: FixedClock
) -> None:
    community_id = await budget(demo_db, clock, 1_000_000)
    await allocated(demo_db, clock, community_id, 800_000)
    with pytest.raises(Overspend) as refused:
        await allocated(demo_db, clock, community_id, 300_000)
    assert "Allocating £3,000 would overspend the budget: £2,000 is available" in str(refused.value)
    assert "(£10,000 budget, £8,000 committed)" in str(refused.value)
    priya = await profile_of(demo_db, PRIYA)
    await allocated(demo_db, clock, community_id, 300_000, overspend_approved_by=priya.person_id)
    async with demo_db.session() as session:
        held = await position_of(session, community_id, YEAR)
        entries = await entries_of(session, community_id, YEAR)
    assert held.available_pence == -100_000 and held.committed_pence == 1_100_000
    assert entries[-1].source == f"overspend approved by person {priya.person_id}"


async def ten_at_once(db: Database, clock: FixedClock, url: str) -> None:
    """Ten chairs' presses at once, each for £3,000 of a £10,000 budget, each on its own connection
    (the app's pool on SQLite has one, which would queue them): three fit, seven are refused."""
    community_id = await budget(db, clock, 1_000_000)
    others = [Database(url) for _ in range(10)]
    try:
        results = await asyncio.gather(
            *(allocated(other, clock, community_id, 300_000) for other in others), return_exceptions=True
        )
    finally:
        for other in others:
            await other.dispose()
    assert sorted(type(r).__name__ for r in results) == ["Overspend"] * 7 + ["int"] * 3, results
    async with db.session() as session:
        held = await position_of(session, community_id, YEAR)
    assert held.committed_pence == 900_000 and held.available_pence == 100_000


async def test_ten_allocations_at_the_same_moment_cannot_overspend_between_them(
    demo_db: Database, clock: FixedClock, database_url: str
) -> None:
    await ten_at_once(demo_db, clock, database_url)


async def test_finance_records_payments_never_more_than_the_allocation_has_unpaid(
    demo_db: Database, clock: FixedClock
) -> None:
    community_id = await budget(demo_db, clock, 1_000_000)
    allocation_id = await allocated(demo_db, clock, community_id, 250_000)
    priya = await profile_of(demo_db, PRIYA)

    async def pay(pence: int, reference: str = "PO-1") -> None:
        async with demo_db.session() as session:
            await record_payment(
                session,
                clock,
                allocation_id,
                pence,
                paid_on=date(2026, 11, 20),
                reference=reference,
                actor_person_id=priya.person_id,
            )
            await session.commit()

    await pay(200_000)
    with pytest.raises(BudgetRefused, match="£1,000 is more than the £500 of this allocation not yet paid"):
        await pay(100_000)
    with pytest.raises(BudgetRefused, match="reference"):
        await pay(10_000, reference=" ")
    async with demo_db.session() as session:
        held = await position_of(session, community_id, YEAR)
        audited = (
            await session.exec(select(AuditEvent.action).where(AuditEvent.entity == "budget_year"))
        ).all()
    assert (held.committed_pence, held.spent_pence, held.available_pence) == (250_000, 200_000, 750_000)
    assert audited == ["budget_budget_set", "budget_allocation", "budget_payment"]


async def test_an_officer_adjusts_with_a_reason_and_never_below_zero(
    demo_db: Database, clock: FixedClock
) -> None:
    community_id = await budget(demo_db, clock, 1_000_000)
    priya = await profile_of(demo_db, PRIYA)
    async with demo_db.session() as session:
        with pytest.raises(BudgetRefused, match="Give a reason"):
            await adjust_budget(
                session, clock, community_id, YEAR, 50_000, reason=" ", actor_person_id=priya.person_id
            )
        with pytest.raises(BudgetRefused, match="cannot go below £0"):
            await adjust_budget(
                session, clock, community_id, YEAR, -2_000_000, reason="typo", actor_person_id=priya.person_id
            )
        written = await adjust_budget(
            session,
            clock,
            community_id,
            YEAR,
            50_000,
            reason="Extra from the area board",
            actor_person_id=priya.person_id,
        )
        await session.commit()
    assert written.entry is not None and written.entry.kind == EntryKind.TOP_UP
    assert written.position.budget_pence == 1_050_000


async def test_a_varied_allocation_moves_committed_by_the_difference_and_a_release_frees_what_is_unpaid(
    demo_db: Database, clock: FixedClock
) -> None:
    community_id = await budget(demo_db, clock, 1_000_000)
    allocation_id = await allocated(demo_db, clock, community_id, 400_000)
    priya = await profile_of(demo_db, PRIYA)
    async with demo_db.session() as session:
        with pytest.raises(Overspend, match="Allocating £7,000 would overspend"):
            await change_allocation(
                session, clock, allocation_id, 1_100_000, reason="varied", actor_person_id=priya.person_id
            )
        same = await change_allocation(
            session, clock, allocation_id, 400_000, reason="varied", actor_person_id=priya.person_id
        )
        assert same.entry is None
        down = await change_allocation(
            session, clock, allocation_id, 300_000, reason="varied", actor_person_id=priya.person_id
        )
        assert down.position.committed_pence == 300_000
        await record_payment(
            session,
            clock,
            allocation_id,
            100_000,
            paid_on=date(2026, 11, 20),
            reference="PO-9",
            actor_person_id=priya.person_id,
        )
        with pytest.raises(BudgetRefused, match="£1,000 of this allocation has already been paid"):
            await change_allocation(
                session, clock, allocation_id, 50_000, reason="varied", actor_person_id=priya.person_id
            )
        released = await release_allocation(
            session, clock, allocation_id, reason="withdrawn", actor_person_id=priya.person_id
        )
        again = await release_allocation(
            session, clock, allocation_id, reason="withdrawn", actor_person_id=priya.person_id
        )
        await session.commit()
    assert released.entry is not None and released.entry.amount_pence == 200_000
    assert again.entry is None
    held = released.position
    assert (held.committed_pence, held.spent_pence, held.available_pence) == (100_000, 100_000, 900_000)
