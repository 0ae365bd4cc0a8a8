"""The term dates import: ``academic_year,term,starts_on,ends_on`` in one CSV file, all or nothing.

Each row is a term of an academic year ("2026-27"), its name as the schools write it ("Term 3"),
and its first and last days (2027-01-05, or 05/01/2027). A row whose ``term`` is ``inset`` is an
INSET day (``ends_on`` empty, or the last of several INSET days in a row). Every row is checked
first and every problem reported as ``file:row: column: reason``; if anything is wrong, nothing
is written. Otherwise each academic year in the file gets exactly the file's rows: the same file
imported twice changes nothing, and a corrected file replaces that year's dates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sqlmodel import col, delete, select

from communities import audit
from communities.clock import Clock
from communities.csv_reading import Cells, CsvImportError, CsvProblem, max_length, read_csv
from communities.db import Database
from communities.school_days import academic_year_of_day, year_label
from communities.terms.tables import INSET, TermDate

COLUMNS = ("academic_year", "term", "starts_on", "ends_on")
_YEAR = re.compile(r"(\d{4})\s*[-/]\s*(\d{2}|\d{4})")


class TermProblem(CsvProblem):
    """One thing wrong with the file, told the way a spreadsheet user can find it."""


class TermImportError(CsvImportError[TermProblem]):
    source = "the term dates file"


@dataclass(frozen=True)
class TermRow:
    row: int
    academic_year: int
    kind: str
    name: str
    starts_on: date
    ends_on: date

    @property
    def key(self) -> tuple[int, str, str, date, date]:
        return (self.academic_year, self.kind, self.name, self.starts_on, self.ends_on)


@dataclass
class TermImportReport:
    loaded: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        said = [
            f"Academic years loaded: {len(self.loaded)}",
            f"Academic years replaced (their dates changed): {len(self.replaced)}",
            f"Unchanged: {len(self.unchanged)}",
        ]
        said += [f"  loaded {line}" for line in self.loaded] + [
            f"  replaced {line}" for line in self.replaced
        ]
        if self.ignored_columns:
            said.append(f"Columns ignored: {', '.join(self.ignored_columns)}")
        return said


class _Cells(Cells[TermProblem]):
    problem_type = TermProblem

    def day(self, column: str, *, required: bool = True) -> date | None:
        typed = self.value(column, required=required)
        if typed is None:
            return None
        for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
            try:
                return datetime.strptime(typed, pattern).date()
            except ValueError:
                continue
        self.problem(column, f"'{typed}' is not a date like 2027-01-05 or 05/01/2027")
        return None


async def import_terms(
    database: Database, path: Path, clock: Clock, *, actor_person_id: int | None = None
) -> TermImportReport:
    """Import the term dates file at ``path``; raises :class:`TermImportError` listing every problem."""
    rows, ignored = read_terms(path)
    report = TermImportReport(ignored_columns=ignored)
    async with database.session() as session, session.begin():
        for year in sorted({row.academic_year for row in rows}):
            wanted = sorted(row.key for row in rows if row.academic_year == year)
            stored = (await session.exec(select(TermDate).where(TermDate.academic_year == year))).all()
            have = sorted((r.academic_year, r.kind, r.name, r.starts_on, r.ends_on) for r in stored)
            terms = sum(1 for key in wanted if key[1] != INSET)
            said = f"{year_label(year)}: {terms} terms, {len(wanted) - terms} INSET rows"
            if have == wanted:
                report.unchanged.append(said)
                continue
            (report.replaced if have else report.loaded).append(said)
            await session.exec(delete(TermDate).where(col(TermDate.academic_year) == year))
            for _, kind, name, starts_on, ends_on in wanted:
                session.add(
                    TermDate(
                        academic_year=year,
                        kind=kind,
                        name=name,
                        starts_on=starts_on,
                        ends_on=ends_on,
                        imported_at=clock.now(),
                    )
                )
        audit.record(
            session,
            clock,
            actor_person_id=actor_person_id,
            action="terms.imported",
            entity="terms",
            entity_id=path.name,
            detail={"loaded": len(report.loaded), "replaced": len(report.replaced)},
        )
    return report


def read_terms(path: Path) -> tuple[list[TermRow], list[str]]:
    """The checked rows and the ignored columns; raises :class:`TermImportError` on any problem."""
    problems: list[TermProblem] = []

    def note(reason: str, row: int | None = None) -> None:
        problems.append(TermProblem(path.name, row, None, reason))

    try:
        data = path.read_bytes()
    except OSError as error:
        raise TermImportError(
            [TermProblem(path.name, None, None, f"cannot be read ({error.strerror})")]
        ) from error
    read = read_csv(data, COLUMNS, note)
    if read.blank:
        note("no term dates under the header")
    longest = max_length(TermDate, "name")
    rows: list[TermRow] = []
    for row in read.rows or []:
        cells = _Cells(path.name, row, problems)
        year = _year(cells)
        name = cells.value("term") or ""
        kind = INSET if name.lower() == INSET else "term"
        if len(name) > longest:
            cells.problem("term", f"longer than {longest} characters")
        starts_on = cells.day("starts_on")
        ends_on = cells.day("ends_on", required=kind == "term") or starts_on
        if starts_on is not None and ends_on is not None:
            if ends_on < starts_on:
                cells.problem("ends_on", f"{ends_on:%d %b %Y} is before the start, {starts_on:%d %b %Y}")
            elif year is not None and {academic_year_of_day(starts_on), academic_year_of_day(ends_on)} != {
                year
            }:
                cells.problem(
                    "starts_on" if academic_year_of_day(starts_on) != year else "ends_on",
                    f"not in the academic year {year_label(year)} (1 September to 31 August)",
                )
        if cells.clean and year is not None and starts_on is not None and ends_on is not None:
            rows.append(TermRow(row.number, year, kind, INSET if kind == INSET else name, starts_on, ends_on))
    _check_together(path.name, rows, problems)
    if problems:
        problems.sort(key=lambda problem: problem.row or 0)
        raise TermImportError(problems)
    return rows, read.ignored


def _check_together(file: str, rows: list[TermRow], problems: list[TermProblem]) -> None:
    """A term name once per year, and no two terms of a year overlapping."""
    terms = [row for row in rows if row.kind != INSET]
    for i, row in enumerate(terms):
        for earlier in terms[:i]:
            if earlier.academic_year != row.academic_year:
                continue
            if earlier.name.lower() == row.name.lower():
                problems.append(
                    TermProblem(file, row.row, "term", f"'{row.name}' is also on row {earlier.row}")
                )
            elif row.starts_on <= earlier.ends_on and earlier.starts_on <= row.ends_on:
                problems.append(
                    TermProblem(file, row.row, "starts_on", f"overlaps {earlier.name} on row {earlier.row}")
                )


def _year(cells: _Cells) -> int | None:
    typed = cells.value("academic_year")
    if typed is None:
        return None
    match = _YEAR.fullmatch(typed)
    if match is not None:
        first, second = int(match.group(1)), int(match.group(2))
        if second % 100 == (first + 1) % 100 and (second < 100 or second == first + 1):
            return first
    cells.problem("academic_year", f"'{typed}' is not an academic year like 2026-27")
    return None
