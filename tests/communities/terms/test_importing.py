"""`cosbot import terms`: all or nothing, every problem as file:row: column: reason, idempotent."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlmodel import select

from communities.clock import FixedClock
from communities.db import Database
from communities.terms.calendar import load_calendar
from communities.terms.importing import TermImportError, import_terms
from communities.terms.tables import TermDate

HEADER = "academic_year,term,starts_on,ends_on\n"
GOOD = (
    HEADER + "2026-27,Term 1,2026-09-02,2026-10-23\n"
    "2026-27,Term 2,02/11/2026,18/12/2026\n"
    "2026-27,inset,2026-11-02,\n"
)


def terms_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "terms.csv"
    path.write_text(text)
    return path


async def rows(db: Database) -> list[TermDate]:
    async with db.session() as session:
        return list((await session.exec(select(TermDate))).all())


async def test_terms_load_once_and_again_change_nothing(
    db: Database, clock: FixedClock, tmp_path: Path
) -> None:
    path = terms_file(tmp_path, GOOD)
    report = await import_terms(db, path, clock)
    assert report.lines()[:3] == [
        "Academic years loaded: 1",
        "Academic years replaced (their dates changed): 0",
        "Unchanged: 0",
    ]
    assert "  loaded 2026-27: 2 terms, 1 INSET rows" in report.lines()
    first = await rows(db)
    assert len(first) == 3
    again = await import_terms(db, path, clock)
    assert again.unchanged == ["2026-27: 2 terms, 1 INSET rows"] and not again.loaded and not again.replaced
    assert [r.id for r in await rows(db)] == [r.id for r in first]  # untouched
    async with db.session() as session:
        calendar = await load_calendar(session)
    assert calendar.term_label(date(2026, 11, 3)) == "Term 2, 2026-27"
    assert not calendar.is_school_day(date(2026, 11, 2))  # the INSET day
    assert not calendar.is_school_day(date(2026, 10, 28))  # half term


async def test_a_corrected_file_replaces_that_years_dates(
    db: Database, clock: FixedClock, tmp_path: Path
) -> None:
    await import_terms(db, terms_file(tmp_path, GOOD), clock)
    fixed = HEADER + "2026-27,Term 1,2026-09-03,2026-10-23\n2026-27,Term 2,2026-11-02,2026-12-18\n"
    report = await import_terms(db, terms_file(tmp_path, fixed), clock)
    assert report.replaced == ["2026-27: 2 terms, 0 INSET rows"]
    stored = sorted((r.name, r.starts_on) for r in await rows(db))
    assert stored == [("Term 1", date(2026, 9, 3)), ("Term 2", date(2026, 11, 2))]


async def test_every_problem_is_reported_and_nothing_is_imported(
    db: Database, clock: FixedClock, tmp_path: Path
) -> None:
    bad = (
        HEADER + "2026/28,Term 1,2026-09-02,2026-10-23\n"  # 2
        "2026-27,Term 2,2026-12-18,2026-11-02\n"  # 3: ends before it starts
        "2026-27,Term 3,2027-01-04,2027-09-10\n"  # 4: ends in the next academic year
        "2026-27,Term 4,5 January,2027-02-12\n"  # 5: not a date
        "2026-27,,2027-02-22,2027-04-01\n"  # 6: no name
        "2026-27,Term 5,2027-04-19,2027-05-28\n"
        "2026-27,Term 5,2027-06-07,2027-07-21\n"  # 8: the same name twice
        "2026-27,Term 6,2027-05-20,2027-07-21\n"  # 9: overlaps Term 5
    )
    with pytest.raises(TermImportError) as raised:
        await import_terms(db, terms_file(tmp_path, bad), clock)
    assert [str(p) for p in raised.value.problems] == [
        "terms.csv:2: academic_year: '2026/28' is not an academic year like 2026-27",
        "terms.csv:3: ends_on: 02 Nov 2026 is before the start, 18 Dec 2026",
        "terms.csv:4: ends_on: not in the academic year 2026-27 (1 September to 31 August)",
        "terms.csv:5: starts_on: '5 January' is not a date like 2027-01-05 or 05/01/2027",
        "terms.csv:6: term: empty; this column needs a value",
        "terms.csv:8: term: 'Term 5' is also on row 7",
        "terms.csv:9: starts_on: overlaps Term 5 on row 7",
        "terms.csv:9: starts_on: overlaps Term 5 on row 8",
    ]
    assert str(raised.value).startswith("8 problems in the term dates file; nothing was imported")
    assert await rows(db) == []


async def test_a_file_without_the_columns_is_refused(db: Database, clock: FixedClock, tmp_path: Path) -> None:
    with pytest.raises(TermImportError) as raised:
        await import_terms(db, terms_file(tmp_path, "year,name\n2026-27,Term 1\n"), clock)
    assert "terms.csv: header: missing column 'academic_year'" in [str(p) for p in raised.value.problems]
