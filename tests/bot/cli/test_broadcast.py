"""`cosbot broadcast dates`: the officer's broadcast from the command line, delivered and reported."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from bot.cli.commands import main
from tests.support.fake_connector import FakeConnector

CHANNEL = "19:cant1-channel@thread.tacv2"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The demo roster and meeting dates in a fresh SQLite database; the local calendar."""
    monkeypatch.chdir(tmp_path)
    for name in (
        "MicrosoftAppId",
        "MicrosoftAppPassword",
        "MicrosoftAppTenantId",
        "PUBLIC_URL",
        "GRAPH_MAILBOX",
    ):
        monkeypatch.delenv(name, raising=False)
    database = tmp_path / "cli.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{database}")
    assert main(["demo"]) == 0
    return database


def link_cant1(database: Path, service_url: str) -> None:
    """CANT1's channel, as `@CoS Bot link CANT1` would have stored it."""
    reference = {"serviceUrl": service_url, "channelId": "msteams", "conversation": {"id": CHANNEL}}
    engine = create_engine(f"sqlite:///{database}")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO channel_link (community_id, team_id, channel_id, channel_name, service_url, "
                "reference, linked_by_person_id, linked_at) SELECT id, 'team-1', :channel, 'Community', "
                ":url, :reference, 1, :now FROM community WHERE code = 'CANT1'"
            ),
            {
                "channel": CHANNEL,
                "url": service_url,
                "reference": json.dumps(reference),
                "now": datetime.now(UTC),
            },
        )
    engine.dispose()


def test_a_dry_run_shows_the_plan_and_sends_nothing(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["broadcast", "dates", "--from", "2027-01-01", "--to", "2027-07-31", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "CANT1:" in out and "NOT SENT: No channel is linked to CANT1" in out
    engine = create_engine(f"sqlite:///{env}")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM broadcast")).scalar_one() == 0
    engine.dispose()


async def test_the_linked_channel_gets_its_card_and_the_rest_are_reported(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    async with FakeConnector() as fake:
        link_cant1(env, fake.url)
        argv = ["broadcast", "dates", "--from", "2027-01-01", "--to", "2027-07-31", "--yes"]
        code = await asyncio.to_thread(main, argv)
        [card] = fake.activities(CHANNEL)
        assert "Meeting dates for Canterbury City Community (CANT1)" in json.dumps(card.card)
        again = await asyncio.to_thread(main, argv)  # nothing changed: nothing is posted again
        assert len(fake.activities(CHANNEL)) == 1
    assert code == 3  # THAN2 and MAID1 have no channel
    out = capsys.readouterr().out
    assert "CANT1: sent" in out and "THAN2: not_sent: No channel is linked to THAN2" in out
    assert "CANT1: unchanged" in out and again == 3


def test_bad_dates_are_refused_in_words(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["broadcast", "dates", "--from", "2027-03-01", "--to", "2027-01-01", "--yes"]) == 2
    assert "The end date comes before the start date." in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["broadcast", "dates", "--from", "1 March", "--to", "2027-01-01"])
