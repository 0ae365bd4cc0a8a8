"""The chair reviews the agenda in the chat and publishes it; the channel gets it, edited on republish."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from bot.config import Settings
from communities.clock import FixedClock
from communities.db import Database
from tests.bot.conftest import Post
from tests.communities.agendas.test_agendas import ANSWERS, accepted, two_meetings
from tests.support.activities import CHANNEL_ID, channel_message, chat_of, personal_message, user
from tests.support.fake_connector import FakeConnector
from tests.support.people import HANNAH as HANNAH_EMAIL

DANIEL = user(2, "Daniel Okafor")
HANNAH = user(4, "Hannah Reid")


def flat(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def button(card: dict[str, Any], title: str) -> dict[str, Any]:
    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            if node.get("type") == "Action.Submit" and node.get("title") == title:
                return node["data"]
            for value in node.values():
                if (found := walk(value)) is not None:
                    return found
        if isinstance(node, list):
            for value in node:
                if (found := walk(value)) is not None:
                    return found
        return None

    data = walk(card)
    assert data is not None, f"no {title!r} button"
    return dict(data)


async def prepare(settings: Settings) -> None:
    """CANT1's next meeting (20 January 2027) with one accepted request from Westgate."""
    database = Database(settings.database_url)
    clock = FixedClock(datetime.now(UTC))
    try:
        await two_meetings(database, clock)
        await accepted(database, clock, HANNAH_EMAIL, "990101", ANSWERS)
    finally:
        await database.dispose()


async def latest_card(fake: FakeConnector, conversation: str, words: str) -> dict[str, Any]:
    found = await fake.wait_for(
        lambda: next((a.card for a in reversed(fake.activities(conversation)) if words in flat(a.card)), None)
    )
    assert isinstance(found, dict)
    return found


async def test_the_chair_publishes_then_republishes_in_place(
    fake: FakeConnector, post: Post, settings: Settings
) -> None:
    await prepare(settings)
    await post(channel_message(fake.url, DANIEL, "link CANT1"))
    await post(personal_message(fake.url, DANIEL, "agenda"))
    review = await latest_card(fake, chat_of(DANIEL), "Publish")
    assert "COS-CANT1-" in flat(review) and "Hannah Reid" in flat(
        review
    )  # the chair's copy names who is flagged

    await post(personal_message(fake.url, DANIEL, value=button(review, "Publish")))
    posted = await latest_card(fake, CHANNEL_ID, "COS-CANT1-")
    channel = flat(posted)
    assert "Westgate Meadow Primary School" in channel
    assert "WM-2026-07" not in channel and "dysregulation" not in channel  # no pupil detail in a channel
    assert "Hannah Reid" not in channel  # nor who is conflicted
    threads = len(fake.threads(CHANNEL_ID))

    review = await latest_card(fake, chat_of(DANIEL), "Republish")
    add = {**button(review, "Add AOB"), "aob_text": "Outreach offer from the special school"}
    await post(personal_message(fake.url, DANIEL, value=add))
    review = await latest_card(fake, chat_of(DANIEL), "Outreach offer")
    await post(personal_message(fake.url, DANIEL, value=button(review, "Republish")))
    edited = await fake.wait_for(
        lambda: next((a for a in fake.activities(CHANNEL_ID) if "Outreach offer" in flat(a.card)), None)
    )
    assert edited.updates >= 1 and len(fake.threads(CHANNEL_ID)) == threads  # the same post, edited
    fake.assert_no_violations()


async def test_a_senco_cannot_publish_with_a_forged_button(
    fake: FakeConnector, post: Post, settings: Settings
) -> None:
    await prepare(settings)
    await post(personal_message(fake.url, DANIEL, "agenda"))
    review = await latest_card(fake, chat_of(DANIEL), "Publish")
    await post(personal_message(fake.url, HANNAH, value=button(review, "Publish")))
    reply = await fake.wait_for(lambda: next((a for a in fake.activities(chat_of(HANNAH)) if a.text), None))
    assert reply.text is not None and reply.text.startswith("Sorry:")
    assert fake.threads(CHANNEL_ID) == []
