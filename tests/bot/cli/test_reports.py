"""`cosbot report outcomes`: one CSV row per decided request, all or nothing, with clear errors."""

from __future__ import annotations

import asyncio
import csv
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.cli.commands import main
from communities.clock import FixedClock
from communities.db import Database
from communities.outcomes.confirming import confirm_outcomes
from communities.outcomes.recording import save_outcome
from communities.outcomes.summary import COLUMNS, community_names, decided_rows, summarise
from tests.conftest import DEMO_ROSTER
from tests.support.outcomes import as_person, held_meeting, rulings_for_westgate, support_agreed
from tests.support.people import GRACE


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh SQLite database with the demo roster and a CANT1 meeting with two decided requests."""
    monkeypatch.chdir(tmp_path)  # no stray .env is read
    for name in (
        "MicrosoftAppId",
        "MicrosoftAppPassword",
        "MicrosoftAppTenantId",
        "PUBLIC_URL",
        "GRAPH_MAILBOX",
    ):
        monkeypatch.delenv(name, raising=False)
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    assert main(["import", "roster", str(DEMO_ROSTER)]) == 0
    asyncio.run(_decide(url))
    return url


async def _decide(url: str) -> None:
    db, clock = Database(url), FixedClock(datetime(2026, 11, 23, 9, 30, tzinfo=UTC))
    try:
        held = await held_meeting(db, clock, items=2)  # Thursday 10 December 2026
        rulings = await rulings_for_westgate(db)
        first, second = held.request_ids
        funded = support_agreed(
            rulings,
            decision="funding_agreed",
            funding="£1,500.50",
            funding_from=date(2027, 1, 4),
            funding_to=date(2027, 3, 26),
        )
        for request_id, entry in ((first, support_agreed(rulings)), (second, funded)):
            await as_person(
                db,
                GRACE,
                lambda s, a, r=request_id, e=entry: save_outcome(s, clock, a, held.meeting_id, r, e),
            )
        await as_person(db, GRACE, lambda s, a: confirm_outcomes(s, clock, a, held.meeting_id))
    finally:
        await db.dispose()


def read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as file:
        reader = csv.DictReader(file)
        assert tuple(reader.fieldnames or ()) == COLUMNS
        return list(reader)


def test_one_row_per_decided_request(env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "outcomes.csv"
    capsys.readouterr()
    assert main(["report", "outcomes", "--from", "2026-12-01", "--to", "2026-12-31", "--out", str(out)]) == 0
    assert capsys.readouterr().out.strip() == f"{out}: 2 decided requests from 2026-12-01 to 2026-12-31"
    rows = read(out)
    assert rows == [
        {
            "reference": "COS-CANT1-26-001",
            "community_code": "CANT1",
            "school_urn": "990101",
            "meeting_date": "2026-12-10",
            "decision": "support_agreed",
            "funding_agreed_pence": "",
            "review_date": "2027-03-30",
            "status": "in_delivery",
        },
        {
            "reference": "COS-CANT1-26-002",
            "community_code": "CANT1",
            "school_urn": "990101",
            "meeting_date": "2026-12-10",
            "decision": "funding_agreed",
            "funding_agreed_pence": "150050",
            "review_date": "2027-03-30",
            "status": "in_delivery",
        },
    ]
    # The same numbers as the officer's summary in the chat.
    db = Database(env)

    async def summary() -> list[tuple[str, int, int]]:
        try:
            async with db.session() as session:
                found = await decided_rows(session, date(2026, 12, 1), date(2026, 12, 31))
                return [
                    (c.code, c.decided, c.funding_pence)
                    for c in summarise(found, await community_names(session))
                ]
        finally:
            await db.dispose()

    assert asyncio.run(summary()) == [("CANT1", 2, 150050)]
    # Another community, or a period without meetings: the header alone.
    assert (
        main(
            [
                "report",
                "outcomes",
                "--from",
                "2026-12-01",
                "--to",
                "2026-12-31",
                "--community",
                "than2",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    assert read(out) == []
    assert main(["report", "outcomes", "--from", "2026-12-11", "--to", "2026-12-31", "--out", str(out)]) == 0
    assert read(out) == []


@pytest.mark.parametrize(
    ("arguments", "said"),
    [
        (
            ["--from", "2026-13-01", "--to", "2026-12-31"],
            "--from '2026-13-01' is not a date: write it as YYYY-MM-DD",
        ),
        (["--from", "2026-12-01", "--to", "31/12/2026"], "--to '31/12/2026' is not a date"),
        (["--from", "2026-12-31", "--to", "2026-12-01"], "--to 2026-12-01 is before --from 2026-12-31"),
        (
            ["--from", "2026-12-01", "--to", "2026-12-31", "--community", "NOPE1"],
            "there is no community 'NOPE1'",
        ),
    ],
)
def test_problems_are_said_and_nothing_is_written(
    env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], arguments: list[str], said: str
) -> None:
    out = tmp_path / "outcomes.csv"
    capsys.readouterr()
    assert main(["report", "outcomes", *arguments, "--out", str(out)]) == 2
    assert said in capsys.readouterr().err
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".outcomes")] == []


def test_a_missing_folder_is_said(env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "nowhere" / "outcomes.csv"
    assert main(["report", "outcomes", "--from", "2026-12-01", "--to", "2026-12-31", "--out", str(out)]) == 2
    assert "does not exist" in capsys.readouterr().err
