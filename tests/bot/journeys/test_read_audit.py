"""Every read of a request's pupil detail is audited, through the real app: the chair opens the request
card over HTTP, and `cosbot audit --reference` then lists who read it and when (a refused read too,
once)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from sqlmodel import col, select

from bot.cli.commands import main
from bot.config import Settings
from communities.audit import AuditEvent, Read
from communities.clock import SystemClock
from communities.db import Database
from communities.requests.service import save_answers, start_draft
from tests.bot.conftest import Post
from tests.bot.journeys.test_request_triage import DANIEL, HANNAH, TOM, said, submitted_request
from tests.support.activities import personal_message
from tests.support.fake_connector import FakeConnector
from tests.support.people import HANNAH as HANNAH_EMAIL
from tests.support.people import profile_of
from tests.support.requests import WESTGATE, school_id


async def reads(settings: Settings, ref: str) -> list[tuple[str, int | None]]:
    database = Database(settings.database_url)
    try:
        async with database.session() as session:
            rows = await session.exec(
                select(AuditEvent).where(AuditEvent.entity_id == ref).order_by(col(AuditEvent.id))
            )
            read = {r.value for r in Read} | {"request_read_refused"}
            return [(row.action, row.actor_person_id) for row in rows.all() if row.action in read]
    finally:
        await database.dispose()


async def test_the_chairs_read_of_a_request_is_audited_and_listed_by_cosbot_audit(
    fake: FakeConnector,
    post: Post,
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    request_id, ref = await submitted_request(settings)
    assert await reads(settings, ref) == []

    await post(personal_message(fake.url, DANIEL, value={"action": "request_open", "request_id": request_id}))
    detail = json.dumps((await said(fake, DANIEL, 1))[-1].card)
    assert f"Request {ref}" in detail and "WM-2026-07" in detail  # he saw the pupil-level detail...
    [(action, reader)] = await reads(settings, ref)  # ...and that read is on the record
    assert action == "request_read" and reader is not None

    # Tom chairs another community: his forged press shows nothing and is audited once, as refused.
    await post(personal_message(fake.url, TOM, value={"action": "request_open", "request_id": request_id}))
    assert "Sorry" in (await said(fake, TOM, 1))[-1].text
    assert [a for a, _ in await reads(settings, ref)] == ["request_read", "request_read_refused"]

    monkeypatch.chdir(tmp_path)  # no stray .env is read
    for name in ("MicrosoftAppId", "MicrosoftAppPassword", "MicrosoftAppTenantId", "PUBLIC_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    capsys.readouterr()
    assert await asyncio.to_thread(main, ["audit", "--reference", ref]) == 0
    table = capsys.readouterr().out
    [read] = [line for line in table.splitlines() if "request_read " in f"{line} "]
    assert "Daniel Okafor" in read and f"request {ref}" in read
    [refused] = [line for line in table.splitlines() if "request_read_refused" in line]
    assert "Tom Walsh" in refused
    lines = table.splitlines()
    assert lines.index(read) < lines.index(refused)  # oldest first


async def test_the_lists_that_show_pupil_references_and_a_reopened_draft_are_audited(
    fake: FakeConnector, post: Post, settings: Settings
) -> None:
    request_id, ref = await submitted_request(settings)

    await post(personal_message(fake.url, HANNAH, "requests"))  # My requests: with the school's reference
    assert "WM-2026-07" in json.dumps((await said(fake, HANNAH, 1))[-1].card)
    await post(personal_message(fake.url, DANIEL, value={"action": "requests_queue"}))  # the chair's queue
    assert "WM-2026-07" in json.dumps((await said(fake, DANIEL, 1))[-1].card)
    assert [a for a, _ in await reads(settings, ref)] == ["request_listed", "request_listed"]

    draft_id, draft_ref = await a_draft(settings)
    continuing = {"action": "request_continue", "request_id": draft_id}
    await post(personal_message(fake.url, HANNAH, value=continuing))
    assert draft_ref in json.dumps([a.text for a in await said(fake, HANNAH, 2)])  # its answers shown again
    assert [a for a, _ in await reads(settings, draft_ref)] == ["request_read"]
    database = Database(settings.database_url)
    try:
        async with database.session() as session:
            [row] = (await session.exec(select(AuditEvent).where(AuditEvent.action == "request_read"))).all()
    finally:
        await database.dispose()
    assert row.detail == {"status": "draft", "via": "form"}


async def a_draft(settings: Settings) -> tuple[int, str]:
    """Hannah's draft for Westgate (CANT1), partly answered."""
    database, clock = Database(settings.database_url), SystemClock()
    try:
        hannah = await profile_of(database, HANNAH_EMAIL)
        school = await school_id(database, WESTGATE)
        async with database.session() as session:
            request = await start_draft(session, clock, hannah, school)
            assert request.id is not None
            await save_answers(session, clock, hannah, request.id, {"request_type": "one_pupil"})
            await session.commit()
            return request.id, request.ref
    finally:
        await database.dispose()
