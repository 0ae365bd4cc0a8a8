"""The Requests queue through the real app: a chair's own, the officer's summary, one by its code."""

from __future__ import annotations

import json

from bot.config import Settings
from tests.bot.conftest import Post
from tests.bot.journeys.test_request_triage import DANIEL, GRACE, PRIYA, TOM, said, submitted_request
from tests.support.activities import personal_message
from tests.support.fake_connector import FakeConnector


def seen(card: object) -> str:
    return json.dumps(card, ensure_ascii=False)


async def test_an_empty_queue_says_so_to_the_officer_and_the_chair(fake: FakeConnector, post: Post) -> None:
    await post(personal_message(fake.url, PRIYA, value={"action": "requests_queue"}))
    summary = (await said(fake, PRIYA, 1))[-1]
    assert "Every queue is empty" in seen(summary.card)
    assert "not the chair" not in seen(summary.card) and summary.text is None

    await post(personal_message(fake.url, PRIYA, "queue CANT1"))
    one = (await said(fake, PRIYA, 2))[-1]
    assert "Requests queue: Canterbury" in seen(one.card) and "Your queue is empty" in seen(one.card)

    await post(personal_message(fake.url, GRACE, "queue"))  # the vice chair
    assert "Your queue is empty" in seen((await said(fake, GRACE, 1))[-1].card)


async def test_the_officer_sees_every_community_with_requests_waiting_and_opens_one(
    fake: FakeConnector, post: Post, settings: Settings
) -> None:
    _, ref = await submitted_request(settings)

    await post(personal_message(fake.url, PRIYA, "queue"))
    summary = (await said(fake, PRIYA, 1))[-1].card
    assert "1 community has 1 request waiting" in seen(summary)
    assert "(CANT1)**: 1 waiting" in seen(summary) and "THAN2" not in seen(summary)
    [open_cant1] = [
        action["data"]
        for element in summary["body"]
        if element["type"] == "ColumnSet"
        for column in element["columns"]
        for item in column["items"]
        for action in item.get("actions", [])
    ]
    assert open_cant1 == {"action": "requests_queue", "community": "CANT1"}

    await post(personal_message(fake.url, PRIYA, value=open_cant1))
    queue = seen((await said(fake, PRIYA, 2))[-1].card)
    assert ref in queue and "1 waiting for review" in queue

    await post(personal_message(fake.url, DANIEL, "queue"))  # the chair: his own queue
    assert ref in seen((await said(fake, DANIEL, 1))[-1].card)


async def test_a_chair_cannot_open_another_communitys_queue(
    fake: FakeConnector, post: Post, settings: Settings
) -> None:
    _, ref = await submitted_request(settings)
    await post(personal_message(fake.url, TOM, "queue CANT1"))
    reply = (await said(fake, TOM, 1))[-1]
    assert reply.card is None
    assert "Only the chair or vice chair of CANT1, or a council officer, can see its requests queue" in (
        reply.text or ""
    )
    await post(personal_message(fake.url, PRIYA, "queue NOPE9"))
    assert "I don't know a community with the code “NOPE9”" in ((await said(fake, PRIYA, 1))[-1].text or "")
