"""`cosbot import meetings FILE`: the dates go in all or nothing, and the (local) calendar catches up."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from bot.cli.commands import main
from bot.config import Settings
from communities.meetings.calendar import Attendee, Calendar, CalendarEntry, CalendarError, EventSpec
from tests.conftest import DEMO_ROSTER

HEADER = "community_code,starts_at,ends_at,location,chair_email\n"
GOOD = [
    "CANT1,2027-01-20 16:00,17:30,Online,",
    "CANT1,30/03/2027 16:00,90m,Teams + Westgate Meadow Primary School,",
    "THAN2,2027-02-03T15:45,1h30m,Ramsgate Cliffs Primary Academy,tom.walsh@ramsgate-demo.example.org",
]


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh SQLite database with the demo roster, and no Graph: the local calendar."""
    monkeypatch.chdir(tmp_path)  # no stray .env is read
    for name in ("MicrosoftAppId", "MicrosoftAppPassword", "MicrosoftAppTenantId", "PUBLIC_URL"):
        monkeypatch.delenv(name, raising=False)
    for name in ("GRAPH_MAILBOX", "GRAPH_CLIENT_ID", "GRAPH_TENANT_ID", "GRAPH_CLIENT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    for name in ("GRAPH_CERTIFICATE_PATH", "GRAPH_USE_MANAGED_IDENTITY"):
        monkeypatch.delenv(name, raising=False)
    database = tmp_path / "cli.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{database}")
    assert main(["import", "roster", str(DEMO_ROSTER)]) == 0
    return database


def meetings_file(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "dates.csv"
    path.write_text(HEADER + "".join(f"{row}\n" for row in rows))
    return path


def stored(database: Path) -> list[dict[str, Any]]:
    engine = create_engine(f"sqlite:///{database}")
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT id, starts_at, sequence, calendar_synced, calendar_event_id FROM meeting ORDER BY id"
            )
        )
        found = [dict(row._mapping) for row in rows]
    engine.dispose()
    return found


def test_import_meetings_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["import", "meetings", "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "usage: cosbot import meetings" in out and "community_code,starts_at,ends_at" in out


def test_a_good_file_is_imported_and_put_in_the_calendar(
    env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    path = meetings_file(tmp_path, GOOD)
    assert main(["import", "meetings", str(path)]) == 0
    *out, timeline = capsys.readouterr().out.splitlines()
    assert out == ["meetings: 3 added, 0 updated, 0 unchanged", "calendar: 3 meetings brought up to date"]
    assert timeline.startswith("timeline: ") and " 0 job(s) added" not in timeline  # reminders scheduled
    meetings = stored(env)
    assert [m["calendar_event_id"] for m in meetings] == [f"cos-meeting-{m['id']}" for m in meetings]
    assert [(m["sequence"], m["calendar_synced"]) for m in meetings] == [(1, 1)] * 3

    # A moved meeting is the same meeting, one sequence on, and the calendar follows it.
    path = meetings_file(tmp_path, [GOOD[0].replace("16:00", "15:30"), *GOOD[1:]])
    assert main(["import", "meetings", str(path)]) == 0
    *out, timeline = capsys.readouterr().out.splitlines()
    assert timeline.startswith("timeline: ")
    assert out == [
        "meetings: 0 added, 1 updated, 2 unchanged",
        "updated CANT1 Wednesday 20 January 2027, 15:30: moved from 16:00",
        "calendar: 1 meeting brought up to date",
    ]
    moved = stored(env)
    assert [m["id"] for m in moved] == [m["id"] for m in meetings]
    assert (moved[0]["sequence"], moved[0]["calendar_synced"]) == (2, 2)
    assert moved[0]["calendar_event_id"] == meetings[0]["calendar_event_id"]

    assert main(["import", "meetings", str(path)]) == 0
    assert "Nothing changed" in capsys.readouterr().out
    assert stored(env) == moved


def test_a_bad_file_names_its_rows_on_stderr_and_writes_nothing(
    env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    path = meetings_file(
        tmp_path,
        [
            *GOOD,
            "CANT9,2027-01-20 16:00,90m,,",
            "MAID1,2027-03-28 01:30,90m,,",
            "MAID1,2027-05-05 16:00,90m,,hannah.reid@westgate-demo.example.org",
        ],
    )
    assert main(["import", "meetings", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [
        "dates.csv:5: community_code: unknown community 'CANT9'; it is not an active community in the roster",
        "dates.csv:6: starts_at: 28 Mar 2027 01:30 does not exist in London (the clocks go forward)",
        "dates.csv:7: chair_email: 'hannah.reid@westgate-demo.example.org' is not the chair or vice chair "
        "of MAID1, nor an officer",
        "cosbot: error: nothing was imported: 3 problem(s) to fix first",
    ]
    assert stored(env) == []


class RefusingCalendar:
    """A calendar that refuses every event, as Graph does without its permission."""

    REFUSAL = "Microsoft Graph refused to let the bot create the event (403)."

    def __init__(self) -> None:
        self.closed = False

    async def create(self, spec: EventSpec) -> CalendarEntry:
        raise CalendarError(self.REFUSAL, permanent=True, status=403)

    async def update(self, event_id: str, spec: EventSpec) -> CalendarEntry:
        raise CalendarError(self.REFUSAL, permanent=True, status=403)

    async def set_attendees(self, event_id: str, attendees: tuple[Attendee, ...]) -> None:
        raise CalendarError(self.REFUSAL, permanent=True, status=403)

    async def cancel(self, event_id: str, message: str) -> None:
        raise CalendarError(self.REFUSAL, permanent=True, status=403)

    async def close(self) -> None:
        self.closed = True


def test_calendar_refusals_are_printed_and_the_import_stands(
    env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    calendar = RefusingCalendar()

    def refusing(settings: Settings) -> Calendar:
        return calendar

    monkeypatch.setattr("bot.calendars.calendar_for", refusing)
    capsys.readouterr()
    assert main(["import", "meetings", str(meetings_file(tmp_path, GOOD[:1]))]) == 0
    assert capsys.readouterr().out.splitlines()[:-1] == [
        "meetings: 1 added, 0 updated, 0 unchanged",
        "calendar: 0 meetings brought up to date",
        f"calendar: CANT1 Wednesday 20 January 2027, 16:00: {RefusingCalendar.REFUSAL}",
    ]
    [meeting] = stored(env)
    assert (meeting["sequence"], meeting["calendar_synced"], meeting["calendar_event_id"]) == (1, 0, None)
    assert calendar.closed


def test_a_file_that_is_not_there_is_a_clear_error(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", "meetings", "no-such.csv"]) == 2
    assert "no-such.csv is not a file" in capsys.readouterr().err


def test_the_demo_loads_its_meeting_dates_once(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["demo"]) == 0
    assert "meetings: 10 added, 0 updated, 0 unchanged" in capsys.readouterr().out
    meetings = stored(env)
    assert len(meetings) == 10 and all(m["calendar_synced"] == m["sequence"] == 1 for m in meetings)
    assert main(["demo"]) == 0
    assert "meetings: 0 added, 0 updated, 10 unchanged" in capsys.readouterr().out
    assert stored(env) == meetings
