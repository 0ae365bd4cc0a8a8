"""The budget as people read it: a community's position and its latest entries, in words."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession

from communities.budget.ledger import Position
from communities.budget.service import entries_of, position_of
from communities.budget.tables import EntryKind
from communities.budget.years import FinancialYear
from communities.meetings.tables import local
from communities.money import pounds
from communities.roster.tables import Community, School

#: How many of the latest entries a community's card lists.
LATEST = 8


@dataclass(frozen=True)
class EntryLine:
    #: "3 December 2026"
    day: str
    #: "Allocation: Westgate Meadow Primary School"
    what: str
    #: "£1,500"
    amount: str


@dataclass(frozen=True)
class BudgetView:
    code: str
    name: str
    year: str
    position: Position
    #: The latest entries, newest first; how many there are in all.
    latest: tuple[EntryLine, ...]
    entries: int


async def budget_view(session: AsyncSession, community: Community, year: FinancialYear) -> BudgetView:
    assert community.id is not None
    entries = await entries_of(session, community.id, year)
    lines = []
    for entry in reversed(entries[-LATEST:]):
        what = EntryKind(entry.kind).label
        if entry.school_id is not None:
            school = await session.get(School, entry.school_id)
            what += f": {school.name}" if school else ""
        if (
            entry.reason
            and entry.kind not in (EntryKind.BUDGET_SET, EntryKind.ADJUSTMENT)
            or (entry.kind == EntryKind.ADJUSTMENT and entry.reason)
        ):
            what += f" ({entry.reason})"
        day = local(entry.recorded_at)
        lines.append(EntryLine(f"{day.day} {day:%B %Y}", what, pounds(entry.amount_pence)))
    return BudgetView(
        community.code,
        community.name,
        year.label,
        await position_of(session, community.id, year),
        tuple(lines),
        len(entries),
    )
