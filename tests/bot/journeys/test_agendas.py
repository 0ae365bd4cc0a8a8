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
from tests.support.fake_connector import FakeConnector, PostedActivity
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
    return (await latest_message(fake, conversation, words)).card or {}


async def latest_message(fake: FakeConnector, conversation: str, words: str) -> PostedActivity:
    found = await fake.wait_for(
        lambda: next((a for a in reversed(fake.activities(conversation)) if words in flat(a.card)), None)
    )
    assert isinstance(found, PostedActivity)
    return found


def pressed(
    fake: FakeConnector, sender: dict[str, Any], message: PostedActivity, data: Any
) -> dict[str, Any]:
    """A button pressed on ``message``'s card: Teams sends it as a reply to that message."""
    return {**personal_message(fake.url, sender, value=data), "replyToId": message.id}


async def test_the_chair_publishes_then_republishes_in_place(
    fake: FakeConnector, post: Post, settings: Settings
) -> None:
    await prepare(settings)
    await post(channel_message(fake.url, DANIEL, "link CANT1"))
    await post(personal_message(fake.url, DANIEL, "agenda"))
    review = await latest_message(fake, chat_of(DANIEL), "Publish")
    assert "COS-CANT1-" in flat(review.card) and "Hannah Reid" in flat(review.card)  # who is flagged

    await post(pressed(fake, DANIEL, review, button(review.card, "Publish")))
    posted = await latest_card(fake, CHANNEL_ID, "COS-CANT1-")
    channel = flat(posted)
    assert "Westgate Meadow Primary School" in channel
    assert "WM-2026-07" not in channel and "dysregulation" not in channel  # no pupil detail in a channel
    assert "Hannah Reid" not in channel  # nor who is conflicted
    threads = len(fake.threads(CHANNEL_ID))
    outcome = fake.activity(review.id)  # the card pressed says what happened, with nothing to press
    assert "Published to the community's channel (one card)." in flat(outcome.card)
    assert "Action.Submit" not in flat(outcome.card) and "Input.Text" not in flat(outcome.card)

    await post(personal_message(fake.url, DANIEL, "agenda"))
    review = await latest_message(fake, chat_of(DANIEL), "Republish")
    messages = len(fake.activities(chat_of(DANIEL)))
    add = {**button(review.card, "Add AOB"), "aob_text": "Outreach offer from the special school"}
    await post(pressed(fake, DANIEL, review, add))
    edited = fake.activity(review.id)
    assert "Outreach offer" in flat(edited.card) and "Republish" in flat(edited.card)  # the same card
    assert len(fake.activities(chat_of(DANIEL))) == messages  # edited in place, nothing posted

    await post(pressed(fake, DANIEL, review, button(edited.card, "Republish")))
    edited_post = await fake.wait_for(
        lambda: next((a for a in fake.activities(CHANNEL_ID) if "Outreach offer" in flat(a.card)), None)
    )
    assert edited_post.updates >= 1 and len(fake.threads(CHANNEL_ID)) == threads  # the same post, edited
    assert "Republished: the agenda in the channel is updated in place." in flat(
        fake.activity(review.id).card
    )
    fake.assert_no_violations()


async def test_a_stale_agenda_card_shows_the_latest_and_keeps_a_typed_line(
    fake: FakeConnector, post: Post, settings: Settings
) -> None:
    await prepare(settings)
    await post(personal_message(fake.url, DANIEL, "agenda"))
    old = await latest_message(fake, chat_of(DANIEL), "Publish")
    await post(personal_message(fake.url, DANIEL, "agenda"))
    current = await fake.wait_for(
        lambda: [a for a in fake.activities(chat_of(DANIEL)) if "Publish" in flat(a.card)][1:]
    )
    first = {**button(current[0].card, "Add AOB"), "aob_text": "Outreach offer from the special school"}
    await post(pressed(fake, DANIEL, current[0], first))

    typed = {**button(old.card, "Add AOB"), "aob_text": "Transition visits in June"}
    await post(pressed(fake, DANIEL, old, typed))  # a card from before the change: the line is not lost
    shown = fake.activity(old.id)
    assert "has changed since" in (shown.text or "") and "Your line is added" in (shown.text or "")
    assert "Outreach offer" in flat(shown.card) and "Transition visits in June" in flat(shown.card)

    await post(pressed(fake, DANIEL, current[0], button(current[0].card, "Publish")))  # now stale too
    latest = fake.activity(current[0].id)
    assert "has changed since" in (latest.text or "") and "not used that button" in (latest.text or "")
    assert "Transition visits in June" in flat(latest.card) and "Publish" in flat(latest.card)
    assert fake.threads(CHANNEL_ID) == []  # nothing was published from the out-of-date card


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


async def test_the_chair_reorders_on_the_card_and_an_old_copy_is_not_used(
    fake: FakeConnector, post: Post, settings: Settings
) -> None:
    await prepare(settings)
    database = Database(settings.database_url)
    try:
        await accepted(database, FixedClock(datetime.now(UTC)), HANNAH_EMAIL, "990101", ANSWERS)
    finally:
        await database.dispose()
    await post(personal_message(fake.url, DANIEL, "agenda"))
    review = await latest_message(fake, chat_of(DANIEL), "Publish")
    first, second = (f"5.{n} COS-CANT1-26-00{n}" for n in (1, 2))
    assert first in flat(review.card) and second in flat(review.card)
    messages = len(fake.activities(chat_of(DANIEL)))
    old_card = review.card  # (the fake keeps a message as it now is: this is the card before the move)

    await post(pressed(fake, DANIEL, review, button(old_card, "Down")))
    moved = fake.activity(review.id)
    assert "5.1 COS-CANT1-26-002" in flat(moved.card) and "5.2 COS-CANT1-26-001" in flat(moved.card)
    assert len(fake.activities(chat_of(DANIEL))) == messages  # reordered on the card itself

    await post(pressed(fake, DANIEL, review, button(old_card, "Down")))  # a copy from before the move
    latest = fake.activity(review.id)
    assert "has changed since" in (latest.text or "") and "not used that button" in (latest.text or "")
    assert "5.1 COS-CANT1-26-002" in flat(latest.card)  # the move was not made twice
