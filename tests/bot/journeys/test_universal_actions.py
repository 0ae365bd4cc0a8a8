"""Universal Actions on the meeting-reminder card in a channel, through the real app over HTTP.

Teams sends an ``adaptiveCard/action`` invoke when someone presses an Action.Execute button or when
it refreshes the card for one of the users its ``refresh.userIds`` lists; the bot answers with the
card that person should see. The reminder is posted by the outbox as the scheduler posts it.
"""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient
from sqlmodel import col, select

from bot.config import Settings
from cards.meetings.rsvp import (
    AGENDA_CARD,
    AGENDA_VIEW,
    CHAIR_HEADING,
    NO_ANSWER_YET,
    NUDGE_TITLE,
    RSVP,
    RSVP_NUDGE,
    RSVP_VIEW,
)
from cards.universal import CARD_RESPONSE
from communities.audit import AuditEvent
from communities.meetings import rsvp, rsvp_views
from communities.meetings.rsvp import Rsvp
from communities.messaging.outbox import OutboxMessage
from dialogs.meetings.rsvp_buttons import UNREADABLE
from dialogs.universal.actions import UNKNOWN_VERB
from tests.bot.conftest import Post
from tests.bot.journeys.test_agendas import button, latest_message, prepare, pressed
from tests.bot.journeys.test_rsvp import (
    DANIEL,
    HANNAH,
    STRANGER,
    TOM,
    app_database_url,  # noqa: F401  (the rsvp table, as in the RSVP journeys)
    counts,
    flat,
    post_reminder,
    press,
    services_of,
)
from tests.support.activities import CHANNEL_ID, card_action, channel_message, chat_of, personal_message, user
from tests.support.fake_connector import FakeConnector, PostedActivity

GRACE = user(3, "Grace Li")  # CANT1's vice chair


async def execute(post: Post, activity: dict[str, Any]) -> dict[str, Any]:
    """The card the invoke answers with (and that it is a card, with status 200)."""
    response = await post(activity)
    assert response.status == 200
    body = await response.json()
    assert body["statusCode"] == 200 and body["type"] == CARD_RESPONSE
    card: dict[str, Any] = body["value"]
    assert card["type"] == "AdaptiveCard"
    return card


def rsvp_by(fake: FakeConnector, who: dict[str, Any], card: PostedActivity, answer: str) -> dict[str, Any]:
    [button] = [a for a in (card.card or {})["actions"] if a.get("data", {}).get("answer") == answer]
    assert button["type"] == "Action.Execute" and button["verb"] == RSVP
    return card_action(fake.url, who, card.id, button["verb"], button["data"])


def view_of(fake: FakeConnector, who: dict[str, Any], card: PostedActivity) -> dict[str, Any]:
    refresh = (card.card or {})["refresh"]["action"]
    return card_action(fake.url, who, card.id, refresh["verb"], refresh["data"], trigger="automatic")


def texts(card: dict[str, Any]) -> str:
    return flat([e.get("text") for e in card["body"]])


def all_actions(card: dict[str, Any]) -> list[dict[str, Any]]:
    found = list(card.get("actions", []))
    return found + [a for e in card["body"] if e["type"] == "ActionSet" for a in e["actions"]]


def nudge_buttons(card: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        a
        for e in card["body"]
        if e["type"] == "ActionSet"
        for a in e["actions"]
        if a.get("verb") == RSVP_NUDGE
    ]


