"""bot.cli.playground: the Playground config matches the demo roster (plain unit tests, no browser)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from bot.cli import playground as pgconfig

ROSTER = Path(__file__).resolve().parents[2] / "communities" / "demo" / "people.csv"
EMAILS = [user.email for user in pgconfig.playground_users()]


def roster() -> dict[str, dict[str, str]]:
    with ROSTER.open(encoding="utf-8") as handle:
        return {row["email"]: row for row in csv.DictReader(handle)}


@pytest.mark.parametrize("email", EMAILS)
def test_each_person_can_be_the_current_user_with_the_five_others_as_users(email: str) -> None:
    config = pgconfig.playground_config(email)

    assert config["currentUser"]["email"] == email
    assert len(config["users"]) == 5
    everyone = [config["currentUser"], *config["users"]]
    assert sorted(person["email"] for person in everyone) == sorted(EMAILS)
    ids = [person["id"] for person in everyone] + [
        config["personalChat"]["id"],
        config["groupChat"]["id"],
        config["team"]["id"],
        *(channel["id"] for channel in config["team"]["channels"]),
    ]
    assert len(ids) == len(set(ids))
    for person in everyone:
        assert person["id"] == "29:" + person["aadObjectId"]
        assert set(person) == {
            "id",
            "name",
            "userPrincipleName",
            "aadObjectId",
            "givenName",
            "surname",
            "email",
        }


def test_people_match_the_demo_roster_and_the_visitor_is_not_in_it() -> None:
    rows = roster()
    for user in pgconfig.playground_users():
        if user.email == pgconfig.VISITOR.email:
            assert user.email not in rows
            assert user.name == "Jo Visitor"
            assert user.aad_object_id == "00000000-0000-4000-8000-000000000099"
        else:
            assert rows[user.email]["name"] == user.name
            assert rows[user.email]["aad_object_id"] == user.aad_object_id


def test_team_channel_and_bot_are_fixed() -> None:
    config = pgconfig.playground_config(pgconfig.DEFAULT_USER)

    assert config["version"] == "0.1.1"
    assert config["bot"]["name"] == "CoS Bot"
    assert config["bot"]["id"].startswith("28:")
    assert config["team"]["id"] == "19:cosdemo-general@thread.tacv2"
    assert config["team"]["name"] == "Canterbury Community"
    assert config["team"]["channels"] == [
        {"id": "19:cosdemo-requests@thread.tacv2", "name": "Community channel"}
    ]


def test_command_line_writes_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "sub" / "playground.yml"

    assert pgconfig.main(["--as", "daniel.okafor@westgate-demo.example.org", "--out", str(out)]) == 0

    config = json.loads(out.read_text(encoding="utf-8"))  # JSON is YAML
    assert config["currentUser"]["name"] == "Daniel Okafor"
    assert "Daniel Okafor" in capsys.readouterr().out
    assert pgconfig.main(["--out", str(out)]) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["currentUser"]["name"] == "Priya Shah"


def test_an_unknown_person_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        pgconfig.main(["--as", "nobody@example.org", "--out", str(tmp_path / "x.yml")])

    assert exit_info.value.code == 2
    assert "jo.visitor@elsewhere.example.org" in capsys.readouterr().err
    assert not (tmp_path / "x.yml").exists()
