"""The budgets import: every problem as file:row: column: reason, all or nothing, and idempotent."""

from __future__ import annotations

from pathlib import Path

import pytest

from communities.budget.importing import BudgetImportError, import_budgets
from communities.budget.service import entries_of, position_of
from communities.budget.tables import EntryKind
from communities.budget.years import FinancialYear
from communities.clock import FixedClock
from communities.db import Database
from tests.communities.budget.test_service import cant1

GOOD = 'community_code,financial_year,amount\nCANT1,2026-27,48000\nTHAN2,2026-27,"52,500.00"\n'


def written(tmp_path: Path, text: str, name: str = "budgets.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


async def test_a_good_file_sets_each_budget_and_the_same_file_again_changes_nothing(
    demo_db: Database, clock: FixedClock, tmp_path: Path
) -> None:
    first = await import_budgets(demo_db, written(tmp_path, GOOD), clock)
    assert first.set == ["CANT1 2026-27: £48,000", "THAN2 2026-27: £52,500"] and not first.adjusted
    again = await import_budgets(demo_db, written(tmp_path, GOOD), clock)
    assert again.unchanged == 2 and not again.set and not again.adjusted
    changed = await import_budgets(demo_db, written(tmp_path, GOOD.replace("48000", "50000")), clock)
    assert changed.adjusted == ["CANT1 2026-27: £50,000"] and changed.unchanged == 1
    community_id = await cant1(demo_db)
    async with demo_db.session() as session:
        entries = [
            (e.kind, e.amount_pence) for e in await entries_of(session, community_id, FinancialYear(2026))
        ]
        held = await position_of(session, community_id, FinancialYear(2026))
    assert entries == [(EntryKind.BUDGET_SET, 4_800_000), (EntryKind.ADJUSTMENT, 200_000)]
    assert held.budget_pence == 5_000_000


async def test_every_problem_is_reported_with_its_row_and_column_and_nothing_is_written(
    demo_db: Database, clock: FixedClock, tmp_path: Path
) -> None:
    text = (
        "Community_Code,Financial_Year,Amount,notes\n"
        "CANT1,2026-27,48000,ok\n"
        "NOPE9,2026-27,1000,\n"
        "THAN2,2026-28,1000,\n"
        "MAID1,2026-27,-500,\n"
        "MAID1,2025-26,12.5,\n"
        "CANT1,2026/27,100,\n"
        ",2026-27,,\n"
    )
    with pytest.raises(BudgetImportError) as failed:
        await import_budgets(demo_db, written(tmp_path, text), clock)
    said = [str(p) for p in failed.value.problems]
    assert said == [
        "budgets.csv:3: community_code: no active community with the code 'NOPE9' in the roster",
        "budgets.csv:4: financial_year: '2026-28' is not a financial year like 2026-27 (April to March)",
        "budgets.csv:5: amount: '-500' is not an amount in pounds more than £0, like 48000 or 48,000.00 "
        "(no minus signs)",
        "budgets.csv:6: amount: '12.5' is not an amount in pounds more than £0, like 48000 or 48,000.00 "
        "(no minus signs)",
        "budgets.csv:7: financial_year: CANT1 2026-27 is also on row 2: give each year once",
        "budgets.csv:8: community_code: empty; this column needs a value",
        "budgets.csv:8: amount: empty; this column needs a value",
    ]
    assert "nothing was imported" in str(failed.value)
    async with demo_db.session() as session:
        held = await position_of(session, await cant1(demo_db), FinancialYear(2026))
    assert held.budget_pence == 0  # the good row was not written either


async def test_a_file_without_the_columns_says_which_are_missing(
    demo_db: Database, clock: FixedClock, tmp_path: Path
) -> None:
    with pytest.raises(BudgetImportError) as failed:
        await import_budgets(demo_db, written(tmp_path, "community,year,amount\nCANT1,2026-27,1\n"), clock)
    assert [str(p) for p in failed.value.problems] == [
        "budgets.csv: header: missing column 'community_code'",
        "budgets.csv: header: missing column 'financial_year'",
    ]
