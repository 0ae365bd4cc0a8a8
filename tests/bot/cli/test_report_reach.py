"""``cosbot report reach``: one row per person and community, with how the bot reaches them or why not."""

from __future__ import annotations

import asyncio
import csv
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli.commands import main
from communities.clock import FixedClock
from communities.db import Database
from communities.reach.members import MemberSeen, record_team_members
from communities.reach.report import COLUMNS
from tests.conftest import DEMO_ROSTER
from tests.support.people import DANIEL, HANNAH
from tests.support.reach import TEAM, TENANT, install_team, member_id


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The demo roster, and CANT1's team with the bot listing Daniel."""
    monkeypatch.chdir(tmp_path)
    for name in ("MicrosoftAppId", "MicrosoftAppPassword", "MicrosoftAppTenantId", "GRAPH_INSTALL_APP"):
        monkeypatch.delenv(name, raising=False)
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    assert main(["import", "roster", str(DEMO_ROSTER)]) == 0
    asyncio.run(_team(url.replace("sqlite://", "sqlite+aiosqlite://")))
    return url


async def _team(url: str) -> None:
    db, clock = Database(url), FixedClock(datetime(2026, 11, 23, 9, 30, tzinfo=UTC))
    try:
        await install_team(db, "https://smba.example/uk/", clock.now())
        async with db.session() as session:
            await record_team_members(
                session,
                clock,
                team_id=TEAM,
                tenant_id=TENANT,
                service_url="https://smba.example/uk/",
                members=[MemberSeen(member_id(DANIEL), email=DANIEL)],
            )
            await session.commit()
    finally:
        await db.dispose()


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def test_each_person_has_a_row_saying_whether_and_how_the_bot_reaches_them(
    env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "reach.csv"
    assert main(["report", "reach", "--out", str(out)]) == 0
    rows = read(out)
    assert list(rows[0]) == list(COLUMNS)
    cant1 = {row["email"]: row for row in rows if row["community_code"] == "CANT1"}
    assert cant1[DANIEL]["reachable"] == "yes" and "in a team with the bot" in cant1[DANIEL]["how"]
    assert cant1[HANNAH]["reachable"] == "no" and "not in any team with the bot" in cant1[HANNAH]["reason"]
    said = capsys.readouterr().out
    assert "CANT1 1/" in said and "has not granted" in said


def test_one_community_only_and_an_unknown_one_is_refused(
    env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "cant1.csv"
    assert main(["report", "reach", "--community", "cant1", "--out", str(out)]) == 0
    assert {row["community_code"] for row in read(out)} == {"CANT1"}
    assert main(["report", "reach", "--community", "NOPE9", "--out", str(tmp_path / "x.csv")]) == 2
    assert "there is no community" in capsys.readouterr().err
    assert not (tmp_path / "x.csv").exists()


def test_with_the_permission_the_report_says_the_bot_installs_itself(
    env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GRAPH_INSTALL_APP", "true")
    out = tmp_path / "reach.csv"
    assert main(["report", "reach", "--out", str(out)]) == 0
    cant1 = {row["email"]: row for row in read(out) if row["community_code"] == "CANT1"}
    assert cant1[HANNAH]["reachable"] == "yes" and "Microsoft Graph" in cant1[HANNAH]["how"]
    assert "installs itself" in capsys.readouterr().out
