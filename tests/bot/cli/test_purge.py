"""`cosbot purge`: a dry run prints what would go by kind and count and changes nothing; a real run
does it and says so; bad arguments are refused clearly, with nothing changed."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from bot.cli.commands import main
from communities.audit import AuditEvent
from communities.clock import FixedClock
from communities.db import Database
from communities.requests.service import start_draft
from communities.requests.tables import Request
from tests.conftest import DEMO_ROSTER
from tests.support.people import HANNAH, profile_of
from tests.support.requests import school_id
from tests.support.retention import closed_requests


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh SQLite database: the demo roster, Westgate's three closed requests (the last closed
    10 April 2027), and a draft abandoned 100 days ago."""
    monkeypatch.chdir(tmp_path)  # no stray .env is read
    for name in ("MicrosoftAppId", "MicrosoftAppPassword", "MicrosoftAppTenantId", "PUBLIC_URL"):
        monkeypatch.delenv(name, raising=False)
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    assert main(["import", "roster", str(DEMO_ROSTER)]) == 0
    asyncio.run(_data(url))
    return url


async def _data(url: str) -> None:
    db = Database(url)
    try:
        await closed_requests(db, FixedClock(datetime(2026, 11, 23, 9, 30, tzinfo=UTC)))
        clock = FixedClock(datetime.now(UTC) - timedelta(days=100))
        actor = await profile_of(db, HANNAH)
        school = await school_id(db, "990101")
        async with db.session() as session:
            await start_draft(session, clock, actor, school)
            await session.commit()
    finally:
        await db.dispose()


async def _rows(url: str) -> tuple[list[Request], list[AuditEvent]]:
    db = Database(url)
    try:
        async with db.session() as session:
            requests = list((await session.exec(select(Request))).all())
            runs = list(
                (await session.exec(select(AuditEvent).where(AuditEvent.action == "retention_purge"))).all()
            )
    finally:
        await db.dispose()
    return requests, runs


def test_a_dry_run_ahead_prints_what_would_go_by_kind_and_changes_nothing(
    env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["purge", "--dry-run", "--as-of", "2028-06-01"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Retention purge dry run as of 01 June 2028 03:00 Europe/London:"
    assert "  Request detail: requests anonymised: 3, abandoned drafts deleted: 1" in out
    assert "  Outcomes: requests' outcome text cleared: 0" in out
    assert out[-1].endswith("would change. Nothing was changed (dry run).")
    requests, runs = asyncio.run(_rows(env))
    assert len(requests) == 4 and all(r.detail_removed_at is None for r in requests) and runs == []


def test_a_purge_does_what_is_due_now_and_is_audited(env: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["purge"]) == 0
    out = capsys.readouterr().out
    assert "abandoned drafts deleted: 1" in out
    assert "changed. The run is in the audit log, counts only." in out
    requests, runs = asyncio.run(_rows(env))
    assert [r.status for r in requests].count("draft") == 0
    [run] = runs
    assert run.detail["by"] == "command line" and run.detail["counts"]["request_detail"] >= 1
    assert main(["purge", "--dry-run"]) == 0
    assert "abandoned drafts deleted: 0" in capsys.readouterr().out  # done: nothing left


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (
            ["purge", "--dry-run", "--as-of", "1 June"],
            "--as-of '1 June' is not a date: write it as YYYY-MM-DD, e.g. 2027-12-01",
        ),
        (
            ["purge", "--as-of", "2028-06-01"],
            "--as-of is only for a --dry-run: a purge applies the policy as of now, never ahead",
        ),
    ],
)
def test_bad_arguments_are_refused_clearly_and_nothing_changes(
    env: str, capsys: pytest.CaptureFixture[str], args: list[str], said: str
) -> None:
    assert main(args) == 2
    assert capsys.readouterr().err == f"cosbot: error: {said}\n"
    requests, runs = asyncio.run(_rows(env))
    assert len(requests) == 4 and runs == []


def test_a_bad_retention_setting_is_refused(
    env: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RETENTION_REQUEST_DETAIL_DAYS", "a year")
    assert main(["purge", "--dry-run"]) == 2
    assert "RETENTION_REQUEST_DETAIL_DAYS must be a whole number of days" in capsys.readouterr().err
