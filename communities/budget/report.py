"""The budgets report: one row per community for a financial year, the same numbers as the chat."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from communities.budget.ledger import Position
from communities.budget.service import position_of
from communities.budget.years import FinancialYear
from communities.roster.tables import Community

COLUMNS = (
    "community_code",
    "financial_year",
    "budget_pence",
    "committed_pence",
    "spent_pence",
    "available_pence",
)


@dataclass(frozen=True)
class CommunityPosition:
    code: str
    name: str
    position: Position


async def positions(session: AsyncSession, year: FinancialYear) -> list[CommunityPosition]:
    """Every active community's position for the year (zero where no budget is set), by code."""
    communities = (
        await session.exec(select(Community).where(col(Community.active)).order_by(col(Community.code)))
    ).all()
    found: list[CommunityPosition] = []
    for community in communities:
        assert community.id is not None
        found.append(
            CommunityPosition(community.code, community.name, await position_of(session, community.id, year))
        )
    return found


def write_report(path: Path, year: FinancialYear, rows: list[CommunityPosition]) -> None:
    """Write the CSV in one go: to a temporary file first, then moved into place."""
    partial = path.with_name(path.name + ".partial")
    with partial.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        for row in rows:
            p = row.position
            writer.writerow(
                [row.code, year.label, p.budget_pence, p.committed_pence, p.spent_pence, p.available_pence]
            )
    partial.replace(path)
