"""After the meeting, through the real app: the vice chair records attendance and an outcome on one card
that changes in place, confirms, and the school is told in its chat and the channel gets one summary.

The app runs on the fixed clock of the test, after CANT1's meeting of Thursday 10 December 2026 with
Westgate Meadow's request on its published agenda (Daniel, the chair, is Westgate's leader: the
vice chair, Grace Li, records it).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import create_app
from bot.config import Settings
from communities.clock import FixedClock
from communities.db import Database
from tests.bot.conftest import Post
from tests.bot.journeys.test_agendas import button, flat, latest_message, pressed
from tests.communities.outcomes.test_reviews import in_delivery
from tests.support.activities import CHANNEL_ID, channel_message, chat_of, personal_message, user
from tests.support.fake_connector import FakeConnector, PostedActivity
from tests.support.meetings import add_meeting
from tests.support.outcomes import Held, held_meeting, person_id
from tests.support.people import DANIEL as DANIEL_EMAIL
from tests.support.people import HANNAH as HANNAH_EMAIL

DANIEL = user(2, "Daniel Okafor")  # chair of CANT1, Westgate's leader: flagged on its request
GRACE = user(3, "Grace Li")  # vice chair of CANT1
HANNAH = user(4, "Hannah Reid")  # SENCO at Westgate: she raised the request
TOM = user(5, "Tom Walsh")  # chair of THAN2
PRIYA = user(1, "Priya Shah")  # council officer


@pytest.fixture
async def client(settings: Settings, clock: FixedClock) -> AsyncIterator[TestClient[Any, Any]]:
    async with TestClient(TestServer(create_app(settings, clock=clock))) as test_client:
        yield test_client


async def held(settings: Settings, clock: FixedClock) -> tuple[Held, dict[str, int]]:
    database = Database(settings.database_url)
    try:
        meeting = await held_meeting(database, clock, 1)
        ids = {email: await person_id(database, email) for email in (DANIEL_EMAIL, HANNAH_EMAIL)}
        return meeting, ids
    finally:
        await database.dispose()


def inputs_of(card: Any) -> dict[str, Any]:
    found: dict[str, Any] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if str(node.get("type", "")).startswith("Input."):
                found[node["id"]] = node
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card)
    return found


async def press(
    post: Post, fake: FakeConnector, who: dict[str, Any], message: PostedActivity, data: Any
) -> None:
    """A button pressed on ``message``, at a person's pace (Teams allows 8 edits of a chat in 2 seconds)."""
    await asyncio.sleep(0.3)
    await post(pressed(fake, who, message, data))


