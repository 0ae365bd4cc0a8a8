"""The one owner of notices, on a real database with the demo roster: tiers tried in order, a
fallback's own words and keys, people who cannot be reached, inactive people never told, and
telling twice queuing nothing new."""

from __future__ import annotations

from sqlmodel import col, select

from communities.clock import FixedClock
from communities.db import Database
from communities.messaging import notices
from communities.messaging.notices import (
    OFFICERS,
    CommunityChannel,
    Conversation,
    Notice,
    People,
    RoleHolders,
    Tier,
    Told,
)
from communities.messaging.outbox import DeliveryKind, Outbox, OutboxMessage, OutgoingMessage
from communities.messaging.teams_links import ChannelLink, PersonalChat
from communities.roster.directory import community_by_code
from communities.roster.roles import Role
from communities.roster.tables import Person
from tests.support.people import DANIEL, GRACE, HANNAH, PRIYA, personal_chat, profile_of

HELLO = OutgoingMessage(text="Hello")
PASS_IT_ON = OutgoingMessage(text="The chair cannot be reached: please pass this on.")


async def ids(db: Database, *emails: str) -> list[int]:
    return [(await profile_of(db, email)).person_id for email in emails]


async def chats(db: Database, clock: FixedClock, *emails: str) -> None:
    async with db.session() as session:
        for email, person_id in zip(emails, await ids(db, *emails), strict=True):
            session.add(personal_chat(person_id, email, clock.now()))
        await session.commit()


async def cant1(db: Database) -> int:
    async with db.session() as session:
        community = await community_by_code(session, "CANT1")
    assert community is not None and community.id is not None
    return community.id


async def tell(db: Database, clock: FixedClock, notice: Notice) -> Told:
    async with db.session() as session:
        told = await notices.tell(session, Outbox(clock), notice)
        await session.commit()
    return told


async def rows(db: Database) -> list[OutboxMessage]:
    async with db.session() as session:
        return list((await session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id)))).all())


async def chair_then_vice_then_officers(db: Database) -> Notice:
    community = await cant1(db)
    return Notice.to(
        RoleHolders((Role.CHAIR,), community),
        "test:1",
        HELLO,
        fallbacks=(
            Tier(RoleHolders((Role.VICE_CHAIR,), community)),
            Tier(OFFICERS, (PASS_IT_ON,), key_suffix="officer"),
        ),
    )


async def test_the_first_tier_that_can_be_reached_is_told_and_no_other(
    demo_db: Database, clock: FixedClock
) -> None:
    daniel, grace, priya = await ids(demo_db, DANIEL, GRACE, PRIYA)
    await chats(demo_db, clock, DANIEL, GRACE, PRIYA)
    told = await tell(demo_db, clock, await chair_then_vice_then_officers(demo_db))
    assert (told.people, told.tier, told.unreachable, told.fell_back) == ((daniel,), 0, (), False)
    assert told.text == "Hello"
    [row] = await rows(demo_db)
    assert (row.idempotency_key, row.kind, row.payload) == (
        f"test:1:{daniel}",
        DeliveryKind.SEND,
        {"text": "Hello"},
    )
    assert row.reference["conversation"]["id"] == f"a:{DANIEL}"
    assert grace and priya  # reachable, but not told: the chair was


async def test_a_fallback_tier_gets_its_own_words_and_key_and_the_unreachable_are_named(
    demo_db: Database, clock: FixedClock
) -> None:
    daniel, grace, priya = await ids(demo_db, DANIEL, GRACE, PRIYA)
    await chats(demo_db, clock, PRIYA)  # neither the chair nor the vice chair has opened a chat
    told = await tell(demo_db, clock, await chair_then_vice_then_officers(demo_db))
    assert (told.people, told.tier, told.unreachable) == ((priya,), 2, (daniel, grace))
    assert told.fell_back and told.text == PASS_IT_ON.text
    [row] = await rows(demo_db)
    assert row.idempotency_key == f"test:1:{priya}officer"
    assert row.payload == {"text": PASS_IT_ON.text}


async def test_the_vice_chair_when_the_chair_cannot_be_reached(demo_db: Database, clock: FixedClock) -> None:
    daniel, grace = await ids(demo_db, DANIEL, GRACE)
    await chats(demo_db, clock, GRACE, PRIYA)
    told = await tell(demo_db, clock, await chair_then_vice_then_officers(demo_db))
    assert (told.people, told.tier, told.unreachable, told.text) == ((grace,), 1, (daniel,), "Hello")


async def test_nobody_reachable_queues_nothing_and_says_who_could_not_be_reached(
    demo_db: Database, clock: FixedClock
) -> None:
    told = await tell(demo_db, clock, await chair_then_vice_then_officers(demo_db))
    assert not told.anyone and told.tier is None and told.people == () and told.rows == ()
    assert set(told.unreachable) == set(await ids(demo_db, DANIEL, GRACE, PRIYA))
    assert await rows(demo_db) == []


