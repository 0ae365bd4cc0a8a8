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


def pressed(fake: FakeConnector, sender: dict[str, Any], message_id: str, data: Any) -> dict[str, Any]:
    """A button pressed on the card of ``message_id``: Teams sends it as a reply to that message."""
    return {**personal_message(fake.url, sender, value=data), "replyToId": message_id}


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

    asked = (await said(fake, HANNAH, 2))[-1]
    await post(pressed(fake, HANNAH, asked.id, press(request_id, "request_withdraw_keep")))
    kept = fake.activity(asked.id)  # the confirmation itself says what happened, with nothing to press
    assert f"Request {ref} is kept" in json.dumps(kept.card) and "Nothing has changed" in json.dumps(
        kept.card
    )
    assert "Action.Submit" not in json.dumps(kept.card)
    assert len(fake.activities(chat(HANNAH))) == 2  # no message besides the card pressed
    assert await status(settings, request_id) == "submitted"


async def test_a_confirmed_withdrawal_gives_one_message_naming_who_was_told(
    fake: FakeConnector, post: Post, settings: Settings
) -> None:
    for chair in (DANIEL, GRACE):  # the chair and vice chair have chats with the bot
        await post(personal_message(fake.url, chair, "help"))
    request_id, ref = await submitted_request(settings)
    await post(personal_message(fake.url, HANNAH, value=press(request_id, "request_withdraw")))
    asked = (await said(fake, HANNAH, 1))[-1]
    await post(pressed(fake, HANNAH, asked.id, press(request_id, "request_withdraw_confirm")))
    done = fake.activity(asked.id)  # the confirmation, replaced by what happened
    assert f"Request {ref} is withdrawn. I've told Daniel Okafor and Grace Li." in json.dumps(done.card)
    assert "Action.Submit" not in json.dumps(done.card)
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
    # "Yes, withdraw" again, on the old confirmation (a double press): it says so, and tells nobody again.
    await post(pressed(fake, HANNAH, asked.id, press(request_id, "request_withdraw_confirm")))
    again = await fake.wait_for(
        lambda: fake.activity(asked.id) if fake.activity(asked.id).updates >= 2 else None
    )
    assert f"Request {ref}: nothing has changed" in json.dumps(again.card)
    assert "has already been withdrawn" in json.dumps(again.card)
    assert "Action.Submit" not in json.dumps(again.card)
    await asyncio.sleep(0.3)
    for chair in (DANIEL, GRACE):
        assert len([a for a in fake.activities(chat(chair)) if "withdrawn" in (a.text or "")]) == 1
    assert await status(settings, request_id) == "withdrawn"


async def test_nobody_reachable_is_said_and_never_claimed(
    fake: FakeConnector, post: Post, settings: Settings
) -> None:
    request_id, ref = await submitted_request(settings)
    await post(personal_message(fake.url, HANNAH, value=press(request_id, "request_withdraw_confirm")))
    text = json.dumps((await said(fake, HANNAH, 1))[-1].card)
    assert f"Request {ref} is withdrawn. I could not tell your community's chair or vice chair" in text
    assert "has been told" not in text


async def test_a_draft_nobody_saw_is_withdrawn_without_telling_anyone(
    fake: FakeConnector, post: Post, settings: Settings
) -> None:
    await post(personal_message(fake.url, DANIEL, "help"))
    request_id, ref = await drafted_request(settings)
    await post(personal_message(fake.url, HANNAH, value=press(request_id, "request_withdraw")))
    assert "a draft that nobody else has seen" in json.dumps((await said(fake, HANNAH, 1))[-1].card)
    await post(personal_message(fake.url, HANNAH, value=press(request_id, "request_withdraw_confirm")))
    assert (
        f"Your draft {ref} is withdrawn. Nobody else had seen it, so nobody else has been told."
        in json.dumps((await said(fake, HANNAH, 2))[-1].card)
    )
    await asyncio.sleep(0.3)
    assert len(fake.activities(chat(DANIEL))) == 1  # only his menu
