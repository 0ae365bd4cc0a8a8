"""Changing a community's budget: every change is a ledger entry, made under the year's lock.

Each writer first takes the year's row (``UPDATE budget_year SET version = version + 1``): on
PostgreSQL that locks the row, on SQLite the database, until the transaction ends. The position is
read only after that, so two allocations at the same moment are checked one after the other, and
the second sees the first: they cannot overspend between them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from communities import audit
from communities.budget.ledger import Position, position
from communities.budget.tables import BudgetYear, EntryKind, LedgerEntry
from communities.budget.years import FinancialYear
from communities.clock import Clock
from communities.money import pounds


class BudgetRefused(Exception):
    """The change cannot be made; the message says why, with the numbers, for a person."""


class Overspend(BudgetRefused):
    """An allocation larger than what is available: an officer may approve it, with a reason."""

    def __init__(self, asked_pence: int, before: Position) -> None:
        self.asked_pence = asked_pence
        self.position = before
        super().__init__(
            f"Allocating {pounds(asked_pence)} would overspend the budget: {pounds(before.available_pence)} "
            f"is available ({pounds(before.budget_pence)} budget, {pounds(before.committed_pence)} "
            "committed). A council officer can approve an overspend, with a reason."
        )


@dataclass(frozen=True)
class Written:
    """What a change wrote: the entry (None when nothing needed writing) and the position after."""

    entry: LedgerEntry | None
    position: Position


async def budget_year(
    session: AsyncSession, clock: Clock, community_id: int, year: FinancialYear
) -> BudgetYear:
    """The community's row for the year, made if it is the first time."""
    found = await _year_row(session, community_id, year)
    if found is not None:
        return found
    row = BudgetYear(community_id=community_id, financial_year=year.label, created_at=clock.now())
    session.add(row)
    await session.flush()
    return row


async def position_of(session: AsyncSession, community_id: int, year: FinancialYear) -> Position:
    row = await _year_row(session, community_id, year)
    return await _position(session, row.id) if row is not None and row.id is not None else Position()


async def entries_of(session: AsyncSession, community_id: int, year: FinancialYear) -> list[LedgerEntry]:
    """The year's ledger, oldest first."""
    row = await _year_row(session, community_id, year)
    if row is None:
        return []
    query = select(LedgerEntry).where(LedgerEntry.budget_year_id == row.id).order_by(col(LedgerEntry.id))
    return list((await session.exec(query)).all())


async def set_budget(
    session: AsyncSession,
    clock: Clock,
    community_id: int,
    year: FinancialYear,
    amount_pence: int,
    *,
    reason: str,
    source: str,
    actor_person_id: int | None = None,
) -> Written:
    """Make the year's budget ``amount_pence``: set it the first time; after that, an adjustment by
    the difference; nothing when it already is (so importing the same file twice changes nothing)."""
    if amount_pence <= 0:
        raise BudgetRefused("A budget must be more than £0.")
    row = await _locked(session, clock, community_id, year)
    before = await _position(session, row.id)
    entries = await _count(session, row.id, (EntryKind.BUDGET_SET,))
    if entries and before.budget_pence == amount_pence:
        return Written(None, before)
    kind = EntryKind.ADJUSTMENT if entries else EntryKind.BUDGET_SET
    change = amount_pence - before.budget_pence if entries else amount_pence
    entry = _entry(clock, row, kind, change, reason=reason, source=source, actor=actor_person_id)
    return await _write(session, clock, row, entry, before)


async def adjust_budget(
    session: AsyncSession,
    clock: Clock,
    community_id: int,
    year: FinancialYear,
    change_pence: int,
    *,
    reason: str,
    actor_person_id: int,
) -> Written:
    """A top-up (more than zero) or a correction down, always with a reason."""
    if not reason.strip():
        raise BudgetRefused("Give a reason for the change: it is kept in the ledger.")
    if change_pence == 0:
        raise BudgetRefused("The change must be an amount other than £0.")
    row = await _locked(session, clock, community_id, year)
    before = await _position(session, row.id)
    if before.budget_pence + change_pence < 0:
        raise BudgetRefused(f"The budget is {pounds(before.budget_pence)}: it cannot go below £0.")
    kind = EntryKind.TOP_UP if change_pence > 0 else EntryKind.ADJUSTMENT
    entry = _entry(clock, row, kind, change_pence, reason=reason.strip(), actor=actor_person_id)
    return await _write(session, clock, row, entry, before)