async def test_the_vice_chair_records_and_confirms_and_the_school_and_channel_are_told(
    fake: FakeConnector, post: Post, settings: Settings, clock: FixedClock
) -> None:
    meeting, ids = await held(settings, clock)
    daniel, hannah = ids[DANIEL_EMAIL], ids[HANNAH_EMAIL]
    for person in (DANIEL, HANNAH, GRACE):
        await post(personal_message(fake.url, person, "help"))
    await post(channel_message(fake.url, DANIEL, "link CANT1"))

    await post(personal_message(fake.url, GRACE, "outcomes"))
    card = await latest_message(fake, chat_of(GRACE), "Outcomes: Canterbury City Community (CANT1)")
    assert "COS-CANT1-26-001" in flat(card.card) and "Not recorded yet" in flat(card.card)
    messages = len(fake.activities(chat_of(GRACE)))

    # Attendance, on the same card: everyone there; the quorum follows.
    await press(post, fake, GRACE, card, button(card.card, "Attendance"))
    shown = fake.activity(card.id)
    assert "Attendance: Canterbury City Community (CANT1)" in flat(shown.card)
    everyone = {key: "present" for key in inputs_of(shown.card) if key.startswith("attendance_")}
    await press(post, fake, GRACE, card, {**button(shown.card, "Save attendance"), **everyone})
    shown = fake.activity(card.id)
    assert "Attendance saved." in flat(shown.card) and "Quorum: met" in flat(shown.card)

    # The item: a problem is said with what was typed kept; a name is warned about; then saved.
    await press(post, fake, GRACE, card, button(shown.card, "Record"))
    shown = fake.activity(card.id)
    assert "Outcome of COS-CANT1-26-001" in flat(shown.card)
    assert {f"ruling_{daniel}", f"ruling_{hannah}"} <= set(inputs_of(shown.card))
    typed = {"what_is_working": "The calm space in the mornings works."}
    await press(post, fake, GRACE, card, {**button(shown.card, "Save this outcome"), **typed})
    shown = fake.activity(card.id)
    assert "Choose the decision." in flat(shown.card)
    assert inputs_of(shown.card)["what_is_working"]["value"] == typed["what_is_working"]
    entry = {
        "decision": "funding_agreed",
        "what_is_working": "Jack Smithson is calmer in the mornings.",
        "offer_school_1": "990102",
        "offer_1": "Outreach from their nurture lead, two afternoons",
        "action_1": "Share the nurture plan template",
        "action_school_1": "990102",
        "action_due_1": "2027-01-15",
        "funding": "1,500.50",
        "funding_from": "2027-01-04",
        "funding_to": "2027-03-31",
        "rationale": "A clear plan, and a school nearby with the expertise.",
        "review_date": "2027-03-30",
        f"ruling_{daniel}": "took_no_part",
        f"ruling_{hannah}": "spoke_not_decided",
    }
    await press(post, fake, GRACE, card, {**button(shown.card, "Save this outcome"), **entry})
    shown = fake.activity(card.id)
    assert "Jack Smithson" in flat(shown.card)  # kept, with the warning and a way to keep it
    await press(
        post,
        fake,
        GRACE,
        card,
        {**button(shown.card, "Keep it as written (it is not about a pupil)"), **entry},
    )
    shown = fake.activity(card.id)
    assert "The outcome of COS-CANT1-26-001 is saved as a draft." in flat(shown.card)
    assert "Funding agreed (draft)" in flat(shown.card)

    # Confirming asks first; then one read-only result naming who was told.
    await press(post, fake, GRACE, card, button(shown.card, "Confirm outcomes"))
    shown = fake.activity(card.id)
    confirm = button(shown.card, "Yes, confirm and tell the schools")
    await press(post, fake, GRACE, card, confirm)
    shown = fake.activity(card.id)
    said = flat(shown.card)
    assert "Outcomes confirmed" in said and "Hannah Reid" in said and "Daniel Okafor" in said
    assert "Action.Submit" not in said
    assert len(fake.activities(chat_of(GRACE))) == messages  # every step on the one card

    told = await latest_message(fake, chat_of(HANNAH), "Outcome of COS-CANT1-26-001")
    for expected in (
        "£1,500.50",
        "Outreach from their nurture lead",
        "Share the nurture plan template",
        "not Kent",
    ):
        assert expected in flat(told.card), expected
    summary = await latest_message(fake, CHANNEL_ID, "Outcomes: Canterbury City Community (CANT1)")
    posted = flat(summary.card)
    assert "COS-CANT1-26-001" in posted and "£1,500.50" in posted
    assert "nurture" not in posted and "calm" not in posted and "Jack" not in posted

    # A second confirm (the same button again) sends nothing twice.
    before = len(fake.activities())
    await post(personal_message(fake.url, GRACE, value=confirm))
    again = await latest_message(fake, chat_of(GRACE), "Already confirmed")
    assert "nobody was told twice" in flat(again.card)
    assert len(fake.activities()) == before + 1

    # My requests: the school opens its decided request and reads the same outcome.
    [request_id] = meeting.request_ids
    await post(personal_message(fake.url, HANNAH, value={"action": "request_open", "request_id": request_id}))
    opened = await latest_message(fake, chat_of(HANNAH), "Request COS-CANT1-26-001")
    for expected in ("The meeting's outcome", "£1,500.50", "Share the nurture plan template", "not Kent"):
        assert expected in flat(opened.card), expected
    fake.assert_no_violations()


