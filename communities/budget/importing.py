"""The budgets import: ``community_code,financial_year,amount`` in one CSV file, all or nothing.

Every row is checked first and every problem reported as ``file:row: column: reason``; if
anything is wrong, nothing is written. Otherwise each row makes its community's budget for the
year what the file says (:func:`communities.budget.service.set_budget`): set the first time, an
adjustment entry when the amount changed, nothing when it is already so. Importing the same file
twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import col, select

from communities import audit
from communities.budget.service import set_budget
from communities.budget.years import FinancialYear
from communities.clock import Clock
from communities.csv_reading import Cells, CsvImportError, CsvProblem, read_csv
from communities.db import Database
from communities.money import parse_pence, pounds
from communities.roster.tables import Community

COLUMNS = ("community_code", "financial_year", "amount")
#: A community's budget for a year above this is a typo (a missing decimal point).
MOST_PENCE = 100_000_000 * 100


class BudgetProblem(CsvProblem):
    """One thing wrong with the file, told the way a spreadsheet user can find it."""


class BudgetImportError(CsvImportError[BudgetProblem]):
    source = "the budgets file"


@dataclass(frozen=True)
class BudgetRow:
    row: int
    community_code: str
    community_id: int
    year: FinancialYear
    amount_pence: int


@dataclass
class BudgetImportReport:
    set: list[str] = field(default_factory=list)
    adjusted: list[str] = field(default_factory=list)
    unchanged: int = 0
    ignored_columns: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        said = [
            f"Budgets set: {len(self.set)}",
            f"Budgets changed (an adjustment entry each): {len(self.adjusted)}",
            f"Unchanged: {self.unchanged}",
        ]
        said += [f"  set {line}" for line in self.set] + [f"  changed {line}" for line in self.adjusted]
        if self.ignored_columns:
            said.append(f"Columns ignored: {', '.join(self.ignored_columns)}")
        return said


class _Cells(Cells[BudgetProblem]):
    problem_type = BudgetProblem


async def import_budgets(
    database: Database, path: Path, clock: Clock, *, actor_person_id: int | None = None
) -> BudgetImportReport:
    """Import the budgets file at ``path``; raises :class:`BudgetImportError` listing every problem."""
    async with database.session() as session, session.begin():
        query = select(Community.code, Community.id).where(col(Community.active))
        found = (await session.exec(query)).all()
        communities = {code.upper(): ident for code, ident in found if ident is not None}
        rows, ignored = read_budgets(path, communities)
        report = BudgetImportReport(ignored_columns=ignored)
        for row in rows:
            written = await set_budget(
                session,
                clock,
                row.community_id,
                row.year,
                row.amount_pence,
                reason=f"{path.name} row {row.row}",
                source=f"import:{path.name}",
                actor_person_id=actor_person_id,
            )
            said = f"{row.community_code} {row.year}: {pounds(row.amount_pence)}"
            if written.entry is None:
                report.unchanged += 1
            elif written.entry.kind == "budget_set":
                report.set.append(said)
            else:
                report.adjusted.append(said)
        audit.record(
            session,
            clock,
            actor_person_id=actor_person_id,
            action="budgets.imported",
            entity="budgets",
            entity_id=path.name,
            detail={"set": len(report.set), "adjusted": len(report.adjusted), "unchanged": report.unchanged},
        )
    return report


def read_budgets(path: Path, communities: dict[str, int]) -> tuple[list[BudgetRow], list[str]]:
    """The checked rows and the ignored columns; raises :class:`BudgetImportError` on any problem."""
    problems: list[BudgetProblem] = []

    def note(reason: str, row: int | None = None) -> None:
        problems.append(BudgetProblem(path.name, row, None, reason))

    try:
        data = path.read_bytes()
    except OSError as error:
        raise BudgetImportError(
            [BudgetProblem(path.name, None, None, f"cannot be read ({error.strerror})")]
        ) from error
    read = read_csv(data, COLUMNS, note)
    if read.blank:
        note("no budgets under the header")
    rows: list[BudgetRow] = []
    seen: dict[tuple[int, FinancialYear], int] = {}
    for row in read.rows or []:
        cells = _Cells(path.name, row, problems)
        code = (cells.value("community_code") or "").upper()
        community_id = communities.get(code)
        if code and community_id is None:
            cells.problem("community_code", f"no active community with the code '{code}' in the roster")
        year = _year(cells)
        amount = _amount(cells)
        if community_id is not None and year is not None:
            first = seen.setdefault((community_id, year), row.number)
            if first != row.number:
                cells.problem("financial_year", f"{code} {year} is also on row {first}: give each year once")
        if cells.clean and community_id is not None and year is not None and amount is not None:
            rows.append(BudgetRow(row.number, code, community_id, year, amount))
    if problems:
        problems.sort(key=lambda problem: problem.row or 0)
        raise BudgetImportError(problems)
    return rows, read.ignored


def _year(cells: _Cells) -> FinancialYear | None:
    typed = cells.value("financial_year")
    if typed is None:
        return None
    try:
        return FinancialYear.parse(typed)
    except ValueError:
        cells.problem("financial_year", f"'{typed}' is not a financial year like 2026-27 (April to March)")
        return None


def _amount(cells: _Cells) -> int | None:
    typed = cells.value("amount")
    if typed is None:
        return None
    try:
        return parse_pence(typed, most=MOST_PENCE)
    except ValueError:
        cells.problem(
            "amount",
            f"'{typed}' is not an amount in pounds more than £0, like 48000 or 48,000.00 (no minus signs)",
        )
        return None
