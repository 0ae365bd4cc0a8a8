"""`cosbot report summary`: the officers' report as CSV, suppressed as the chat's card is, all or
nothing, with clear errors."""

from __future__ import annotations

import asyncio
import csv
from datetime import date
from pathlib import Path

import pytest

from bot.cli.commands import main
from communities.db import Database
from communities.outcomes.decisions import OutcomeDecision
from tests.bot.cli.test_reports import env as env  # noqa: F401  (the demo roster, two decided requests)
from tests.communities.reporting.world import SECRET_TEXT, World


async def _more(url: str) -> None:
    db = Database(url)
    try:
        world = World(db)
        await world.requests("THAN2", 6, need="semh", submitted=date(2026, 10, 5))
        await world.requests("THAN2", 2, need="sensory_physical", submitted=date(2026, 10, 5))
        await world.decided("MAID1", 5, OutcomeDecision.NOT_AGREED, meeting_day=date(2026, 10, 26))
    finally:
        await db.dispose()


def read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file))


def test_a_line_per_place_with_small_numbers_suppressed(
    env: str,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    asyncio.run(_more(env))
    out = tmp_path / "summary.csv"
    capsys.readouterr()
    assert main(["report", "summary", "--from", "2026-09-01", "--to", "2026-12-31", "--out", str(out)]) == 0
    assert capsys.readouterr().out.startswith(f"{out}: 6 lines")
    rows = {(row["level"], row["area"], row["community_code"]): row for row in read(out)}
    assert list(rows) == [
        ("all", "", ""),
        ("area", "East", ""),
        ("community", "East", "CANT1"),
        ("community", "East", "THAN2"),
        ("area", "West", ""),
        ("community", "West", "MAID1"),
    ]
    than2 = rows[("community", "East", "THAN2")]
    # Six with social, emotional and mental health needs and two (fewer than 5) with sensory or
    # physical ones: the total, 8, would give the two back, so it is not shown.
    assert [than2[f"need_{key}"] for key in ("semh", "sensory_physical", "total")] == [
        "6",
        "fewer than 5",
        "not shown",
    ]
    # CANT1's two decided requests (the meeting of 10 December) are fewer than 5.
    assert rows[("community", "East", "CANT1")]["decision_agreed"] == "fewer than 5"
    maid1 = rows[("community", "West", "MAID1")]
    assert maid1["decision_not_agreed"] == "5"
    assert maid1["median_calendar_days_submission_to_decision"] == "21"  # 5 to 26 October
    assert rows[("community", "East", "CANT1")]["budget_pence"] == "4800000"
    text = out.read_text(encoding="utf-8")
    assert not [secret for secret in SECRET_TEXT if secret in text]
    for value in read(out):
        for column, cell in value.items():
            if cell.isdigit() and column.startswith(("requests_", "need_", "decision_", "overdue_")):
                assert not 0 < int(cell) < 5, (column, cell)


@pytest.mark.parametrize(
    ("arguments", "said"),
    [
        (["--from", "2026-13-01", "--to", "2026-12-31"], "--from '2026-13-01' is not a date"),
        (["--from", "2026-09-01", "--to", "tomorrow"], "--to 'tomorrow' is not a date"),
        (["--from", "2026-12-31", "--to", "2026-09-01"], "--to 2026-09-01 is before --from 2026-12-31"),
    ],
)
def test_bad_dates_are_said_and_nothing_is_written(
    env: str,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    arguments: list[str],
    said: str,
) -> None:
    out = tmp_path / "summary.csv"
    assert main(["report", "summary", *arguments, "--out", str(out)]) == 2
    assert said in capsys.readouterr().err
    assert not out.exists()


def test_a_path_that_cannot_be_written_is_said_and_leaves_no_half_file(
    env: str,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    missing = tmp_path / "nowhere" / "summary.csv"
    assert (
        main(["report", "summary", "--from", "2026-09-01", "--to", "2026-12-31", "--out", str(missing)]) == 2
    )
    assert "does not exist" in capsys.readouterr().err
    folder = tmp_path / "a-folder"
    folder.mkdir()
    assert (
        main(["report", "summary", "--from", "2026-09-01", "--to", "2026-12-31", "--out", str(folder)]) == 2
    )
    assert f"cannot write {folder}" in capsys.readouterr().err
    assert folder.is_dir() and not [p.name for p in tmp_path.iterdir() if p.name.startswith(".a-folder")]
