"""`cosbot import terms FILE`, the demo's term dates, the meetings import's warnings about odd
dates, and `cosbot jobs` naming the term."""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path

import holidays
import pytest

from bot.cli.commands import main
from tests.bot.cli.test_commands import count
from tests.bot.cli.test_meetings import env

__all__ = ["env"]  # the fixture: a fresh database with the demo roster

TERMS = (
    "academic_year,term,starts_on,ends_on\n"
    "2026-27,Term 3,2027-01-04,2027-02-12\n"
    "2026-27,Term 4,2027-02-22,2027-04-01\n"
    "2026-27,inset,2027-02-22,\n"
)


@pytest.mark.usefixtures("env")
def test_terms_go_in_once_with_their_problems_by_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "terms.csv"
    path.write_text(TERMS)
    assert main(["import", "terms", str(path)]) == 0
    assert "Academic years loaded: 1" in capsys.readouterr().out
    assert main(["import", "terms", str(path)]) == 0
    assert "Unchanged: 1" in capsys.readouterr().out
    path.write_text(TERMS + "2026-27,Term 5,2027-19-04,2027-05-28\n")
    assert main(["import", "terms", str(path)]) == 2
    err = capsys.readouterr().err
    assert "terms.csv:5: starts_on: '2027-19-04' is not a date like 2027-01-05 or 05/01/2027" in err
    assert "nothing was imported: 1 problem(s) to fix first" in err


def test_meetings_on_odd_days_are_imported_with_a_warning_that_names_the_day(
    env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    terms = tmp_path / "terms.csv"
    terms.write_text(TERMS)
    assert main(["import", "terms", str(terms)]) == 0
    meetings = tmp_path / "meetings.csv"
    meetings.write_text(
        "community_code,starts_at,ends_at,location,chair_email\n"
        "CANT1,2027-02-16 16:00,17:30,Online,\n"  # half term
        "CANT1,2027-02-22 16:00,17:30,Online,\n"  # the INSET day
        "CANT1,2027-03-03 16:00,17:30,Online,\n"  # a school day
        "THAN2,2027-03-06 10:00,11:00,Online,\n"  # a Saturday
    )
    capsys.readouterr()
    assert main(["import", "meetings", str(meetings)]) == 0
    out = capsys.readouterr().out
    assert "meetings: 4 added, 0 updated, 0 unchanged" in out
    assert (
        "warning: CANT1 Tuesday 16 February 2027, 16:00: Tuesday 16 February 2027 is not a school day "
        "(in the school holidays)" in out
    )
    assert "Monday 22 February 2027 is not a school day (an INSET day)" in out
    assert "Saturday 6 March 2027 is not a school day (a Saturday)" in out
    assert "Wednesday 3 March 2027 is not" not in out
    assert count(env, "meeting") == 4


def test_the_demo_loads_its_term_dates_and_cosbot_jobs_names_the_term(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli.jobs import cmd_jobs
    from bot.config import Settings

    capsys.readouterr()
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "loaded 2026-27: 6 terms, 2 INSET rows" in out
    assert "warning:" not in out  # the demo's meetings are all on school days
    assert count(env, "term_date") == 8
    assert main(["demo"]) == 0
    assert "Unchanged: 1" in capsys.readouterr().out
    assert count(env, "term_date") == 8
    settings = Settings.from_env()
    assert cmd_jobs(argparse.Namespace(limit=0), settings) == 0
    listed = capsys.readouterr().out
    assert "CANT1 meeting Wed 20 Jan 2027 16:00 (Term 3, 2026-27): requests open" in listed
    assert "THAN2 meeting Wed 09 Jun 2027 15:45 (Term 6, 2026-27)" in listed
    # No step of a meeting is listed on a weekend or a bank holiday (nor in the holidays).
    days = [
        datetime.strptime(line.split()[1] + line.split()[2] + line.split()[3], "%d%b%Y").date()
        for line in listed.splitlines()
        if " meeting:" in line
    ]
    assert len(days) > 50
    weekend_or_holiday = [
        d
        for d in days
        if d.weekday() >= 5 or d in holidays.country_holidays("GB", subdiv="ENG", years=d.year)
    ]
    assert weekend_or_holiday == []
