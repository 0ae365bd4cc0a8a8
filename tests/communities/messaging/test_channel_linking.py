from __future__ import annotations

from typing import Any

from sqlmodel import select

from communities.audit import AuditEvent
from communities.clock import FixedClock
from communities.db import Database
from communities.messaging.channel_linking import ChannelSeen, link_channel, unlink_channel
from communities.messaging.outbox import DeliveryKind, Outbox, OutboxMessage
from communities.messaging.teams_links import ChannelLink
from tests.support.people import DANIEL, GRACE, HANNAH, PRIYA, TOM, profile_of

SERVICE = "https://smba.example/uk/"


def channel(channel_id: str = "19:chan-a@thread.tacv2", message_id: str = "m1") -> ChannelSeen:
    ref: dict[str, Any] = {"serviceUrl": SERVICE, "channelId": "msteams", "conversation": {"id": channel_id}}
    thread = {**ref, "conversation": {"id": f"{channel_id};messageid={message_id}"}}
    return ChannelSeen(
        team_id="19:team@thread.tacv2",
        channel_id=channel_id,
        channel_name="Community channel",
        service_url=SERVICE,
        tenant_id="tenant",
        channel_reference=ref,
        thread_reference=thread,
        message_id=message_id,
    )


async def link(db: Database, clock: FixedClock, email: str, code: str, seen: ChannelSeen) -> Any:
    actor = await profile_of(db, email)
    async with db.session() as session:
        outcome = await link_channel(session, clock, Outbox(clock), actor, code, seen)
        await session.commit()
    return outcome


async def links(db: Database) -> list[ChannelLink]:
    async with db.session() as session:
        return list((await session.exec(select(ChannelLink))).all())


async def outbox_rows(db: Database) -> list[OutboxMessage]:
    async with db.session() as session:
        return list((await session.exec(select(OutboxMessage))).all())


async def test_the_chair_links_their_community_and_the_confirmation_goes_to_the_thread(
    demo_db: Database, clock: FixedClock
) -> None:
    outcome = await link(demo_db, clock, DANIEL, "cant1", channel())
    assert outcome.changed and outcome.reply is None
    [row] = await links(demo_db)
    assert row.channel_id == "19:chan-a@thread.tacv2"
    assert row.reference["conversation"]["id"] == "19:chan-a@thread.tacv2"
    [message] = await outbox_rows(demo_db)
    assert message.kind == DeliveryKind.SEND
    assert message.reference["conversation"]["id"] == "19:chan-a@thread.tacv2;messageid=m1"
    assert "is now the channel of Canterbury City Community (CANT1)" in message.payload["text"]
    async with demo_db.session() as session:
        [event] = (await session.exec(select(AuditEvent).where(AuditEvent.action == "channel_linked"))).all()
    assert (event.action, event.entity_id) == ("channel_linked", "CANT1")


async def test_an_officer_may_link_any_community(demo_db: Database, clock: FixedClock) -> None:
    assert (await link(demo_db, clock, PRIYA, "THAN2", channel())).changed


async def test_others_are_refused_with_the_reason_and_nothing_changes(
    demo_db: Database, clock: FixedClock
) -> None:
    senco = await link(demo_db, clock, HANNAH, "CANT1", channel())
    vice = await link(demo_db, clock, GRACE, "CANT1", channel())
    other_chair = await link(demo_db, clock, TOM, "CANT1", channel())
    for outcome in (senco, vice, other_chair):
        assert not outcome.changed
        assert "Only a council officer or the chair of CANT1" in outcome.reply
    assert senco.reply.startswith("Sorry, Hannah Reid")
    assert await links(demo_db) == [] and await outbox_rows(demo_db) == []


async def test_an_unknown_code_is_named_in_the_answer(demo_db: Database, clock: FixedClock) -> None:
    outcome = await link(demo_db, clock, PRIYA, "NOPE9", channel())
    assert not outcome.changed and "NOPE9" in outcome.reply


async def test_a_redelivered_command_confirms_once(demo_db: Database, clock: FixedClock) -> None:
    await link(demo_db, clock, DANIEL, "CANT1", channel())
    again = await link(demo_db, clock, DANIEL, "CANT1", channel())
    assert not again.changed and "already the channel of Canterbury City Community" in again.reply
    assert len(await outbox_rows(demo_db)) == 1


async def test_relinking_moves_the_community_to_the_new_channel(demo_db: Database, clock: FixedClock) -> None:
    await link(demo_db, clock, DANIEL, "CANT1", channel("19:old@thread.tacv2", "m1"))
    outcome = await link(demo_db, clock, DANIEL, "CANT1", channel("19:new@thread.tacv2", "m2"))
    assert outcome.changed
    [row] = await links(demo_db)
    assert row.channel_id == "19:new@thread.tacv2"
    assert "It was “Community channel” before" in (await outbox_rows(demo_db))[-1].payload["text"]


async def test_a_channel_serves_one_community_until_unlinked(demo_db: Database, clock: FixedClock) -> None:
    await link(demo_db, clock, DANIEL, "CANT1", channel())
    taken = await link(demo_db, clock, PRIYA, "THAN2", channel(message_id="m2"))
    assert not taken.changed and "already the channel of Canterbury City Community (CANT1)" in taken.reply

    refused = await unlink_ids(demo_db, clock, TOM)
    assert not refused.changed and "Only a council officer or the chair of CANT1" in refused.reply
    done = await unlink_ids(demo_db, clock, DANIEL)
    assert done.changed and await links(demo_db) == []
    assert (await link(demo_db, clock, PRIYA, "THAN2", channel(message_id="m3"))).changed


async def unlink_ids(db: Database, clock: FixedClock, email: str) -> Any:
    actor = await profile_of(db, email)
    async with db.session() as session:
        outcome = await unlink_channel(session, clock, actor, "19:chan-a@thread.tacv2")
        await session.commit()
    return outcome
