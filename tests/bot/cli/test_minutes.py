"""`cosbot minutes export`: a meeting's minutes as a Word document, opened again with python-docx; and
the errors it gives, with exit code 2, for an unknown community, no meeting that day, no minutes yet."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from docx import Document

from bot.cli.commands import main
from communities.clock import FixedClock
from communities.db import Database
from communities.minutes import drafting
from communities.minutes.tables import MinutesSection
from tests.communities.minutes.test_minutes_money import money_around
from tests.conftest import DEMO_ROSTER
from tests.support.minutes import ACTION, AOB_LINE, Decided, decided_meeting
from tests.support.outcomes import as_person
from tests.support.people import DANIEL


@pytest.fixture
def url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh SQLite database with the demo roster."""
    monkeypatch.chdir(tmp_path)  # no stray .env is read
    for name in ("MicrosoftAppId", "MicrosoftAppPassword", "MicrosoftAppTenantId", "PUBLIC_URL"):
        monkeypatch.delenv(name, raising=False)
    address = f"sqlite:///{tmp_path}/cli.db"
    monkeypatch.setenv("DATABASE_URL", address)
    assert main(["import", "roster", str(DEMO_ROSTER)]) == 0
    return address


def decided(url: str, *, write_minutes: bool, money: bool = False) -> Decided:
    async def run() -> Decided:
        database, clock = Database(url), FixedClock(datetime(2026, 11, 23, 9, 30, tzinfo=UTC))
        try:
            made = await (money_around if money else decided_meeting)(database, clock)
            if write_minutes:
                shown = await as_person(
                    database, DANIEL, lambda s, a: drafting.open_minutes(s, clock, a, made.meeting_id)
                )
                await as_person(
                    database,
                    DANIEL,
                    lambda s, a: drafting.edit_section(
                        s,
                        clock,
                        a,
                        made.meeting_id,
                        MinutesSection.NOTES,
                        "Thanks to the hosts.",
                        version=shown.version,
                    ),
                )
            return made
        finally:
            await database.dispose()

    return asyncio.run(run())


def export(out: Path, code: str = "CANT1", day: str = "2026-12-10") -> int:
    return main(["minutes", "export", "--community", code, "--date", day, "--out", str(out)])


def test_the_minutes_are_written_as_a_word_document(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    made = decided(url, write_minutes=True)
    out = tmp_path / "minutes.docx"
    capsys.readouterr()
    assert export(out) == 0
    said = capsys.readouterr().out
    assert "minutes of CANT1 on Thursday 10 December 2026 (a draft, not approved yet) written to" in said

    document = Document(str(out))
    headings = [
        p.text for p in document.paragraphs if p.style is not None and p.style.name.startswith("Heading")
    ]
    assert headings == [
        "1. Attendance and apologies",
        "2. Declarations of interest",
        "3. Requests from schools: outcomes and actions",
        "Allocations made at this meeting (financial year 2026-27)",  # its outcome agreed funding
        "Actions",
        "4. Any other business",
        "5. Other notes",
    ]
    title = document.paragraphs[0].text
    assert title == "Minutes: Canterbury City Community (CANT1), Thursday 10 December 2026"
    texts = "\n".join(p.text for p in document.paragraphs)
    assert "Draft: not approved yet." in texts and AOB_LINE in texts and "Thanks to the hosts." in texts
    assert f"{made.ref}: Daniel Okafor. Ruling: Took no part." in texts
    attendance, outcomes, allocations, actions = (
        [[c.text for c in row.cells] for row in t.rows] for t in document.tables
    )
    assert allocations[1] == [f"{made.ref}, Westgate Meadow Primary School", "£1,500"]
    assert attendance[0] == ["Member", "Attendance"] and ["Grace Li", "Apologies"] in attendance
    assert outcomes == [
        ["Reference", "School", "Decision", "Funding", "Review by"],
        [made.ref, "Westgate Meadow Primary School", "Funding agreed", "£1,500", "30 March 2027"],
    ]
    assert actions[1] == [
        made.ref,
        ACTION,
        "St Dunstan's Church of England Primary School",
        "15 January 2027",
        "Open",
    ]


@pytest.mark.parametrize(
    ("code", "day", "error"),
    [
        ("NOPE9", "2026-12-10", "there is no community NOPE9"),
        ("CANT1", "2026-12-11", "CANT1 has no meeting on 2026-12-11"),
        ("CANT1", "2026-12-10", "the meeting of CANT1 on 2026-12-10 has no minutes yet"),
    ],
)
def test_clear_errors_with_exit_code_2(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], code: str, day: str, error: str
) -> None:
    decided(url, write_minutes=False)
    out = tmp_path / "minutes.docx"
    assert export(out, code, day) == 2
    assert f"cosbot: error: {error}" in capsys.readouterr().err
    assert not out.exists()


def test_a_bad_date_or_file_name_is_refused(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        export(tmp_path / "minutes.docx", day="10/12/2026")
    assert exit_info.value.code == 2 and "is not a date like 2026-12-10" in capsys.readouterr().err
    assert export(tmp_path / "minutes.pdf") == 2
    assert "does not end in .docx" in capsys.readouterr().err


def test_the_word_document_lists_the_meetings_allocations_and_the_position_after(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    made = decided(url, write_minutes=True, money=True)
    out = tmp_path / "minutes.docx"
    assert export(out) == 0
    document = Document(str(out))
    headings = [
        p.text for p in document.paragraphs if p.style is not None and p.style.name.startswith("Heading")
    ]
    assert "Allocations made at this meeting (financial year 2026-27)" in headings
    allocations = [[c.text for c in row.cells] for row in document.tables[2].rows]
    assert allocations == [
        ["Allocation", "Amount"],
        [f"{made.ref}, Westgate Meadow Primary School", "£1,500"],
    ]
    texts = "\n".join(p.text for p in document.paragraphs)
    assert (
        "The community's budget after them: Budget £48,000, committed £2,500, spent £0, available £45,500."
        in texts
    )
