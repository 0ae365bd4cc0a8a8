"""Raising a request through the real app: HTTP in, cards out at the fake connector, DMs by the outbox."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from aiohttp.test_utils import TestClient, TestServer
from sqlmodel import col, select

from bot.app import create_app
from bot.config import Settings
from communities.audit import AuditEvent
from communities.db import Database
from communities.requests.tables import Request
from tests.bot.conftest import Post
from tests.support.activities import chat_of, personal_message, submit_data, user
from tests.support.fake_connector import FakeConnector, PostedActivity
from tests.support.request_answers import ANSWERS

DANIEL = user(2, "Daniel Okafor")  # chair of CANT1
GRACE = user(3, "Grace Li")  # school leader at St Dunstan's (CANT1), vice chair of CANT1
HANNAH = user(4, "Hannah Reid")  # SENCO at Westgate (CANT1)
TOM = user(5, "Tom Walsh")  # school leader at Ramsgate Cliffs (THAN2)
PRIYA = user(1, "Priya Shah")  # officer

PACE = 0.3


async def turn(
    fake: FakeConnector,
    post: Post,
    sender: dict[str, Any],
    text: str | None = None,
    value: Any = None,
    *,
    on: str | None = None,
) -> list[PostedActivity]:
    """Send one message (a press replies ``on`` the card's message, as Teams does) and return the
    messages the bot edited in the person's chat during the turn, then those it posted.

    Paced like a quick person (Teams allows a bot 8 messages in 2 seconds per chat; the fake
    connector holds the bot to that, and the outbox's DMs land in the same chats).
    """
    await asyncio.sleep(PACE)
    chat = fake.activities(chat_of(sender))
    versions = {m.id: len(m.history) for m in chat}
    activity = personal_message(fake.url, sender, text, value)
    if on is not None:
        activity["replyToId"] = on
    await post(activity)
    after = fake.activities(chat_of(sender))
    edited = [m for m in after if m.id in versions and len(m.history) > versions[m.id]]
    edited.sort(key=lambda m: m.id == on)  # the card pressed shows the answer: last, as new posts are
    return edited + after[len(chat) :]


async def press_on(
    fake: FakeConnector, post: Post, sender: dict[str, Any], replies: list[PostedActivity], data: Any
) -> list[PostedActivity]:
    """Press a button of the last card in ``replies``, on that card's message."""
    message = [r for r in replies if r.card is not None][-1]
    return await turn(fake, post, sender, value=data, on=message.id)


def last_card(replies: list[PostedActivity]) -> dict[str, Any]:
    cards = [r.card for r in replies if r.card is not None]
    assert cards, [r.text for r in replies]
    return cards[-1]


def texts(replies: list[PostedActivity]) -> str:
    return "\n".join(r.text for r in replies if r.text)


def section_of(card: dict[str, Any]) -> str:
    return str(card["actions"][0]["data"]["section"])


def press(card: dict[str, Any], title: str | None = None, **values: Any) -> dict[str, Any]:
    """What Teams sends for a button: its data merged with the card's inputs (as filled in)."""
    actions = card["actions"]
    chosen = next(a for a in actions if (a["title"] == title if title else "command" not in a["data"]))
    shown = {e["id"]: e.get("value", "") for e in card["body"] if str(e.get("type", "")).startswith("Input.")}
    if chosen.get("associatedInputs") == "none":
        shown = {}
    return {**chosen["data"], **shown, **values}


async def fill_in(
    fake: FakeConnector, post: Post, sender: dict[str, Any], replies: list[PostedActivity]
) -> list[PostedActivity]:
    """Answer the form's card with ANSWERS, step after step, until it shows the review."""
    while section_of(last_card(replies)) != "review":
        card = last_card(replies)
        replies = await press_on(fake, post, sender, replies, press(card, **ANSWERS[section_of(card)]))
    return replies


async def stored(settings: Settings, request_id: int) -> Request:
    database = Database(settings.database_url)
    try:
        async with database.session() as session:
            request = await session.get(Request, request_id)
            assert request is not None
            return request
    finally:
        await database.dispose()


async def test_a_school_leader_raises_and_submits_a_request_and_the_chair_is_told(
    fake: FakeConnector, post: Post, settings: Settings
) -> None:
    await turn(fake, post, DANIEL, "help")  # the chair has a chat with the bot, so can be messaged
    menu = last_card(await turn(fake, post, GRACE, "help"))
    assert [data["action"] for data in submit_data(menu)][:3] == [
        "raise_request",
        "my_requests",
        "requests_queue",
    ]

    before = len(fake.activities(chat_of(GRACE)))
    started = await turn(fake, post, GRACE, value={"action": "raise_request"})
    assert "I've started request **COS-CANT1-26-001** for St Dunstan's" in texts(started)
    request_id = last_card(started)["actions"][0]["data"]["request_id"]
    form = started[-1]
    reviewed = await fill_in(fake, post, GRACE, started)
    assert [r.id for r in reviewed] == [form.id]  # the same card, edited step after step
    review = last_card(reviewed)
    assert "SD-0042" in json.dumps(review) and "Precision teaching" in json.dumps(review)

    done = await press_on(fake, post, GRACE, reviewed, press(review, "Submit request"))
    assert [r.id for r in done if r.card is not None] == [form.id]  # (and perhaps her DM as vice chair)
    submitted = fake.activity(form.id)
    assert "Request COS-CANT1-26-001 submitted" in json.dumps(submitted.card)
    assert "Daniel Okafor (community chair)" in json.dumps(submitted.card)
    assert "Action.Submit" not in json.dumps(submitted.card)  # read-only: nothing to press by mistake
    assert submitted.updates == 7  # six steps and the review, then the outcome, on one message
    mine = [a for a in fake.activities(chat_of(GRACE))[before:] if "COS-CANT1-26-001" not in (a.text or "")]
    assert [a.id for a in mine] == [form.id]  # the form's one message (and her DM as vice chair)

    dm = await fake.wait_for(
        lambda: [a for a in fake.activities(chat_of(DANIEL)) if a.text and "COS-CANT1-26-001" in a.text]
    )
    assert dm[0].text is not None and "has submitted request COS-CANT1-26-001 (one pupil)" in dm[0].text
    assert "St Dunstan's" in dm[0].text and "SD-0042" not in dm[0].text and "Reading age" not in dm[0].text
    assert (await stored(settings, request_id)).status == "submitted"
    fake.assert_no_violations()


async def test_a_forged_submit_for_another_schools_request_is_refused(
    fake: FakeConnector, post: Post, settings: Settings
) -> None:
    started = await turn(fake, post, GRACE, "request")
    grace_request = last_card(started)["actions"][0]["data"]["request_id"]
    forged = {
        "form": "request",
        "section": "type",
        "request_id": grace_request,
        "request_type": "community_wide",
    }

    refused = await turn(fake, post, TOM, value=forged)  # no form of Tom's is open
    assert "Only a school leader or SENCO of the requesting school can edit it" in texts(refused)

    tom_started = await turn(fake, post, TOM, "request")  # and with Tom's own form open
    tom_card = last_card(tom_started)
    refused_again = await turn(fake, post, TOM, value={**forged, "section": section_of(tom_card)})
    assert "I have not used that card" in texts(refused_again)
    assert section_of(last_card(refused_again)) == "type"  # Tom is still at his own first step

    assert (await stored(settings, grace_request)).details == {}
    database = Database(settings.database_url)
    async with database.session() as session:
        refusals = (
            await session.exec(select(AuditEvent).where(col(AuditEvent.action) == "request_edit_refused"))
        ).all()
    await database.dispose()
    assert [r.entity_id for r in refusals] == ["COS-CANT1-26-001", "COS-CANT1-26-001"]


async def test_help_and_cancel_inside_the_form_and_continue_my_draft_on_the_menu(
    fake: FakeConnector, post: Post
) -> None:
    started = last_card(await turn(fake, post, HANNAH, "request"))
    pupil = last_card(await turn(fake, post, HANNAH, value=press(started, **ANSWERS["type"])))
    helped = await turn(fake, post, HANNAH, "help")
    assert "school's own pupil reference" in texts(helped) and all(r.card is None for r in helped)

    cancelled = await turn(fake, post, HANNAH, "cancel")
    assert "Your draft **COS-CANT1-26-001** is saved" in texts(cancelled)
    menu = last_card(await turn(fake, post, HANNAH, "help"))
    assert [data["action"] for data in submit_data(menu)][:3] == [
        "raise_request",
        "continue_draft",
        "my_requests",
    ]

    resumed = await turn(fake, post, HANNAH, value={"action": "continue_draft"})
    assert "here is where you left off" in texts(resumed) and section_of(last_card(resumed)) == "pupil"
    needs = last_card(await turn(fake, post, HANNAH, value=press(pupil, **ANSWERS["pupil"])))
    assert section_of(needs) == "needs"  # the card shown before cancelling is the current step again


async def test_a_menu_button_during_the_form_leaves_it_with_the_draft_kept(
    fake: FakeConnector, post: Post
) -> None:
    await turn(fake, post, HANNAH, "request")
    find = await turn(fake, post, HANNAH, value={"action": "find_community"})
    assert "Which community?" in texts(find)
    assert "Thanet Coast Community" in json.dumps(last_card(await turn(fake, post, HANNAH, "THAN2")))
    again = await turn(fake, post, HANNAH, "continue")
    assert "COS-CANT1-26-001" in texts(again) and section_of(last_card(again)) == "type"


async def test_the_form_carries_on_after_a_restart(fake: FakeConnector, settings: Settings) -> None:
    async with TestClient(TestServer(create_app(settings))) as first:
        await first.post("/api/messages", json=personal_message(fake.url, HANNAH, "request"))
    card = fake.activities(chat_of(HANNAH))[-1].card
    assert card is not None and section_of(card) == "type"
    async with TestClient(TestServer(create_app(settings))) as second:
        await second.post(
            "/api/messages", json=personal_message(fake.url, HANNAH, value=press(card, **ANSWERS["type"]))
        )
    after = fake.activities(chat_of(HANNAH))[-1].card
    assert after is not None and section_of(after) == "pupil"


async def test_raising_a_request_is_refused_to_someone_not_on_a_schools_staff(
    fake: FakeConnector, post: Post
) -> None:
    refused = await turn(fake, post, PRIYA, value={"action": "raise_request"})
    assert "“Raise a request” is only for a school leader or SENCO." in texts(refused)
    assert "only for a school leader" in texts(await turn(fake, post, PRIYA, "request"))


async def test_a_card_teams_will_not_edit_is_sent_new_and_nothing_is_lost(
    fake: FakeConnector, post: Post
) -> None:
    started = await turn(fake, post, HANNAH, "request")
    fake.script(chat_of(HANNAH), 404)  # say, the message was deleted: Teams refuses the edit
    moved = await press_on(fake, post, HANNAH, started, press(last_card(started), **ANSWERS["type"]))
    assert [r.id for r in moved] != [started[-1].id] and section_of(last_card(moved)) == "pupil"
    assert fake.activity(started[-1].id).updates == 0
    assert [r.operation for r in fake.requests_to(chat_of(HANNAH))][-2:] == ["update", "reply"]


async def test_a_press_on_an_out_of_date_form_card_keeps_one_live_card(
    fake: FakeConnector, post: Post
) -> None:
    started = await turn(fake, post, HANNAH, "request")
    first = started[-1]
    type_card = dict(last_card(started))  # as it was shown, before it moved on
    await press_on(fake, post, HANNAH, started, press(type_card, **ANSWERS["type"]))
    back = await turn(fake, post, HANNAH, "back")  # answered below; the card above is retired
    live = back[-1]
    assert live.id != first.id and "out of date" in json.dumps(fake.activity(first.id).card)

    # A client that still shows the old type card: it is the current step again, so the answer on it
    # is used, shown on that card, and the copy sent below is retired: one live card.
    used = await turn(fake, post, HANNAH, value=press(type_card, request_type="whole_school"), on=first.id)
    assert used[-1].id == first.id and section_of(last_card(used)) == "needs"
    assert "out of date" in json.dumps(fake.activity(live.id).card)
    assert "Action.Submit" not in json.dumps(fake.activity(live.id).card)

    # Now the type card below is out of date; a press on it keeps what was typed, unsaved.
    stale = await turn(fake, post, HANNAH, value=press(type_card, request_type="one_pupil"), on=live.id)
    assert stale[-1].id == live.id and "not saved it over your newer answers" in (stale[-1].text or "")
    assert '"value": "one_pupil"' in json.dumps(fake.activity(live.id).card)
    assert "out of date" in json.dumps(fake.activity(first.id).card)  # and only that card is live
