"""`cosbot import budgets FILE` and `cosbot report budgets`: the same numbers in and out."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from bot.cli.commands import main
from tests.bot.cli.test_meetings import env  # noqa: F401  (the fixture: a fresh database with the demo roster)


def budgets_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "budgets.csv"
    path.write_text(text)
    return path


def report(tmp_path: Path, year: str = "2026-27") -> list[dict[str, str]]:
    out = tmp_path / "report.csv"
    assert main(["report", "budgets", "--year", year, "--out", str(out)]) == 0
    with out.open(newline="") as read:
        return list(csv.DictReader(read))


@pytest.mark.usefixtures("env")
def test_budgets_go_in_once_and_come_out_in_the_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = budgets_file(
        tmp_path, 'community_code,financial_year,amount\nCANT1,2026-27,"48,000.00"\nTHAN2,2026-27,52500\n'
    )
    assert main(["import", "budgets", str(path)]) == 0
    assert "Budgets set: 2" in capsys.readouterr().out
    assert main(["import", "budgets", str(path)]) == 0
    assert "Unchanged: 2" in capsys.readouterr().out
    rows = report(tmp_path)
    assert list(rows[0]) == [
        "community_code",
        "financial_year",
        "budget_pence",
        "committed_pence",
        "spent_pence",
        "available_pence",
    ]
    by_code = {row["community_code"]: row for row in rows}
    assert by_code["CANT1"] == {
        "community_code": "CANT1",
        "financial_year": "2026-27",
        "budget_pence": "4800000",
        "committed_pence": "0",
        "spent_pence": "0",
        "available_pence": "4800000",
    }
    assert by_code["THAN2"]["budget_pence"] == "5250000" and by_code["MAID1"]["budget_pence"] == "0"
    assert "wrote 3 communities for 2026-27" in capsys.readouterr().out


@pytest.mark.usefixtures("env")
def test_a_bad_file_imports_nothing_and_says_every_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = budgets_file(tmp_path, "community_code,financial_year,amount\nCANT1,2026-27,48000\nCANT1,2027,x\n")
    assert main(["import", "budgets", str(path)]) != 0
    err = capsys.readouterr().err
    assert "budgets.csv:3: financial_year: '2027' is not a financial year like 2026-27" in err
    assert "budgets.csv:3: amount: 'x' is not an amount in pounds" in err
    assert "nothing was imported" in err
    assert {row["community_code"]: row["budget_pence"] for row in report(tmp_path)}["CANT1"] == "0"


@pytest.mark.usefixtures("env")
def test_the_report_refuses_a_year_it_cannot_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "budgets", "--year", "next year", "--out", str(tmp_path / "r.csv")]) != 0
    assert "'next year' is not a financial year like 2026-27" in capsys.readouterr().err
    assert not (tmp_path / "r.csv").exists()
