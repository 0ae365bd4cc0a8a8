"""The cosbot command line: each command works, and errors go to stderr with exit code 2."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from bot.cli.commands import main
from tests.conftest import DEMO_ROSTER

APP_ID = "6f1c2e4a-1111-4222-8333-944455556666"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # no stray .env is read
    for name in ("MicrosoftAppId", "MicrosoftAppPassword", "MicrosoftAppTenantId", "PUBLIC_URL"):
        monkeypatch.delenv(name, raising=False)
    database = tmp_path / "cli.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{database}")
    return database


def count(database: Path, table: str, where: str = "1 = 1") -> int:
    engine = create_engine(f"sqlite:///{database}")
    with engine.connect() as conn:
        value = conn.execute(text(f"SELECT count(*) FROM {table} WHERE {where}")).scalar_one()
    engine.dispose()
    return int(value)


def active_people(database: Path) -> int:
    return count(database, "person", "active")


def demo_roster_and(tmp_path: Path, *people_rows: str) -> Path:
    """A copy of the demo roster with more people.csv rows."""
    roster = tmp_path / "roster-plus"
    shutil.copytree(DEMO_ROSTER, roster)
    with (roster / "people.csv").open("a", encoding="utf-8") as people:
        people.writelines(row + "\n" for row in people_rows)
    return roster


@pytest.mark.parametrize(
    "argv",
    [[], ["serve"], ["db"], ["db", "upgrade"], ["import", "roster"], ["manifest", "build"], ["demo"]],
)
def test_every_command_has_help(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([*argv, "--help"])
    assert exit_info.value.code == 0
    assert "usage: cosbot" in capsys.readouterr().out


def test_demo_then_import_of_the_same_files_changes_nothing(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo"]) == 0
    assert count(env, "school") == 9
    assert main(["import", "roster", str(DEMO_ROSTER)]) == 0
    assert "Nothing changed" in capsys.readouterr().out


def test_a_bad_roster_lists_every_problem_and_writes_nothing(
    env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    roster = tmp_path / "roster"
    shutil.copytree(DEMO_ROSTER, roster)
    (roster / "people.csv").write_text(
        "email,name,aad_object_id,role,school_urn,community_code\n"
        "x@school.example,X,,head,99010,\n"
        "y@school.example,Y,,chair,,\n"
    )
    assert main(["import", "roster", str(roster)]) == 2
    err = capsys.readouterr().err
    assert "people.csv:2: role: unknown role 'head'" in err
    assert "people.csv:2: school_urn: '99010' is not a URN (6 digits)" in err
    assert "people.csv:3: community_code: chair needs a community_code" in err
    assert "nothing was imported: 3 problem(s)" in err
    assert count(env, "school") == 0 and count(env, "person") == 0


def test_importing_a_directory_that_is_not_there_is_a_clear_error(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", "roster", "no-such-dir"]) == 2
    assert "no-such-dir is not a directory" in capsys.readouterr().err


def test_manifest_build_needs_the_bot_id_then_writes_the_package(
    env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "pkg.zip"
    assert main(["manifest", "build", "--out", str(out)]) == 2
    assert "MicrosoftAppId" in capsys.readouterr().err and not out.exists()
    monkeypatch.setenv("MicrosoftAppId", APP_ID)
    monkeypatch.setenv("MicrosoftAppPassword", "secret")
    monkeypatch.setenv("MicrosoftAppTenantId", "tenant")
    assert main(["manifest", "build", "--out", str(out), "--base-url", "http://insecure.example"]) == 2
    assert "https" in capsys.readouterr().err
    assert main(["manifest", "build", "--out", str(out), "--base-url", "https://cosbot.example.org"]) == 0
    assert sorted(zipfile.ZipFile(out).namelist()) == ["color.png", "manifest.json", "outline.png"]


def test_a_teams_admin_builds_the_package_with_only_the_app_id_and_public_url(
    env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """No MicrosoftAppPassword or MicrosoftAppTenantId: the package holds neither, so needs neither."""
    monkeypatch.setenv("MicrosoftAppId", APP_ID)
    monkeypatch.setenv("PUBLIC_URL", "https://cosbot.example.org/")
    out = tmp_path / "pkg.zip"

    assert main(["manifest", "build", "--out", str(out)]) == 0

    assert capsys.readouterr().out == f"wrote {out}\n"
    manifest = json.loads(zipfile.ZipFile(out).read("manifest.json"))
    assert manifest["id"] == APP_ID
    assert [bot["botId"] for bot in manifest["bots"]] == [APP_ID]
    assert manifest["validDomains"] == ["cosbot.example.org"]


def test_without_the_app_id_and_url_the_package_build_names_both(
    env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "pkg.zip"

    assert main(["manifest", "build", "--out", str(out)]) == 2

    assert capsys.readouterr().err == (
        "cosbot: error: the Teams app package needs the bot's app id (set MicrosoftAppId or pass "
        "--bot-id) and the bot's public https URL (set PUBLIC_URL or pass --base-url)\n"
    )
    assert not out.exists()


def test_the_service_still_needs_the_bot_secret(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Only the package build loads less: every other command checks the bot's settings as before."""
    monkeypatch.setenv("MicrosoftAppId", APP_ID)
    monkeypatch.setenv("PUBLIC_URL", "https://cosbot.example.org")
    assert main(["db", "upgrade"]) == 2
    assert "MicrosoftAppTenantId is required" in capsys.readouterr().err


