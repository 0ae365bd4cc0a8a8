"""The officers' report: figures per area and community for a period, every count suppressed as one
table (:mod:`.grid`), the same for the chat's card and the CSV.

* requests submitted in the period, by where they are now and by the main area of need;
* decisions at meetings in the period, and the median calendar days from submission to decision
  (not shown over fewer than 5 requests);
* funding committed against budget, for the financial year the period ends in (the ledger's own
  position, :func:`communities.budget.service.position_of`);
* actions, reviews and disputes overdue on the day the report is made.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlmodel.ext.asyncio.session import AsyncSession

from communities.academic_year import FIRST_MONTH
from communities.budget.ledger import Position
from communities.budget.report import positions
from communities.budget.years import FinancialYear
from communities.reporting.figures import Figures, Place, read_figures
from communities.reporting.grid import ALL, Areas, CountTable, area_key, count_table
from communities.reporting.suppression import THRESHOLD
from communities.reporting.words import (
    ALL_AREAS,
    DECISION_GROUPS,
    MEDIAN_SUPPRESSED,
    NEED_GROUPS,
    OVERDUE_GROUPS,
    STATUS_GROUPS,
    TOTAL,
)


@dataclass(frozen=True)
class Row:
    """A place the report has a row for: all areas, an area, or a community."""

    key: str
    label: str
    level: str
    area: str = ""
    code: str = ""


@dataclass(frozen=True)
class Median:
    days: float | None

    def __str__(self) -> str:
        if self.days is None:
            return MEDIAN_SUPPRESSED
        return f"{self.days:g} days"


@dataclass(frozen=True)
class Report:
    start: date
    end: date
    today: date
    financial_year: str
    rows: tuple[Row, ...]
    by_status: CountTable
    by_need: CountTable
    by_decision: CountTable
    overdue: CountTable
    median: dict[str, Median]
    funding: dict[str, Position]

    def areas(self) -> list[Row]:
        return [row for row in self.rows if row.level == "area"]

    def communities(self, area: str | None = None) -> list[Row]:
        return [r for r in self.rows if r.level == "community" and (area is None or r.area == area)]

    def row(self, key: str) -> Row:
        return next(row for row in self.rows if row.key == key)


def default_period(today: date) -> tuple[date, date]:
    """The academic year to date (from 1 September)."""
    year = today.year if today.month >= FIRST_MONTH else today.year - 1
    return date(year, FIRST_MONTH, 1), today


async def build_report(session: AsyncSession, start: date, end: date, today: date) -> Report:
    figures = await read_figures(session, start, end, today)
    shown = [p for p in figures.places if p.active or _has_figures(figures, p.code)]
    grouped: dict[str, list[Place]] = {}
    for place in shown:
        grouped.setdefault(place.area, []).append(place)
    areas = Areas(tuple((name, tuple(p.code for p in mine)) for name, mine in grouped.items()))
    rows = [Row(ALL, ALL_AREAS, "all")]
    for name, mine in grouped.items():
        rows.append(Row(area_key(name), name, "area", area=name))
        rows += [Row(p.code, f"{p.name} ({p.code})", "community", area=name, code=p.code) for p in mine]

    def tabled(
        groups: Iterable[tuple[str, str]], counts: dict[str, list[int]], *, totalled: bool
    ) -> CountTable:
        return count_table(areas, list(groups), counts, totalled=totalled, total=TOTAL)

    year = FinancialYear.of(end)
    by_code = {p.code: p.position for p in await positions(session, year)}
    funding: dict[str, Position] = {}
    for name, codes in areas.areas:
        for code in codes:
            funding[code] = by_code.get(code, Position())
        funding[area_key(name)] = _sum(funding[c] for c in codes)
    funding[ALL] = _sum(funding[area_key(name)] for name, _ in areas.areas)

    days: dict[str, list[int]] = {ALL: []}
    for name, codes in areas.areas:
        days[area_key(name)] = []
        for code in codes:
            days[code] = list(figures.days_to_decision.get(code, []))
            days[area_key(name)] += days[code]
        days[ALL] += days[area_key(name)]

    return Report(
        start=start,
        end=end,
        today=today,
        financial_year=year.label,
        rows=tuple(rows),
        by_status=tabled(((k, label) for k, label, _ in STATUS_GROUPS), figures.by_status, totalled=True),
        by_need=tabled(NEED_GROUPS, figures.by_need, totalled=True),
        by_decision=tabled(
            ((k, label) for k, label, _ in DECISION_GROUPS), figures.by_decision, totalled=True
        ),
        overdue=tabled(OVERDUE_GROUPS, figures.overdue, totalled=False),
        median={key: _median(found) for key, found in days.items()},
        funding=funding,
    )


def _has_figures(figures: Figures, code: str) -> bool:
    tables = (figures.by_status, figures.by_need, figures.by_decision, figures.overdue)
    return any(any(table.get(code, [])) for table in tables)


def _sum(found: Iterable[Position]) -> Position:
    budget = committed = spent = 0
    for position in found:
        budget += position.budget_pence
        committed += position.committed_pence
        spent += position.spent_pence
    return Position(budget, committed, spent)


def _median(days: list[int]) -> Median:
    return Median(statistics.median(days) if len(days) >= THRESHOLD else None)


# ---- the CSV ------------------------------------------------------------------------------------

_TABLES = (
    ("requests", "by_status"),
    ("need", "by_need"),
    ("decision", "by_decision"),
    ("overdue", "overdue"),
)


def csv_columns(report: Report) -> list[str]:
    columns = ["level", "area", "community_code", "name"]
    for prefix, attribute in _TABLES:
        table: CountTable = getattr(report, attribute)
        columns += [f"{prefix}_{key}" for key, _ in table.columns]
    columns += [
        "median_calendar_days_submission_to_decision",
        "financial_year",
        "budget_pence",
        "committed_pence",
        "available_pence",
    ]
    return columns


def csv_rows(report: Report) -> list[list[str]]:
    """A line per place, the counts as the card shows them ("fewer than 5", "not shown")."""
    lines = []
    for row in report.rows:
        line = [
            row.level,
            row.area,
            row.code,
            row.label if row.level != "community" else row.label.rsplit(" (", 1)[0],
        ]
        for _, attribute in _TABLES:
            table: CountTable = getattr(report, attribute)
            line += [str(count) for count in table.row(row.key)]
        median = report.median[row.key]
        position = report.funding[row.key]
        line += [
            MEDIAN_SUPPRESSED if median.days is None else f"{median.days:g}",
            report.financial_year,
            str(position.budget_pence),
            str(position.committed_pence),
            str(position.available_pence),
        ]
        lines.append(line)
    return lines