async def test_a_member_answers_with_action_execute_and_sees_their_own_answer(
    client: TestClient[Any, Any], fake: FakeConnector, post: Post
) -> None:
    meeting_id, card = await post_reminder(client, fake, post)
    assert (card.card or {})["refresh"]["action"]["verb"] == RSVP_VIEW

    mine = await execute(post, rsvp_by(fake, HANNAH, card, "attending"))
    assert "Your answer: Attending" in texts(mine) and counts(mine)["Attending"] == "1"
    assert CHAIR_HEADING not in texts(mine) and not nudge_buttons(mine)  # a SENCO: not the chair's view
    assert "refresh" in mine  # Teams goes on asking for her own view

    # The shared card in the channel is updated in place for everyone, and names nobody.
    await fake.wait_for(lambda: card.updates == 1)
    assert counts(card.card)["Attending"] == "1" and "Your answer" not in flat(card.card)
    assert "Hannah" not in flat(card.history)

    # Her refresh shows her answer; she changes it from the card.
    assert "Your answer: Attending" in texts(await execute(post, view_of(fake, HANNAH, card)))
    changed = await execute(post, rsvp_by(fake, HANNAH, card, "colleague"))
    assert "Your answer: Sending a colleague" in texts(changed) and counts(changed)["Attending"] == "0"
    # Nothing was said in the thread: the card itself changed.
    thread = f"{CHANNEL_ID};messageid={card.id}"
    assert [a for a in fake.activities(thread) if a.id != card.id] == []
    async with services_of(client).database.session() as session:
        answers = (await session.exec(select(Rsvp).where(col(Rsvp.meeting_id) == meeting_id))).all()
    assert [a.answer for a in answers] == ["colleague"]
    fake.assert_no_violations()


async def test_the_chair_sees_who_has_not_answered_and_nudges_them(
    client: TestClient[Any, Any], fake: FakeConnector, post: Post
) -> None:
    await post(personal_message(fake.url, GRACE, "hello"))  # Grace has a chat with the bot
    await fake.wait_for(lambda: fake.activities(chat_of(GRACE)))
    meeting_id, card = await post_reminder(client, fake, post)
    # Grace is known to the bot, so Teams refreshes the card for her automatically.
    assert "29:user-3" in (card.card or {})["refresh"]["userIds"]
    await execute(post, rsvp_by(fake, HANNAH, card, "attending"))

    chair = await execute(post, view_of(fake, DANIEL, card))
    assert NO_ANSWER_YET in texts(chair) and CHAIR_HEADING in texts(chair)
    assert "Grace Li" in texts(chair) and "Hannah Reid" not in texts(chair)  # Hannah has answered
    [nudge] = nudge_buttons(chair)
    assert nudge["title"] == NUDGE_TITLE

    before = len(fake.activities(chat_of(GRACE)))
    nudged = await execute(post, card_action(fake.url, DANIEL, card.id, nudge["verb"], nudge["data"]))
    assert "Nudge sent: 1 reminded in a personal chat." in texts(nudged)
    assert "could not be reached" in texts(nudged)  # the others never opened a chat with the bot
    reminder = await fake.wait_for(lambda: fake.activities(chat_of(GRACE))[before:])
    assert "A reminder from the chair of Canterbury" in (reminder[0].text or "")
    assert "Hannah" not in (reminder[0].text or "")

    # Pressing again the same day queues nothing new, and says so.
    again = await execute(post, card_action(fake.url, DANIEL, card.id, nudge["verb"], nudge["data"]))
    assert rsvp_views.NUDGED_TODAY in texts(again)
    async with services_of(client).database.session() as session:
        rows = (
            await session.exec(
                select(OutboxMessage).where(
                    col(OutboxMessage.idempotency_key).startswith(f"rsvp_nudge:{meeting_id}:")
                )
            )
        ).all()
    assert len(rows) == 1

    async with services_of(client).database.session() as session:
        audited = (await session.exec(select(AuditEvent).where(AuditEvent.action == "rsvp_nudged"))).all()
    assert [(a.entity_id, a.detail["told"]) for a in audited] == [(str(meeting_id), 1)]

    # The vice chair sees the chair's view too.
    assert CHAIR_HEADING in texts(await execute(post, view_of(fake, GRACE, card)))