async def allocate(
    session: AsyncSession,
    clock: Clock,
    community_id: int,
    year: FinancialYear,
    amount_pence: int,
    *,
    school_id: int,
    outcome_id: int | None,
    actor_person_id: int,
    reason: str = "",
    overspend_approved_by: int | None = None,
) -> Written:
    """Commit money to a school. Refused (:class:`Overspend`, with the numbers) when more than is
    available, unless an officer approved the overspend (their id, and the reason, are recorded)."""
    if amount_pence <= 0:
        raise BudgetRefused("An allocation must be more than £0.")
    row = await _locked(session, clock, community_id, year)
    before = await _position(session, row.id)
    if amount_pence > before.available_pence and overspend_approved_by is None:
        raise Overspend(amount_pence, before)
    entry = _entry(clock, row, EntryKind.ALLOCATION, amount_pence, reason=reason, actor=actor_person_id)
    entry.school_id, entry.outcome_id = school_id, outcome_id
    if overspend_approved_by is not None and amount_pence > before.available_pence:
        entry.source = f"overspend approved by person {overspend_approved_by}"
    return await _write(session, clock, row, entry, before)


async def record_payment(
    session: AsyncSession,
    clock: Clock,
    allocation_id: int,
    amount_pence: int,
    *,
    paid_on: date,
    reference: str,
    actor_person_id: int,
) -> Written:
    """Finance records money paid against an allocation: never more than it still has unpaid."""
    allocation = await session.get(LedgerEntry, allocation_id)
    if allocation is None or allocation.kind != EntryKind.ALLOCATION:
        raise BudgetRefused("That allocation is not in the ledger.")
    if amount_pence <= 0:
        raise BudgetRefused("A payment must be more than £0.")
    if not reference.strip():
        raise BudgetRefused("Give finance's reference for the payment.")
    year = await session.get(BudgetYear, allocation.budget_year_id)
    assert year is not None and year.id is not None
    await _lock(session, year)
    unpaid = await allocation_unpaid(session, allocation)
    if amount_pence > unpaid:
        raise BudgetRefused(
            f"{pounds(amount_pence)} is more than the {pounds(unpaid)} of this allocation not yet paid."
        )
    before = await _position(session, year.id)
    entry = _entry(clock, year, EntryKind.PAYMENT, amount_pence, reason="", actor=actor_person_id)
    entry.allocation_id, entry.school_id = allocation.id, allocation.school_id
    entry.reference, entry.paid_on = reference.strip()[:100], paid_on
    return await _write(session, clock, year, entry, before)


async def allocation_of_outcome(session: AsyncSession, outcome_id: int) -> LedgerEntry | None:
    """The allocation an outcome made (None when it agreed no funding, or is not confirmed)."""
    query = select(LedgerEntry).where(
        LedgerEntry.outcome_id == outcome_id, LedgerEntry.kind == EntryKind.ALLOCATION
    )
    return (await session.exec(query.order_by(col(LedgerEntry.id)))).first()


async def change_allocation(
    session: AsyncSession,
    clock: Clock,
    allocation_id: int,
    new_amount_pence: int,
    *,
    reason: str,
    actor_person_id: int | None,
    overspend_approved_by: int | None = None,
) -> Written:
    """An allocation now promises ``new_amount_pence`` (an outcome varied): the difference is an
    entry. More is checked against what is available, as a new allocation is; less can never go
    below what finance has already paid (that is a clawback, not a change). No change, no entry."""
    if new_amount_pence <= 0:
        raise BudgetRefused("An allocation must be more than £0: release it instead.")
    allocation, year = await _allocation_locked(session, allocation_id)
    promised = await allocation_promised(session, allocation)
    before = await _position(session, year.id)
    change = new_amount_pence - promised
    if change == 0:
        return Written(None, before)
    paid = promised - await allocation_unpaid(session, allocation)
    if new_amount_pence < paid:
        raise BudgetRefused(
            f"{pounds(paid)} of this allocation has already been paid: it cannot go below that."
        )
    if change > before.available_pence and overspend_approved_by is None:
        raise Overspend(change, before)
    entry = _entry(clock, year, EntryKind.ALLOCATION_CHANGED, change, reason=reason, actor=actor_person_id)
    entry.allocation_id, entry.school_id, entry.outcome_id = (
        allocation.id,
        allocation.school_id,
        allocation.outcome_id,
    )
    if overspend_approved_by is not None and change > before.available_pence:
        entry.source = f"overspend approved by person {overspend_approved_by}"
    return await _write(session, clock, year, entry, before)


async def release_allocation(
    session: AsyncSession,
    clock: Clock,
    allocation_id: int,
    *,
    reason: str,
    actor_person_id: int | None,
) -> Written:
    """Release what an allocation still promises and has not been paid (a withdrawal, an outcome
    varied to no funding): that money is available again. Nothing unpaid, no entry."""
    allocation, year = await _allocation_locked(session, allocation_id)
    before = await _position(session, year.id)
    unpaid = await allocation_unpaid(session, allocation)
    if unpaid <= 0:
        return Written(None, before)
    entry = _entry(clock, year, EntryKind.RELEASE, unpaid, reason=reason, actor=actor_person_id)
    entry.allocation_id, entry.school_id, entry.outcome_id = (
        allocation.id,
        allocation.school_id,
        allocation.outcome_id,
    )
    return await _write(session, clock, year, entry, before)


