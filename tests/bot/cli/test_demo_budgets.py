"""`cosbot demo` (what `make run` loads) sets the demo communities' budgets through the budgets
import: this financial year and the next, once; loading the demo again changes nothing."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from bot.cli.commands import main
from tests.bot.cli.test_commands import count, env

__all__ = ["env"]


def test_the_demo_sets_each_communitys_budget_once(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["demo"]) == 0
    said = capsys.readouterr().out
    assert "Budgets set: 6" in said and "set CANT1 2026-27: £48,000" in said
    assert "demo roster, meeting dates and budgets loaded" in said
    assert count(env, "budget_year") == 6 and count(env, "ledger_entry", "kind = 'budget_set'") == 6

    assert main(["demo"]) == 0
    assert "Unchanged: 6" in capsys.readouterr().out
    assert count(env, "ledger_entry") == 6

    out = env.parent / "budgets.csv"
    assert main(["report", "budgets", "--year", "2026-27", "--out", str(out)]) == 0
    with out.open(encoding="utf-8") as rows:
        budgets = {row["community_code"]: int(row["budget_pence"]) for row in csv.DictReader(rows)}
    assert budgets == {"CANT1": 4_800_000, "MAID1": 5_200_000, "THAN2": 3_650_000}
