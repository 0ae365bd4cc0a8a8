"""Forged and garbled button presses and activities, through the real app.

Every card the bot sends carries submit data that Teams posts back as it was. A person (or
anyone holding a token) can post anything instead. Here the data of every button the bot
showed, and a few envelopes, are garbled at random with a fixed seed and posted as each demo
person: the service must answer each with a 2xx or a 400, never fail a turn, and still work after.
"""

from __future__ import annotations

import copy
import json
import logging
import random
from typing import Any

import pytest

from bot.config import Settings
from communities.clock import SystemClock
from communities.db import Database
from tests.bot.conftest import Post
from tests.support.activities import channel_message, chat_of, personal_message, submit_data
from tests.support.buttons import COMMANDS, PEOPLE
from tests.support.fake_connector import FakeConnector
from tests.support.meetings import add_meeting
from tests.support.people import GRACE as GRACE_EMAIL
from tests.support.people import HANNAH as HANNAH_EMAIL
from tests.support.requests import raise_and_accept, raise_and_submit

SEED = 20261123
PRESSES = 240

#: Values a forger might put anywhere.
ODD_VALUES: list[Any] = [
    None,
    True,
    False,
    0,
    -1,
    2**63,
    3.5,
    "",
    " ",
    "x" * 5000,
    "１２",  # full-width digits
    "1; DROP TABLE request",
    "<script>alert(1)</script>",
    [],
    [1, 2],
    {},
    {"action": "help"},
    "2027-02-30",
    "25:61",
    "CANT1",
    "NOPE9",
]


def garble(data: dict[str, Any], rng: random.Random, seen: list[dict[str, Any]]) -> dict[str, Any]:
    forged = copy.deepcopy(data)
    for key in list(forged):
        roll = rng.random()
        if roll < 0.3:
            forged[key] = rng.choice(ODD_VALUES)
        elif roll < 0.4:
            del forged[key]
        elif roll < 0.55:  # a value from another card: another request's id, another meeting's
            other = rng.choice(seen)
            if key in other:
                forged[key] = copy.deepcopy(other[key])
    if rng.random() < 0.15:
        forged[rng.choice(["extra", "request_id", "meeting_id", "version", "code"])] = rng.choice(ODD_VALUES)
    return forged


async def test_garbled_presses_never_fail_a_turn_and_the_bot_still_answers(
    fake: FakeConnector, post: Post, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    database, clock = Database(settings.database_url), SystemClock()
    try:
        await add_meeting(database, clock, "CANT1", "2027-03-16 16:00")
        await raise_and_accept(database, clock, HANNAH_EMAIL, "990101")
        await raise_and_accept(database, clock, GRACE_EMAIL, "990102")
        await raise_and_submit(database, clock, GRACE_EMAIL, "990102")  # for the chair's queue
    finally:
        await database.dispose()

    for person in PEOPLE:
        for command in COMMANDS:
            await post(personal_message(fake.url, person, command))
    # Opening each request shows its detail, with the chair's accept and decline buttons.
    for person in PEOPLE:
        for activity in fake.activities(chat_of(person)):
            for data in submit_data(activity.card):
                if data.get("action") == "request_open":
                    await post(personal_message(fake.url, person, value=data))
    seen = [data for activity in fake.activities() for data in submit_data(activity.card)]
    actions = {str(data.get("action") or data.get("command") or data.get("section")) for data in seen}
    assert len(actions) >= 25, (
        actions
    )  # the menus, lists, request detail, agenda and forms all showed buttons

    rng = random.Random(SEED)
    caplog.set_level(logging.ERROR)
    statuses: dict[int, int] = {}
    for n in range(PRESSES):
        person = rng.choice(PEOPLE)
        forged = garble(rng.choice(seen), rng, seen)
        # Each forger in a chat of their own (so Teams' per-chat limit does not pace the test),
        # now and then one still holding a dialog from an earlier press.
        activity = personal_message(fake.url, person, value=forged)
        activity["conversation"]["id"] = f"{chat_of(person)}-{n % 7}"
        response = await post(activity)
        statuses[response.status] = statuses.get(response.status, 0) + 1

    failed = [r.getMessage() for r in caplog.records if "turn failed" in r.getMessage()]
    assert failed == [], failed[:5]
    assert set(statuses) <= {200, 201}, statuses

    # And afterwards everyone still gets their menu (`menu` leaves a request form left open).
    for person in PEOPLE:
        before = len(fake.activities(chat_of(person)))
        await post(personal_message(fake.url, person, "menu"))
        reply = await fake.wait_for(lambda p=person, b=before: fake.activities(chat_of(p))[b:])
        assert reply[0].card is not None or "not registered" in (reply[0].text or "")


@pytest.mark.parametrize(
    "change",
    [
        {"value": "a string, not an object"},
        {"value": [1, 2, 3]},
        {"text": None, "value": None},
        {"text": "x" * 60_000},
        {"from": {"id": "29:user-1"}},  # no name, no Entra id
        {"conversation": {"id": "a:chat-x", "conversationType": "groupChat"}},
        {"channelData": "not an object"},
        {"entities": "not a list"},
        {"entities": [{"type": "mention"}]},
        {"attachments": [{"contentType": "text/html", "content": "<p>hi</p>"}]},
        {"locale": "xx-NOPE"},
        {"replyToId": "no-such-message"},
    ],
    ids=lambda change: json.dumps(change)[:40],
)
async def test_an_odd_envelope_gets_an_answer_not_a_failed_turn(
    change: dict[str, Any],
    fake: FakeConnector,
    settings: Settings,
    caplog: pytest.LogCaptureFixture,
    client: Any,
) -> None:
    caplog.set_level(logging.ERROR)
    for activity in (
        personal_message(fake.url, PEOPLE[1], "help"),
        channel_message(fake.url, PEOPLE[1], "help"),
    ):
        activity.update(change)
        response = await client.post("/api/messages", json=activity)
        assert response.status in (200, 201, 400), (response.status, await response.text())
        if response.status == 400:
            assert "error" in await response.json()
    failed = [r.getMessage() for r in caplog.records if "turn failed" in r.getMessage()]
    assert failed == [], failed