async def allocation_promised(session: AsyncSession, allocation: LedgerEntry) -> int:
    """What an allocation commits now: its amount, changed, less what was released."""
    rows = (
        await session.exec(
            select(LedgerEntry.kind, LedgerEntry.amount_pence).where(
                LedgerEntry.allocation_id == allocation.id,
                col(LedgerEntry.kind).in_((EntryKind.ALLOCATION_CHANGED, EntryKind.RELEASE)),
            )
        )
    ).all()
    return allocation.amount_pence + sum(
        amount if kind == EntryKind.ALLOCATION_CHANGED else -amount for kind, amount in rows
    )


async def _allocation_locked(session: AsyncSession, allocation_id: int) -> tuple[LedgerEntry, BudgetYear]:
    allocation = await session.get(LedgerEntry, allocation_id)
    if allocation is None or allocation.kind != EntryKind.ALLOCATION:
        raise BudgetRefused("That allocation is not in the ledger.")
    year = await session.get(BudgetYear, allocation.budget_year_id)
    assert year is not None and year.id is not None
    await _lock(session, year)
    return allocation, year


async def allocation_unpaid(session: AsyncSession, allocation: LedgerEntry) -> int:
    """What an allocation still promises and has not been paid."""
    rows = (
        await session.exec(
            select(LedgerEntry.kind, LedgerEntry.amount_pence).where(
                LedgerEntry.allocation_id == allocation.id
            )
        )
    ).all()
    promised = allocation.amount_pence
    for kind, amount in rows:
        if kind == EntryKind.ALLOCATION_CHANGED:
            promised += amount
        elif kind in (EntryKind.RELEASE, EntryKind.PAYMENT):
            promised -= amount
        elif kind == EntryKind.CLAWBACK:
            promised += amount
    return promised


# ---- the lock and the writes ----------------------------------------------------------------------


async def _year_row(session: AsyncSession, community_id: int, year: FinancialYear) -> BudgetYear | None:
    query = select(BudgetYear).where(
        BudgetYear.community_id == community_id, BudgetYear.financial_year == year.label
    )
    return (await session.exec(query)).first()


async def _locked(session: AsyncSession, clock: Clock, community_id: int, year: FinancialYear) -> BudgetYear:
    row = await budget_year(session, clock, community_id, year)
    await _lock(session, row)
    return row


async def _lock(session: AsyncSession, row: BudgetYear) -> None:
    """Take the year's lock before reading its position (see the module's docstring)."""
    await session.execute(
        update(BudgetYear).where(col(BudgetYear.id) == row.id).values(version=BudgetYear.version + 1)
    )


async def _position(session: AsyncSession, budget_year_id: int | None) -> Position:
    query = select(LedgerEntry.kind, LedgerEntry.amount_pence).where(
        LedgerEntry.budget_year_id == budget_year_id
    )
    return position((EntryKind(kind), amount) for kind, amount in (await session.exec(query)).all())


async def _count(session: AsyncSession, budget_year_id: int | None, kinds: tuple[EntryKind, ...]) -> int:
    query = select(LedgerEntry.id).where(
        LedgerEntry.budget_year_id == budget_year_id, col(LedgerEntry.kind).in_(kinds)
    )
    return len((await session.exec(query)).all())


def _entry(
    clock: Clock,
    row: BudgetYear,
    kind: EntryKind,
    amount_pence: int,
    *,
    reason: str,
    source: str = "",
    actor: int | None,
) -> LedgerEntry:
    assert row.id is not None
    return LedgerEntry(
        budget_year_id=row.id,
        kind=kind,
        amount_pence=amount_pence,
        reason=reason[:500],
        source=source[:200],
        recorded_by_person_id=actor,
        recorded_at=clock.now(),
    )


async def _write(
    session: AsyncSession, clock: Clock, row: BudgetYear, entry: LedgerEntry, before: Position
) -> Written:
    session.add(entry)
    await session.flush()
    audit.record(
        session,
        clock,
        actor_person_id=entry.recorded_by_person_id,
        action=f"budget_{entry.kind.value}",
        entity="budget_year",
        entity_id=f"{row.community_id}:{row.financial_year}",
        detail={"entry_id": entry.id, "amount_pence": entry.amount_pence, "source": entry.source},
    )
    return Written(entry, await _position(session, row.id))