def test_a_bad_setting_is_reported_not_a_traceback(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MicrosoftAppType", "Everyone")
    assert main(["db", "upgrade"]) == 2
    assert "MicrosoftAppType must be one of" in capsys.readouterr().err


def test_verbose_logging_never_shows_sql_parameters(env: Path) -> None:
    import logging

    root = logging.getLogger()
    before = root.level
    root.setLevel(logging.DEBUG)  # as -v sets it when pytest has not configured logging first
    try:
        assert main(["-v", "db", "upgrade"]) == 0
        for name in ("aiosqlite", "sqlalchemy.engine", "psycopg"):
            assert not logging.getLogger(name).isEnabledFor(logging.INFO), name
    finally:
        root.setLevel(before)


def test_demo_will_not_replace_a_roster_of_its_own(
    env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    roster = demo_roster_and(tmp_path, "sam.real@school.kent.sch.uk,Sam Real,,senco,990101,")
    assert main(["import", "roster", str(roster)]) == 0
    capsys.readouterr()

    assert main(["demo"]) == 2

    error = capsys.readouterr().err
    assert "roster of its own: loading the demo would deactivate sam.real@school.kent.sch.uk." in error, error
    assert "DATABASE_URL" in error
    assert active_people(env) == count(env, "person")  # nobody was deactivated


def test_demo_will_not_send_its_meetings_to_a_graph_mailbox(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GRAPH_MAILBOX", "cos-meetings@kent.gov.uk")
    monkeypatch.setenv("GRAPH_TENANT_ID", "tenant")
    monkeypatch.setenv("GRAPH_CLIENT_ID", "client")
    monkeypatch.setenv("GRAPH_CLIENT_SECRET", "secret")

    assert main(["demo"]) == 2

    error = capsys.readouterr().err
    assert "Graph mailbox cos-meetings@kent.gov.uk" in error and "without the GRAPH_* settings" in error
    assert not env.exists()  # nothing was written, not even the schema


def test_a_roster_that_leaves_out_many_people_needs_allow_deactivating(
    env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    roster = demo_roster_and(
        tmp_path, *(f"supply{n:02}@school.kent.sch.uk,Supply {n},,senco,990101," for n in range(11))
    )
    assert main(["import", "roster", str(roster)]) == 0
    assert active_people(env) == 19
    capsys.readouterr()

    assert main(["import", "roster", str(DEMO_ROSTER)]) == 2  # the eleven are left out

    error = capsys.readouterr().err
    assert "people.csv: 11 of the 19 active people are not in it and would be deactivated" in error, error
    assert (
        "supply00@school.kent.sch.uk, supply01@school.kent.sch.uk, supply02@school.kent.sch.uk, ..." in error
    )
    assert "import again with --allow-deactivating" in error
    assert active_people(env) == 19

    assert main(["import", "roster", str(DEMO_ROSTER), "--allow-deactivating"]) == 0
    assert "people:      0 created, 0 updated, 0 reactivated, 11 deactivated" in capsys.readouterr().out
    assert active_people(env) == 8
