"""Buttons pressed on the bot's channel posts: "Raise a request" leads to the personal chat."""

from __future__ import annotations

import json
from typing import Any

from tests.bot.conftest import Post
from tests.support.activities import channel_message, personal_message, user
from tests.support.fake_connector import FakeConnector

HANNAH = user(4, "Hannah Reid")
PRIYA = user(1, "Priya Shah")


def pressed_in_channel(service_url: str, sender: dict[str, Any], value: dict[str, Any]) -> dict[str, Any]:
    activity = channel_message(service_url, sender, "")
    activity.pop("text")
    activity.pop("entities")
    activity["value"] = value
    return activity


async def test_raise_a_request_in_the_channel_opens_the_form_in_the_personal_chat(
    fake: FakeConnector, post: Post
) -> None:
    await post(personal_message(fake.url, HANNAH, "hi"))  # she has a chat with the bot
    press = pressed_in_channel(fake.url, HANNAH, {"action": "raise_request"})
    await post(press)
    thread = press["conversation"]["id"]
    reply = await fake.wait_for(lambda: next((a for a in fake.activities(thread) if a.text), None))
    assert reply.text == "I've sent you a message in our personal chat: the request form runs there."
    chat = f"a:chat-{HANNAH['id']}"
    dm = await fake.wait_for(
        lambda: next(
            (a for a in fake.activities(chat) if "pressed **Raise a request**" in json.dumps(a.card)), None
        )
    )
    assert dm.card is not None and dm.card["actions"][0]["data"] == {"action": "raise_request"}


async def test_someone_who_cannot_raise_requests_is_told_so_in_the_thread(
    fake: FakeConnector, post: Post
) -> None:
    press = pressed_in_channel(fake.url, PRIYA, {"action": "raise_request"})
    await post(press)
    reply = await fake.wait_for(
        lambda: next((a for a in fake.activities(press["conversation"]["id"]) if a.text), None)
    )
    assert reply.text is not None and reply.text.startswith("Sorry: “Raise a request” is only for a")
