"""What the committed money did between two moments, and what a meeting allocated: read from the ledger.

An agenda's finance section reports the position for the meeting's financial year and the
allocations made since the community's last meeting (new ones, changes and releases); the minutes
report the allocations a meeting's outcomes made and the position after them. Each line names the
request's reference and the school, never anything from the request's form.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from communities.budget.ledger import Position, position, signed
from communities.budget.tables import BudgetYear, EntryKind, LedgerEntry
from communities.budget.years import FinancialYear
from communities.outcomes.tables import Outcome
from communities.requests.tables import Request
from communities.roster.tables import School

#: The entries that move what is committed to schools.
COMMITTING = (EntryKind.ALLOCATION, EntryKind.ALLOCATION_CHANGED, EntryKind.RELEASE)


@dataclass(frozen=True)
class Movement:
    """One allocation, change of an allocation or release."""

    entry_id: int
    recorded_at: datetime
    kind: EntryKind
    #: The request's reference (None: an allocation made without an outcome).
    ref: str | None
    school: str
    #: Signed as it moves the committed total: a release is below zero.
    amount_pence: int


@dataclass(frozen=True)
class BudgetSince:
    """A community's position for a financial year and the movements in a window of it."""

    year: str
    #: None: no budget is set for the year (nothing in its ledger).
    position: Position | None
    movements: tuple[Movement, ...]
    #: Where the window starts, as people say it ("the meeting on ..."), or None: the year's start.
    since: str | None = None


async def budget_since(
    session: AsyncSession,
    community_id: int,
    day: date,
    *,
    after: datetime | None,
    until: datetime | None,
    since: str | None = None,
) -> BudgetSince:
    """The position for the financial year ``day`` falls in, and the movements after ``after``
    (None: from the year's start) up to ``until`` (None: up to now)."""
    year = FinancialYear.of(day)
    row = await _year_row(session, community_id, year)
    if row is None or row.id is None:
        return BudgetSince(year.label, None, (), since)
    entries = await _entries(session, [LedgerEntry.budget_year_id == row.id])
    if not entries:
        return BudgetSince(year.label, None, (), since)
    window = [
        e
        for e in entries
        if e.kind in COMMITTING
        and (after is None or e.recorded_at > after)
        and (until is None or e.recorded_at <= until)
    ]
    return BudgetSince(
        year.label,
        position((EntryKind(e.kind), e.amount_pence) for e in entries),
        tuple(await movements(session, window)),
        since,
    )


async def allocated_by(session: AsyncSession, outcome_ids: Sequence[int]) -> BudgetSince | None:
    """What the outcomes allocated (their allocations, and any change or release since) and the
    position just after the last of them; None when they allocated nothing."""
    if not outcome_ids:
        return None
    found = await _entries(
        session, [col(LedgerEntry.outcome_id).in_(list(outcome_ids)), col(LedgerEntry.kind).in_(COMMITTING)]
    )
    if not found:
        return None
    year = await session.get(BudgetYear, found[-1].budget_year_id)
    assert year is not None
    up_to = await _entries(
        session, [LedgerEntry.budget_year_id == year.id, col(LedgerEntry.id) <= found[-1].id]
    )
    after = position((EntryKind(e.kind), e.amount_pence) for e in up_to)
    return BudgetSince(year.financial_year, after, tuple(await movements(session, found)))


async def movements(session: AsyncSession, entries: Sequence[LedgerEntry]) -> list[Movement]:
    """The entries as lines: the request's reference and the school's name looked up once each."""
    schools: dict[int, str] = {}
    refs: dict[int, str | None] = {}
    shown: list[Movement] = []
    for entry in entries:
        assert entry.id is not None
        school = ""
        if entry.school_id is not None:
            if entry.school_id not in schools:
                found = await session.get(School, entry.school_id)
                schools[entry.school_id] = found.name if found else "A school no longer in the roster"
            school = schools[entry.school_id]
        ref = None
        if entry.outcome_id is not None:
            if entry.outcome_id not in refs:
                refs[entry.outcome_id] = await _ref(session, entry.outcome_id)
            ref = refs[entry.outcome_id]
        kind = EntryKind(entry.kind)
        shown.append(
            Movement(entry.id, entry.recorded_at, kind, ref, school, signed(kind, entry.amount_pence))
        )
    return shown


async def _ref(session: AsyncSession, outcome_id: int) -> str | None:
    query = (
        select(Request.ref)
        .join(Outcome, col(Outcome.request_id) == col(Request.id))
        .where(Outcome.id == outcome_id)
    )
    return (await session.exec(query)).first()


async def _year_row(session: AsyncSession, community_id: int, year: FinancialYear) -> BudgetYear | None:
    query = select(BudgetYear).where(
        BudgetYear.community_id == community_id, BudgetYear.financial_year == year.label
    )
    return (await session.exec(query)).first()


async def _entries(session: AsyncSession, where: list[object]) -> list[LedgerEntry]:
    query = select(LedgerEntry).where(*where).order_by(col(LedgerEntry.id))  # type: ignore[arg-type]
    return list((await session.exec(query)).all())