async def test_the_chair_whose_school_raised_it_sees_who_may_record_it(
    fake: FakeConnector, post: Post, settings: Settings, clock: FixedClock
) -> None:
    await held(settings, clock)
    await post(personal_message(fake.url, DANIEL, "outcomes"))
    card = await latest_message(fake, chat_of(DANIEL), "Outcomes: Canterbury City Community (CANT1)")
    await press(post, fake, DANIEL, card, button(card.card, "Record"))
    shown = flat(fake.activity(card.id).card)
    assert "Grace Li (vice chair) or a council officer can do it instead" in shown and "Input." not in shown
    await post(personal_message(fake.url, TOM, "outcomes"))
    reply = await fake.wait_for(lambda: next((a for a in fake.activities(chat_of(TOM)) if a.text), None))
    assert "THAN2 has no meeting that has taken place yet" in (reply.text or "")
    await post(personal_message(fake.url, TOM, "outcomes CANT1"))
    refused = await fake.wait_for(lambda: [a.text for a in fake.activities(chat_of(TOM)) if a.text][1:])
    assert refused[0].startswith(
        "Sorry: Only the chair or vice chair of CANT1, or a council officer, can record"
    )
    await post(personal_message(fake.url, PRIYA, "outcomes"))
    asked = await fake.wait_for(lambda: next((a for a in fake.activities(chat_of(PRIYA)) if a.text), None))
    assert "Write `outcomes` and the community's code" in (asked.text or "")
    await post(personal_message(fake.url, PRIYA, "outcomes CANT1"))
    await latest_message(fake, chat_of(PRIYA), "Outcomes: Canterbury City Community (CANT1)")


async def test_the_chair_records_a_review_due_at_a_later_meeting(
    fake: FakeConnector, post: Post, settings: Settings, clock: FixedClock
) -> None:
    database = Database(settings.database_url)
    try:
        held = await in_delivery(database, clock)  # support agreed in December, to be reviewed by 30 March
        await add_meeting(database, clock, "CANT1", "2027-04-07 16:00")
    finally:
        await database.dispose()
    clock.advance(days=120)  # April 2027: the meeting of 7 April has taken place
    await post(personal_message(fake.url, HANNAH, "help"))  # Hannah, who raised it, can be messaged
    await post(personal_message(fake.url, GRACE, "outcomes"))
    card = await latest_message(fake, chat_of(GRACE), "Outcomes: Canterbury City Community (CANT1)")
    assert "No requests were on this meeting's agenda." in flat(card.card)
    assert "COS-CANT1-26-001" in flat(card.card) and "Confirm outcomes" not in flat(card.card)

    await press(post, fake, GRACE, card, button(card.card, "Record the review"))
    shown = fake.activity(card.id)
    assert "Review of COS-CANT1-26-001" in flat(shown.card)
    typed = {"note": "Mornings settled; afternoons not yet.", "next_review_date": "2027-07-07"}
    await press(post, fake, GRACE, card, {**button(shown.card, "Record the review"), **typed})
    shown = fake.activity(card.id)
    assert "Choose how the support went." in flat(shown.card)
    assert inputs_of(shown.card)["note"]["value"] == typed["note"]  # what was typed is kept
    chosen = {**typed, "result": "partly_achieved"}
    await press(post, fake, GRACE, card, {**button(shown.card, "Record the review"), **chosen})
    shown = fake.activity(card.id)
    said = flat(shown.card)
    assert (
        "The review of COS-CANT1-26-001 is recorded (partly achieved): the request continues in delivery. "
        "I've told Hannah Reid" in said
    )
    told = await fake.wait_for(
        lambda: [a.text for a in fake.activities(chat_of(HANNAH)) if a.text and "reviewed request" in a.text]
    )
    assert "partly achieved. The support continues, with the next review on" in told[0]
    assert "No reviews due." in said  # its next review is in July
    assert held.request_ids and fake.activity(card.id).updates >= 3
