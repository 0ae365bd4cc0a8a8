"""`cosbot export person` (a subject access export, unzipped and read back) and `cosbot audit
--reference` (a request's trail): what they write, and how they refuse unknown people, unknown
references and bad paths (exit code 2, nothing written)."""

from __future__ import annotations

import asyncio
import csv
import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from bot.cli.commands import main
from communities.audit import AuditEvent
from communities.clock import FixedClock
from communities.db import Database
from communities.requests.service import open_for_reading
from communities.subject_access.pupil_fields import WITHHELD
from tests.bot.cli.test_minutes import decided, export
from tests.bot.cli.test_minutes import url as url  # noqa: F401  (the fixture: a database with the demo roster)
from tests.support.outcomes import as_person
from tests.support.people import DANIEL, HANNAH
from tests.support.requests import COMPLETE, WESTGATE, raise_and_accept


def accepted_request(url: str) -> str:
    """Hannah's request, accepted by the vice chair and read by the chair; its reference."""

    async def run() -> str:
        database, clock = Database(url), FixedClock(datetime(2026, 11, 23, 9, 30, tzinfo=UTC))
        try:
            request = await raise_and_accept(database, clock, HANNAH, WESTGATE)
            request_id = request.id
            assert request_id is not None
            clock.advance(hours=2)
            await as_person(database, DANIEL, lambda s, a: open_for_reading(s, clock, a, request_id))
            return request.ref
        finally:
            await database.dispose()

    return asyncio.run(run())


def audit_rows(url: str, action: str) -> list[AuditEvent]:
    async def run() -> list[AuditEvent]:
        database = Database(url)
        try:
            async with database.session() as session:
                return list((await session.exec(select(AuditEvent).where(AuditEvent.action == action))).all())
        finally:
            await database.dispose()

    return asyncio.run(run())


def unzipped(path: Path) -> dict[str, Any]:
    with zipfile.ZipFile(path) as archive:
        return {
            name: archive.read(name).decode() if name.endswith(".md") else json.loads(archive.read(name))
            for name in archive.namelist()
        }


def test_the_export_is_a_zip_of_json_files_a_manifest_and_a_summary_without_pupil_detail(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ref = accepted_request(url)
    out = tmp_path / "hannah.zip"
    capsys.readouterr()
    assert main(["export", "person", "Hannah.Reid@westgate-demo.example.org", "--out", str(out)]) == 0
    said = capsys.readouterr().out
    assert f"about {HANNAH}" in said and f"written to {out}" in said and "pupil detail withheld" in said

    files = unzipped(out)
    assert {"manifest.json", "summary.md", "person.json", "memberships.json", "requests_raised.json"} <= set(
        files
    )
    assert files["manifest.json"]["policy"]["include_pupil_detail"] is False
    assert files["manifest.json"]["files"]["requests_raised.json"] == 1
    [raised] = files["requests_raised.json"]
    assert raised["ref"] == ref and raised["details"] == WITHHELD
    everything = json.dumps(files, ensure_ascii=False)
    assert COMPLETE["needs_summary"] not in everything and COMPLETE["pupil_ref"] not in everything
    summary = files["summary.md"]
    assert "About: Hannah Reid" in summary and f"- {ref}: accepted" in summary and WITHHELD in summary
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".hannah.zip")]  # no temp file left

    [row] = audit_rows(url, "subject_access_exported")
    assert row.entity == "person" and row.detail["include_pupil_detail"] is False


def test_the_policy_can_include_the_pupil_detail_of_the_requests_they_raised(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    accepted_request(url)
    monkeypatch.setenv("SAR_INCLUDE_PUPIL_DETAIL", "true")
    out = tmp_path / "hannah.zip"
    assert main(["export", "person", HANNAH, "--out", str(out)]) == 0
    files = unzipped(out)
    assert files["requests_raised.json"][0]["details"]["needs_summary"] == COMPLETE["needs_summary"]
    assert files["manifest.json"]["policy"]["include_pupil_detail"] is True


def test_an_unknown_person_is_refused_and_nothing_is_written(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "nobody.zip"
    assert main(["export", "person", "nobody@kent-demo.example.org", "--out", str(out)]) == 2
    error = capsys.readouterr().err
    assert "no one in the roster has the email nobody@kent-demo.example.org" in error
    assert "Nothing was written" in error
    assert main(["export", "person", "hannah reid", "--out", str(out)]) == 2
    assert "is not an email address" in capsys.readouterr().err
    assert list(tmp_path.glob("*.zip")) == [] and not audit_rows(url, "subject_access_exported")


def test_bad_paths_are_refused_and_an_existing_file_is_kept_unless_forced(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", "person", HANNAH, "--out", str(tmp_path / "hannah.json")]) == 2
    assert "does not end in .zip" in capsys.readouterr().err
    assert main(["export", "person", HANNAH, "--out", str(tmp_path / "missing" / "hannah.zip")]) == 2
    assert "does not exist" in capsys.readouterr().err

    existing = tmp_path / "hannah.zip"
    existing.write_text("an earlier export")
    assert main(["export", "person", HANNAH, "--out", str(existing)]) == 2
    refused = capsys.readouterr().err
    assert "already exists" in refused and "add --force to replace it" in refused
    assert existing.read_text() == "an earlier export"
    assert main(["export", "person", HANNAH, "--out", str(existing), "--force"]) == 0
    assert unzipped(existing)["person.json"][0]["email"] == HANNAH


def test_the_audit_trail_of_a_request_is_a_table_and_a_csv(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ref = accepted_request(url)
    out = tmp_path / "trail.csv"
    capsys.readouterr()
    assert main(["audit", "--reference", ref.lower(), "--csv", str(out)]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0] == f"Audit trail of {ref}: 4 events, oldest first"
    assert table[2].split() == ["When", "(London)", "Who", "Email", "Action", "About"]
    assert "Daniel Okafor" in table[-2] and "request_read" in table[-2] and DANIEL in table[-2]
    assert "2026-11-23 11:30" in table[-2]  # the clock's 11:30 UTC is 11:30 in London in November
    with out.open(newline="", encoding="utf-8") as file:
        rows = list(csv.reader(file))
    assert rows[0] == ["when", "who", "email", "action", "about"]
    assert [r[3] for r in rows[1:]] == ["request_started", "request_submit", "request_accept", "request_read"]


def test_an_unknown_reference_is_refused(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", "--reference", "COS-NOPE-26-001"]) == 2
    assert "there is no request COS-NOPE-26-001" in capsys.readouterr().err


def test_the_word_minutes_export_is_audited(url: str, tmp_path: Path) -> None:
    made = decided(url, write_minutes=True)
    assert export(tmp_path / "minutes.docx") == 0
    [row] = audit_rows(url, "minutes_exported")
    assert row.entity == "meeting" and row.entity_id == str(made.meeting_id) and row.actor_person_id is None


def test_a_crash_while_writing_leaves_no_half_file_and_no_audit_row(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from communities.subject_access import summary

    accepted_request(url)

    def crash(*_: Any) -> str:
        raise OSError("disk full")

    monkeypatch.setattr(summary, "summary_markdown", crash)  # after manifest.json is in the zip
    out = tmp_path / "hannah.zip"
    with pytest.raises(OSError, match="disk full"):
        main(["export", "person", HANNAH, "--out", str(out)])
    assert list(tmp_path.iterdir()) == [tmp_path / "cli.db"]  # neither the zip nor its temporary file
    assert not audit_rows(url, "subject_access_exported")
