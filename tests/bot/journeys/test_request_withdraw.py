"""Withdrawing a request through the real app: a confirmation first, then one message naming only
the people really told."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from sqlmodel import select

from bot.config import Settings
from communities.clock import SystemClock
from communities.db import Database
from communities.requests.service import start_draft
from communities.roster.directory import find_person, load_profile
from communities.roster.tables import School
from tests.bot.conftest import Post
from tests.bot.journeys.test_request_triage import (
    DANIEL,
    GRACE,
    HANNAH,
    chat,
    said,
    status,
    submitted_request,
)
from tests.support.activities import personal_message, submit_data
from tests.support.fake_connector import FakeConnector


async def drafted_request(settings: Settings) -> tuple[int, str]:
    """Hannah's draft for Westgate (CANT1), never submitted."""
    database, clock = Database(settings.database_url), SystemClock()
    try:
        async with database.session() as session:
            person = await find_person(
                session, aad_object_id=None, email="hannah.reid@westgate-demo.example.org"
            )
            assert person is not None
            school = (await session.exec(select(School).where(School.urn == "990101"))).one()
            assert school.id is not None
            request = await start_draft(session, clock, await load_profile(session, person), school.id)
            await session.commit()
            assert request.id is not None
            return request.id, request.ref
    finally:
        await database.dispose()


def press(request_id: int, action: str) -> dict[str, Any]:
    return {"action": action, "request_id": request_id}


async def test_withdrawing_asks_first_and_keep_it_changes_nothing(
    fake: FakeConnector, post: Post, settings: Settings
) -> None:
    request_id, ref = await submitted_request(settings)
    await post(personal_message(fake.url, HANNAH, value={"action": "my_requests"}))
    assert press(request_id, "request_withdraw") in submit_data((await said(fake, HANNAH, 1))[-1].card)

    await post(personal_message(fake.url, HANNAH, value=press(request_id, "request_withdraw")))
    confirm = (await said(fake, HANNAH, 2))[-1].card
    assert f"Withdraw {ref}?" in json.dumps(confirm) and "chair and vice chair will be told" in json.dumps(
        confirm
    )
    assert [(a["title"], a["data"]["action"]) for a in confirm["body"][-1]["actions"]] == [
        ("Yes, withdraw", "request_withdraw_confirm"),
        ("Keep it", "request_withdraw_keep"),
    ]
    assert await status(settings, request_id) == "submitted"

    await post(personal_message(fake.url, HANNAH, value=press(request_id, "request_withdraw_keep")))
    assert (await said(fake, HANNAH, 3))[-1].text == f"Request {ref} is kept: nothing has changed."
    assert await status(settings, request_id) == "submitted"


async def test_a_confirmed_withdrawal_gives_one_message_naming_who_was_told(
    fake: FakeConnector, post: Post, settings: Settings
) -> None:
    for chair in (DANIEL, GRACE):  # the chair and vice chair have chats with the bot
        await post(personal_message(fake.url, chair, "help"))
    request_id, ref = await submitted_request(settings)
    await post(personal_message(fake.url, HANNAH, value=press(request_id, "request_withdraw_confirm")))
    reply = (await said(fake, HANNAH, 1))[-1]
    assert reply.text == f"Request {ref} is withdrawn. I've told Daniel Okafor and Grace Li."
    assert await status(settings, request_id) == "withdrawn"
    for chair in (DANIEL, GRACE):
        told = await fake.wait_for(
            lambda who=chair: [a for a in fake.activities(chat(who)) if "withdrawn" in (a.text or "")]
        )
        assert told[0].text == f"Westgate Meadow Primary School has withdrawn request {ref}."
    await asyncio.sleep(0.3)  # the outbox had time to send anything else it queued
    assert len(fake.activities(chat(HANNAH))) == 1  # no second message telling her what she did

    await post(personal_message(fake.url, HANNAH, value=press(request_id, "request_withdraw")))
    assert "has already been withdrawn" in ((await said(fake, HANNAH, 2))[-1].text or "")
    await post(personal_message(fake.url, HANNAH, value=press(request_id, "request_withdraw_keep")))
    assert (await said(fake, HANNAH, 3))[
        -1
    ].text == f"Request {ref} was withdrawn already: nothing has changed."


async def test_nobody_reachable_is_said_and_never_claimed(
    fake: FakeConnector, post: Post, settings: Settings
) -> None:
    request_id, ref = await submitted_request(settings)
    await post(personal_message(fake.url, HANNAH, value=press(request_id, "request_withdraw_confirm")))
    text = (await said(fake, HANNAH, 1))[-1].text or ""
    assert text.startswith(
        f"Request {ref} is withdrawn. I could not tell your community's chair or vice chair"
    )
    assert "has been told" not in text


async def test_a_draft_nobody_saw_is_withdrawn_without_telling_anyone(
    fake: FakeConnector, post: Post, settings: Settings
) -> None:
    await post(personal_message(fake.url, DANIEL, "help"))
    request_id, ref = await drafted_request(settings)
    await post(personal_message(fake.url, HANNAH, value=press(request_id, "request_withdraw")))
    assert "a draft that nobody else has seen" in json.dumps((await said(fake, HANNAH, 1))[-1].card)
    await post(personal_message(fake.url, HANNAH, value=press(request_id, "request_withdraw_confirm")))
    assert (await said(fake, HANNAH, 2))[-1].text == (
        f"Your draft {ref} is withdrawn. Nobody else had seen it, so nobody else has been told."
    )
    await asyncio.sleep(0.3)
    assert len(fake.activities(chat(DANIEL))) == 1  # only his menu