async def test_forged_and_refused_actions_get_a_card_that_says_why_and_change_nothing(
    client: TestClient[Any, Any], fake: FakeConnector, post: Post
) -> None:
    meeting_id, card = await post_reminder(client, fake, post)
    data = {"action": RSVP, "meeting_id": meeting_id, "answer": "attending"}

    # A member who is not the chair presses a forged Nudge.
    refused = await execute(
        post, card_action(fake.url, HANNAH, card.id, RSVP_NUDGE, {"meeting_id": meeting_id})
    )
    assert rsvp_views.NOT_CHAIR in texts(refused) and not nudge_buttons(refused)
    async with services_of(client).database.session() as session:
        audited = (
            await session.exec(select(AuditEvent).where(AuditEvent.action == "rsvp_nudge_refused"))
        ).all()
    assert [a.entity_id for a in audited] == [str(meeting_id)]
    # Strangers and other communities' chairs cannot answer; they see the shared view and why.
    for who in (STRANGER, TOM):
        seen = await execute(post, card_action(fake.url, who, card.id, RSVP, data))
        assert rsvp.NOT_A_MEMBER in texts(seen) and CHAIR_HEADING not in texts(seen)
    # Unknown verbs, unreadable data, a meeting that does not exist.
    assert UNKNOWN_VERB in texts(await execute(post, card_action(fake.url, HANNAH, card.id, "approve", data)))
    bad = {"meeting_id": "not a number", "answer": "attending"}
    assert UNREADABLE in texts(await execute(post, card_action(fake.url, HANNAH, card.id, RSVP, bad)))
    maybe = {"meeting_id": meeting_id, "answer": "maybe"}
    assert UNREADABLE in texts(await execute(post, card_action(fake.url, HANNAH, card.id, RSVP, maybe)))
    gone = {"meeting_id": meeting_id + 1000, "answer": "attending"}
    assert rsvp.NO_SUCH_MEETING in texts(
        await execute(post, card_action(fake.url, HANNAH, card.id, RSVP, gone))
    )

    async with services_of(client).database.session() as session:
        assert (await session.exec(select(Rsvp))).all() == []
        nudges = await session.exec(
            select(OutboxMessage).where(col(OutboxMessage.idempotency_key).startswith("rsvp"))
        )
        assert nudges.all() == []
    assert card.updates == 0


async def test_a_client_without_action_execute_still_answers_through_the_submit_fallback(
    client: TestClient[Any, Any], fake: FakeConnector, post: Post
) -> None:
    _, card = await post_reminder(client, fake, post)
    [button] = [a for a in (card.card or {})["actions"] if a["data"]["answer"] == "apologies"]
    assert button["fallback"]["type"] == "Action.Submit" and button["fallback"]["data"] == button["data"]
    await post(press(fake, HANNAH, card, "apologies"))  # what the fallback sends: a message with value
    await fake.wait_for(lambda: card.updates == 1)
    assert counts(card.card)["Apologies"] == "1"


# ---- the agenda card in the channel -------------------------------------------------------------


async def test_the_agenda_card_shows_each_member_their_answer_and_the_chair_who_has_not_answered(
    fake: FakeConnector, post: Post, settings: Settings
) -> None:
    await prepare(settings)
    await post(channel_message(fake.url, DANIEL, "link CANT1"))
    await post(personal_message(fake.url, DANIEL, "agenda"))
    review = await latest_message(fake, chat_of(DANIEL), "Publish")
    await post(pressed(fake, DANIEL, review, button(review.card, "Publish")))
    agenda = await latest_message(fake, CHANNEL_ID, "COS-CANT1-")
    posted = agenda.card or {}
    assert posted["refresh"]["action"]["verb"] == AGENDA_VIEW
    [attending] = [
        a for a in all_actions(posted) if a.get("verb") == RSVP and a["data"]["answer"] == "attending"
    ]
    assert attending["data"]["card"] == AGENDA_CARD and attending["fallback"]["type"] == "Action.Submit"

    mine = await execute(post, card_action(fake.url, HANNAH, agenda.id, RSVP, attending["data"]))
    assert "COS-CANT1-" in flat(mine) and "Your answer: Attending" in texts(
        mine
    )  # the agenda, with her answer
    assert CHAIR_HEADING not in texts(mine)
    assert "WM-2026-07" not in flat(mine) and "dysregulation" not in flat(mine)  # no pupil detail

    meeting_id = attending["data"]["meeting_id"]
    chair = await execute(
        post, card_action(fake.url, DANIEL, agenda.id, AGENDA_VIEW, {"meeting_id": meeting_id})
    )
    assert "COS-CANT1-" in flat(chair) and CHAIR_HEADING in texts(chair) and "Hannah Reid" not in texts(chair)
    assert nudge_buttons(chair)
    fake.assert_no_violations()