async def test_inactive_people_are_never_told_nor_counted_unreachable(
    demo_db: Database, clock: FixedClock
) -> None:
    daniel, hannah = await ids(demo_db, DANIEL, HANNAH)
    await chats(demo_db, clock, DANIEL, HANNAH)
    async with demo_db.session() as session:
        person = await session.get(Person, hannah)
        assert person is not None
        person.active = False
        session.add(person)
        await session.commit()
    told = await tell(demo_db, clock, Notice.to(People.of(hannah, daniel), "test:2", HELLO))
    assert (told.people, told.unreachable) == ((daniel,), ())
    only_hannah = await tell(demo_db, clock, Notice.to(People.of(hannah), "test:3", HELLO))
    assert not only_hannah.anyone and only_hannah.unreachable == ()
    assert [r.idempotency_key for r in await rows(demo_db)] == [f"test:2:{daniel}"]


async def test_telling_twice_queues_nothing_new(demo_db: Database, clock: FixedClock) -> None:
    await chats(demo_db, clock, DANIEL, GRACE, PRIYA)
    notice = Notice.to(RoleHolders((Role.CHAIR, Role.VICE_CHAIR), await cant1(demo_db)), "test:4", HELLO)
    first = await tell(demo_db, clock, notice)
    again = await tell(demo_db, clock, notice)
    assert first.people == again.people and len(first.people) == 2
    assert [r.id for r in again.rows] == [r.id for r in first.rows]
    assert len(await rows(demo_db)) == 2


async def test_parts_are_keyed_by_number_and_a_person_with_two_chats_is_told_once(
    demo_db: Database, clock: FixedClock
) -> None:
    [daniel] = await ids(demo_db, DANIEL)
    await chats(demo_db, clock, DANIEL)
    async with demo_db.session() as session:
        second = PersonalChat(
            teams_user_id="29:daniel-on-his-phone",
            person_id=daniel,
            service_url="https://smba.example/uk/",
            reference={"serviceUrl": "https://smba.example/uk/", "conversation": {"id": "a:second"}},
            updated_at=clock.now(),
        )
        session.add(second)
        await session.commit()
    parts = (OutgoingMessage(text="Part one"), OutgoingMessage(text="Part two"))
    told = await tell(demo_db, clock, Notice.to(People.of(daniel), "test:5", *parts))
    assert told.people == (daniel,) and len(told.rows) == 2
    assert [(r.idempotency_key, r.reference["conversation"]["id"]) for r in await rows(demo_db)] == [
        (f"test:5:{daniel}", f"a:{DANIEL}"),
        (f"test:5:{daniel}:part2", f"a:{DANIEL}"),
    ]


async def test_a_community_channel_gets_a_new_thread_when_it_is_linked(
    demo_db: Database, clock: FixedClock
) -> None:
    community = await cant1(demo_db)
    notice = Notice.to(CommunityChannel(community), "test:6", HELLO, batch_key="test")
    assert not (await tell(demo_db, clock, notice)).anyone  # no channel linked yet
    [priya] = await ids(demo_db, PRIYA)
    async with demo_db.session() as session:
        session.add(
            ChannelLink(
                community_id=community,
                team_id="19:team",
                channel_id="19:cant1@thread.tacv2",
                service_url="https://smba.example/uk/",
                reference={"serviceUrl": "https://smba.example/uk/", "conversation": {"id": "19:cant1"}},
                linked_by_person_id=priya,
                linked_at=clock.now(),
            )
        )
        await session.commit()
    told = await tell(demo_db, clock, notice)
    assert told.anyone and told.people == ()
    [row] = await rows(demo_db)
    assert (row.idempotency_key, row.kind, row.batch_key, row.conversation_key) == (
        "test:6",
        DeliveryKind.NEW_THREAD,
        "test",
        "19:cant1",
    )


async def test_a_conversation_and_a_notice_not_keyed_by_person_keep_their_key(
    demo_db: Database, clock: FixedClock
) -> None:
    [daniel] = await ids(demo_db, DANIEL)
    await chats(demo_db, clock, DANIEL)
    thread = {"serviceUrl": "https://smba.example/uk/", "conversation": {"id": "19:c;messageid=7"}}
    await tell(demo_db, clock, Notice.to(Conversation(thread), "reply:7", HELLO))
    await tell(demo_db, clock, Notice.to(People.of(daniel), "pressed:8", HELLO, keyed_by_person=False))
    assert [(r.idempotency_key, r.kind) for r in await rows(demo_db)] == [
        ("reply:7", DeliveryKind.SEND),
        ("pressed:8", DeliveryKind.SEND),
    ]
