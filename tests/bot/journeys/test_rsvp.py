"""RSVP buttons pressed on the meeting-reminder card in a channel; the chair's quorum DM.

The HTTP tests go through the real app: the reminder card is posted by the outbox as the
scheduler posts it, a member presses a button in the channel, and the card is replaced in place
at the fake Bot Connector. The last tests call the bot-side functions on a database directly.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import col, select

from bot.app import SERVICES
from bot.services import Services
from cards.meetings.rsvp import reminder_post
from communities.clock import FixedClock
from communities.db import Database
from communities.meetings import rsvp
from communities.meetings.quorum import QuorumCheck, notify_if_not_quorate
from communities.meetings.reminder_posts import (
    refresh_reminder_cards,
    reminder_key_prefix,
    reminder_message,
    reminder_posts,
)
from communities.meetings.rsvp import Rsvp, RsvpAnswer
from communities.meetings.service import MeetingTimes, schedule
from communities.meetings.tables import MeetingOffsets
from communities.messaging import installations
from communities.messaging.outbox import DeliveryKind, Outbox, OutboxMessage, OutboxStatus
from communities.messaging.teams_links import ChannelLink
from communities.roster.directory import PersonProfile, community_by_code
from dialogs.meetings import rsvp_buttons
from scheduler import jobs
from tests.bot.conftest import Post
from tests.communities.messaging.test_channel_linking import channel, link
from tests.support.activities import CHANNEL_ID, channel_message, user
from tests.support.fake_connector import FakeConnector, PostedActivity
from tests.support.meetings import add_meeting
from tests.support.people import DANIEL as DANIEL_EMAIL
from tests.support.people import GRACE as GRACE_EMAIL
from tests.support.people import HANNAH as HANNAH_EMAIL
from tests.support.people import PRIYA as PRIYA_EMAIL
from tests.support.people import profile_of

DANIEL = user(2, "Daniel Okafor")
HANNAH = user(4, "Hannah Reid")
TOM = user(5, "Tom Walsh")  # chair of THAN2: registered, but not a member of CANT1
STRANGER = user(99, "Jo Visitor")  # not in the roster at all


@pytest.fixture
async def app_database_url(app_database_url: str) -> str:
    """The migrated database, plus the rsvp table until its Alembic migration is generated."""
    engine = create_async_engine(app_database_url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(lambda sync: Rsvp.__table__.create(sync, checkfirst=True))  # type: ignore[attr-defined]
    finally:
        await engine.dispose()
    return app_database_url


def services_of(client: TestClient[Any, Any]) -> Services:
    assert client.app is not None
    services: Services = client.app[SERVICES]
    return services


def flat(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def counts(card: dict[str, Any] | None) -> dict[str, str]:
    assert card is not None
    return {f["title"]: f["value"] for e in card["body"] if e["type"] == "FactSet" for f in e["facts"]}


async def post_reminder(
    client: TestClient[Any, Any], fake: FakeConnector, post: Post
) -> tuple[int, PostedActivity]:
    """Link CANT1's channel, schedule a meeting tomorrow, and post its reminder as the scheduler does."""
    link = channel_message(fake.url, DANIEL, "link CANT1")
    await post(link)
    await fake.wait_for(lambda: fake.activities(link["conversation"]["id"]))
    services = services_of(client)
    officer = await profile_of(services.database, PRIYA_EMAIL)
    starts = (services.clock.now() + timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
    async with services.database.session() as session:
        community = await community_by_code(session, "CANT1")
        assert community is not None
        meeting = await schedule(
            session,
            services.clock,
            officer,
            community,
            MeetingTimes(starts, starts + timedelta(minutes=90)),
            location=None,
            online=True,
            offsets=MeetingOffsets(),
        )
        assert meeting.id is not None
        channel = (
            await session.exec(select(ChannelLink).where(ChannelLink.community_id == community.id))
        ).one()
        message = await reminder_message(session, meeting.id, services.clock.now(), reminder_post)
        assert message is not None
        await services.outbox.new_thread(
            session,
            key=f"{reminder_key_prefix(meeting.id)}_day_before:{meeting.sequence}",
            channel_reference=channel.reference,
            message=message,
        )
        meeting_id = meeting.id
        await session.commit()
    services.outbox.wake()
    card = await fake.wait_for(
        lambda: next((a for a in fake.activities(CHANNEL_ID) if "Will you be there?" in flat(a.card)), None)
    )
    assert card is not None
    return meeting_id, card


def press(fake: FakeConnector, sender: dict[str, Any], card: PostedActivity, answer: str) -> dict[str, Any]:
    """What Teams posts when someone presses a button on the card: a message in its thread, no text."""
    [button] = [a for a in (card.card or {})["actions"] if a["data"]["answer"] == answer]
    activity = channel_message(fake.url, sender, "", root=card.id)
    del activity["text"], activity["entities"]
    activity["value"] = button["data"]
    activity["replyToId"] = card.id
    return activity


async def test_a_member_presses_attending_and_the_card_updates_in_place(
    client: TestClient[Any, Any], fake: FakeConnector, post: Post
) -> None:
    meeting_id, card = await post_reminder(client, fake, post)
    assert counts(card.card)["Attending"] == "0"
    assert "Quorum: not met yet: needs the chair or vice chair and 2 of 4 schools" in flat(card.card)

    await post(press(fake, HANNAH, card, "attending"))
    await fake.wait_for(lambda: card.updates == 1)
    assert counts(card.card)["Attending"] == "1" and counts(card.card)["Schools represented"] == "1 of 4"

    await post(press(fake, DANIEL, card, "colleague"))
    await fake.wait_for(lambda: card.updates == 2)
    assert counts(card.card)["Attending"] == "1" and counts(card.card)["Sending a colleague"] == "1"

    await post(press(fake, DANIEL, card, "colleague"))  # the same answer again: nothing new to show
    await post(press(fake, DANIEL, card, "attending"))
    await fake.wait_for(lambda: card.updates == 3)
    assert counts(card.card)["Attending"] == "2" and counts(card.card)["Sending a colleague"] == "0"
    assert "Quorum: not met yet" in flat(card.card)  # two people, one school

    # The card is the same message (the thread root), edited; the bot said nothing in the thread.
    assert fake.threads(CHANNEL_ID) == [f"{CHANNEL_ID};messageid={card.id}"]
    assert [a for a in fake.activities(f"{CHANNEL_ID};messageid={card.id}") if a.id != card.id] == []
    assert "Hannah" not in flat(card.history) and "Daniel" not in flat(card.history)
    assert (await updates_in_outbox(client, meeting_id)) == 3
    fake.assert_no_violations()


async def test_strangers_and_other_communities_are_refused_in_the_thread(
    client: TestClient[Any, Any], fake: FakeConnector, post: Post
) -> None:
    meeting_id, card = await post_reminder(client, fake, post)
    thread = f"{CHANNEL_ID};messageid={card.id}"
    for who in (STRANGER, TOM):
        await post(press(fake, who, card, "attending"))

    def replies() -> list[str | None]:
        return [a.text for a in fake.activities(thread) if a.id != card.id]

    await fake.wait_for(lambda: len(replies()) == 2)
    assert replies() == [rsvp.NOT_A_MEMBER, rsvp.NOT_A_MEMBER]
    assert card.updates == 0
    services = services_of(client)
    async with services.database.session() as session:
        assert (await session.exec(select(Rsvp).where(Rsvp.meeting_id == meeting_id))).all() == []


async def test_a_forged_button_is_refused_without_touching_anything(
    client: TestClient[Any, Any], fake: FakeConnector, post: Post
) -> None:
    _, card = await post_reminder(client, fake, post)
    thread = f"{CHANNEL_ID};messageid={card.id}"
    forged = press(fake, HANNAH, card, "attending")
    forged["value"] = {"action": "rsvp", "meeting_id": "not a number", "answer": "maybe"}
    await post(forged)
    reply = await fake.wait_for(lambda: next((a for a in fake.activities(thread) if a.id != card.id), None))
    assert reply is not None and reply.text == rsvp_buttons.UNREADABLE
    assert card.updates == 0


async def updates_in_outbox(client: TestClient[Any, Any], meeting_id: int) -> int:
    services = services_of(client)
    async with services.database.session() as session:
        rows = (
            await session.exec(
                select(OutboxMessage).where(
                    col(OutboxMessage.idempotency_key).startswith(f"rsvp:{meeting_id}:")
                )
            )
        ).all()
    assert all(r.kind == DeliveryKind.UPDATE and r.status == OutboxStatus.SENT for r in rows)
    return len(rows)


# ---- the bot-side functions on a database ------------------------------------------------------


CHANNEL_REF = {
    "serviceUrl": "https://smba.example/uk/",
    "channelId": "msteams",
    "conversation": {"id": "19:c"},
}


async def tomorrow(db: Database, clock: FixedClock) -> int:
    return await add_meeting(db, clock, "CANT1", "2026-11-24 16:00")


async def answer(
    db: Database, clock: FixedClock, meeting_id: int, who: PersonProfile, choice: RsvpAnswer
) -> int:
    """Answer and queue the card updates in one transaction, as a button press does."""
    outbox = Outbox(clock)
    async with db.session() as session:
        await rsvp.answer(session, clock, meeting_id, who, choice)
        queued = await refresh_reminder_cards(session, clock, outbox, meeting_id, reminder_post)
        await session.commit()
    return queued


async def test_updates_follow_each_change_even_back_to_an_earlier_count(
    demo_db: Database, clock: FixedClock
) -> None:
    meeting_id = await tomorrow(demo_db, clock)
    hannah = await profile_of(demo_db, HANNAH_EMAIL)
    assert await answer(demo_db, clock, meeting_id, hannah, RsvpAnswer.ATTENDING) == 0  # no card posted yet
    async with demo_db.session() as session:
        message = await reminder_message(session, meeting_id, clock.now(), reminder_post)
        assert message is not None and "Tomorrow: " in flat(message.card)
        for when in ("day_before", "morning"):
            await Outbox(clock).new_thread(
                session,
                key=f"timeline:{meeting_id}:meeting_reminder_{when}:1",
                channel_reference=CHANNEL_REF,
                message=message,
            )
        await Outbox(clock).new_thread(  # another meeting's reminder, and something else of this one
            session,
            key=f"timeline:{meeting_id}1:meeting_reminder_morning:1",
            channel_reference=CHANNEL_REF,
            message=message,
        )
        await Outbox(clock).new_thread(
            session,
            key=f"timeline:{meeting_id}:requests_open:1",
            channel_reference=CHANNEL_REF,
            message=message,
        )
        await session.commit()
        assert len(await reminder_posts(session, meeting_id)) == 2

    assert (
        await answer(demo_db, clock, meeting_id, hannah, RsvpAnswer.ATTENDING) == 0
    )  # the cards say so already
    assert await answer(demo_db, clock, meeting_id, hannah, RsvpAnswer.APOLOGIES) == 2  # both cards
    assert await answer(demo_db, clock, meeting_id, hannah, RsvpAnswer.APOLOGIES) == 0
    assert (
        await answer(demo_db, clock, meeting_id, hannah, RsvpAnswer.ATTENDING) == 2
    )  # back to "1 attending"
    async with demo_db.session() as session:
        updates = (
            await session.exec(
                select(OutboxMessage)
                .where(OutboxMessage.kind == DeliveryKind.UPDATE)
                .order_by(col(OutboxMessage.id))
            )
        ).all()
    assert len(updates) == 4 and len({u.idempotency_key for u in updates}) == 4
    assert [counts(u.payload["attachments"][0]["content"])["Attending"] for u in updates] == [
        "0",
        "0",
        "1",
        "1",
    ]


async def test_the_scheduler_posts_the_rsvp_card_where_a_press_finds_it(
    demo_db: Database, clock: FixedClock
) -> None:
    meeting_id = await tomorrow(demo_db, clock)  # 24 Nov 16:00; the clock is 23 Nov 09:30, after 09:00
    await link(demo_db, clock, DANIEL_EMAIL, "CANT1", channel())
    hannah = await profile_of(demo_db, HANNAH_EMAIL)
    await answer(demo_db, clock, meeting_id, hannah, RsvpAnswer.COLLEAGUE)  # before the card is posted
    runtime = jobs.Runtime(database=demo_db, clock=clock, outbox=Outbox(clock))
    jobs.install(runtime)
    try:
        assert await jobs.meeting_reminder_day_before(meeting_id) == 1
    finally:
        jobs.uninstall(runtime)
    async with demo_db.session() as session:
        [posted] = await reminder_posts(session, meeting_id)
    assert posted.idempotency_key == f"timeline:{meeting_id}:meeting_reminder_day_before:1"
    card = posted.payload["attachments"][0]["content"]
    assert card["body"][0]["text"] == "Tomorrow: Canterbury City Community (CANT1) meeting"
    assert counts(card)["Sending a colleague"] == "1"  # the answers so far
    assert await answer(demo_db, clock, meeting_id, hannah, RsvpAnswer.ATTENDING) == 1


async def chat_for(db: Database, clock: FixedClock, email: str, n: int) -> None:
    who = await profile_of(db, email)
    async with db.session() as session:
        await installations.remember_personal_chat(
            session,
            clock,
            teams_user_id=f"29:user-{n}",
            aad_object_id=None,
            person_id=who.person_id,
            tenant_id="tenant",
            service_url="https://smba.example/uk/",
            reference={"serviceUrl": "https://smba.example/uk/", "conversation": {"id": f"a:chat-{n}"}},
        )
        await session.commit()


async def check(db: Database, clock: FixedClock, meeting_id: int) -> QuorumCheck | None:
    async with db.session() as session:
        result = await notify_if_not_quorate(session, clock, Outbox(clock), meeting_id)
        await session.commit()
    return result


async def checked(db: Database, clock: FixedClock, meeting_id: int) -> QuorumCheck:
    result = await check(db, clock, meeting_id)
    assert result is not None
    return result


async def dms(db: Database) -> list[OutboxMessage]:
    async with db.session() as session:
        return list(
            (
                await session.exec(
                    select(OutboxMessage).where(col(OutboxMessage.idempotency_key).startswith("quorum:"))
                )
            ).all()
        )


async def test_the_chair_is_told_once_when_quorum_is_not_met(demo_db: Database, clock: FixedClock) -> None:
    meeting_id = await tomorrow(demo_db, clock)
    await chat_for(demo_db, clock, DANIEL_EMAIL, 2)
    await chat_for(demo_db, clock, GRACE_EMAIL, 3)
    hannah, daniel = await profile_of(demo_db, HANNAH_EMAIL), await profile_of(demo_db, DANIEL_EMAIL)
    await answer(demo_db, clock, meeting_id, hannah, RsvpAnswer.ATTENDING)

    first = await checked(demo_db, clock, meeting_id)
    again = await checked(demo_db, clock, meeting_id)  # the job ran twice
    assert first.told == (daniel.person_id,) and again.told == (daniel.person_id,)
    [dm] = await dms(demo_db)
    assert dm.idempotency_key == f"quorum:{meeting_id}:1:{daniel.person_id}"
    assert dm.reference["conversation"]["id"] == "a:chat-2"
    text = dm.payload["text"]
    assert text.startswith("Quorum is not met yet for the Canterbury City Community (CANT1) meeting on ")
    assert "it needs the chair or vice chair and 2 of 4 schools" in text
    assert "1 attending" in text and "1 of 4 schools represented" in text
    assert "Not represented yet: Harbledown Park Academy, St Dunstan's" in text


async def test_no_dm_when_quorate_the_vice_chair_when_the_chair_cannot_be_reached(
    demo_db: Database, clock: FixedClock
) -> None:
    meeting_id = await tomorrow(demo_db, clock)
    assert (await checked(demo_db, clock, meeting_id)).unreachable  # nobody has a chat with the bot
    await chat_for(demo_db, clock, GRACE_EMAIL, 3)
    grace = await profile_of(demo_db, GRACE_EMAIL)
    assert (await checked(demo_db, clock, meeting_id)).told == (grace.person_id,)

    daniel = await profile_of(demo_db, DANIEL_EMAIL)
    await answer(demo_db, clock, meeting_id, daniel, RsvpAnswer.ATTENDING)
    await answer(demo_db, clock, meeting_id, grace, RsvpAnswer.COLLEAGUE)
    quorate = await checked(demo_db, clock, meeting_id)
    assert quorate.tally.quorate and quorate.told == ()
    assert len(await dms(demo_db)) == 1  # only Grace's, from before

    clock.advance(days=2)
    assert await check(demo_db, clock, meeting_id) is None  # the meeting is over
