"""A dispute through the real app: Westgate's head disputes the outcome from its card, the vice chair
(the chair is Westgate's own head) acknowledges and does not uphold it, the school escalates it to
the council's officers, and an officer sees it in the open disputes. Wrong people, forged and stale
buttons, bad amounts and text that may name a child are refused clearly; everything is said in
personal chats."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlmodel import select

from bot.app import create_app
from bot.config import Settings
from communities.audit import AuditEvent
from communities.clock import FixedClock
from communities.db import Database
from communities.disputes.tables import Dispute
from tests.bot.conftest import Post
from tests.bot.journeys.test_agendas import button, flat, latest_message
from tests.bot.journeys.test_requests import last_card, texts, turn
from tests.support.activities import chat_of, user
from tests.support.disputes import add_area_board_member, confirmed_outcomes
from tests.support.fake_connector import FakeConnector

PRIYA = user(1, "Priya Shah")  # council officer
DANIEL = user(2, "Daniel Okafor")  # Westgate's head, and CANT1's chair
GRACE = user(3, "Grace Li")  # CANT1's vice chair
HANNAH = user(4, "Hannah Reid")  # Westgate's SENCO
TOM = user(5, "Tom Walsh")  # chair of THAN2
REF = "COS-CANT1-26-001"


@pytest.fixture
async def client(settings: Settings, clock: FixedClock) -> AsyncIterator[TestClient[Any, Any]]:
    async with TestClient(TestServer(create_app(settings, clock=clock))) as test_client:
        yield test_client


async def decided(settings: Settings, clock: FixedClock) -> None:
    database = Database(settings.database_url)
    try:
        await confirmed_outcomes(database, clock, 1)
        await add_area_board_member(database, clock)
    finally:
        await database.dispose()


async def stored(settings: Settings) -> tuple[list[Dispute], list[str]]:
    database = Database(settings.database_url)
    try:
        async with database.session() as session:
            disputes = list((await session.exec(select(Dispute))).all())
            actions = [
                e.action for e in (await session.exec(select(AuditEvent))).all() if "dispute" in e.action
            ]
        return disputes, actions
    finally:
        await database.dispose()


async def test_a_dispute_raised_decided_and_escalated_in_the_chat(
    fake: FakeConnector, post: Post, settings: Settings, clock: FixedClock
) -> None:
    await decided(settings, clock)
    for person in (PRIYA, DANIEL, GRACE, HANNAH, TOM):
        await turn(fake, post, person, "hi")
    start = {"action": "dispute_start", "ref": REF}

    refused = await turn(fake, post, HANNAH, value=start)
    assert "Sorry: Only a school leader at Westgate Meadow Primary School can dispute" in texts(refused)

    form = last_card(await turn(fake, post, DANIEL, value=start))
    assert f"Dispute the outcome of {REF}" in flat(form) and "until Wednesday 13 January 2027" in flat(form)
    send = {"action": "dispute_raise", "ref": REF, "dispute_grounds": "allocation"}
    warned = last_card(
        await turn(fake, post, DANIEL, value={**send, "dispute_reasons": "Jack Smith needs more."})
    )
    assert "not_about_a_pupil" in flat(warned) and "Jack Smith needs more." in flat(warned)
    assert (await stored(settings))[0] == []
    reasons = "The allocation is lower than for similar needs in the community."
    sent = last_card(await turn(fake, post, DANIEL, value={**send, "dispute_reasons": reasons}))
    assert "Your dispute has been sent. The people dealing with it have been told." in flat(sent)

    # Stage 1 is the vice chair's: the chair leads Westgate.
    asked = await latest_message(fake, chat_of(GRACE), f"Dispute of {REF}")
    assert asked.card is not None and reasons in flat(asked.card)
    acknowledge = button(asked.card, "Acknowledge")
    forged = await turn(fake, post, TOM, value=acknowledge)
    assert "Sorry: Only the chair or vice chair of CANT1 (without a conflict of interest)" in texts(forged)
    assert "Sorry: Only the chair or vice chair" in texts(await turn(fake, post, DANIEL, value=acknowledge))
    acknowledged = await turn(fake, post, GRACE, value=acknowledge, on=asked.id)
    assert [r.id for r in acknowledged] == [asked.id]  # the card updates in place
    card = fake.activity(asked.id).card
    assert card is not None and "Acknowledged: the school has been told." in flat(card)
    stale = await turn(fake, post, GRACE, value=acknowledge)
    assert "Sorry: This card is out of date" in texts(stale)
    told = await fake.wait_for(
        lambda: [
            a.text for a in fake.activities(chat_of(DANIEL)) if a.text and "has been acknowledged" in a.text
        ]
    )
    assert "A decision is due by" in told[0]

    decide = button(card, "Record the decision")
    bad = await turn(
        fake, post, GRACE, value={**decide, "dispute_finding": "varied", "dispute_funding": "-5"}
    )
    assert "Sorry: The funding must be an amount in pounds" in texts(bad)
    undated = await turn(
        fake, post, GRACE, value={**decide, "dispute_finding": "varied", "dispute_review_date": "next spring"}
    )
    assert "Sorry: The review date must be a date" in texts(undated)
    unreasoned = await turn(fake, post, GRACE, value={**decide, "dispute_finding": "not_upheld"})
    assert "Sorry: Give the reasons for the decision" in texts(unreasoned)
    why = "The panel applied the community's usual rates."
    await turn(fake, post, GRACE, value={**decide, "dispute_finding": "not_upheld", "dispute_reasons": why})
    school = await latest_message(fake, chat_of(DANIEL), "Escalate to stage 2")
    assert school.card is not None and why in flat(school.card)
    assert "Not upheld" in flat(school.card) and "Escalate to stage 2" in flat(school.card)

    escalate = button(school.card, "Escalate to stage 2")
    assert "Sorry: Only a school leader at Westgate" in texts(await turn(fake, post, HANNAH, value=escalate))
    escalated = last_card(await turn(fake, post, DANIEL, value=escalate, on=school.id))
    assert "Escalated to stage 2: the council's locality team." in flat(escalated)
    officers = await latest_message(fake, chat_of(PRIYA), f"Dispute of {REF}")
    assert officers.card is not None and "Acknowledge" in flat(officers.card)

    listed = last_card(await turn(fake, post, PRIYA, "disputes"))
    assert REF in flat(listed) and "Stage 2: the council's locality team" in flat(listed)
    assert "only for a council officer" in texts(await turn(fake, post, HANNAH, "disputes"))
    opened = last_card(await turn(fake, post, PRIYA, value=button(listed, "Open")))
    assert "Acknowledge" in flat(opened)
    assert "Sorry: Only the school that raised it" in texts(
        await turn(fake, post, TOM, value=button(listed, "Open"))
    )

    disputes, actions = await stored(settings)
    assert [(d.stage, d.status) for d in disputes] == [(2, "awaiting_acknowledgement")]
    for expected in (
        "dispute_raised",
        "dispute_acknowledged",
        "dispute_decided",
        "dispute_escalated",
        "dispute_read",
        "disputes_listed",
        "dispute_raise_refused",
        "dispute_acknowledge_refused",
        "dispute_read_refused",
    ):
        assert expected in actions, expected
    about = [a for a in fake.activities() if REF in flat(a.activity) and "ispute" in flat(a.activity)]
    assert about and all(a.conversation_id.startswith("a:") for a in about), "personal chats only"
