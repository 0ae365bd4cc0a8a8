from __future__ import annotations

from sqlmodel import select

from communities.clock import FixedClock
from communities.db import Database
from communities.messaging.installations import (
    TeamSeen,
    record_team_install,
    record_team_removal,
    remember_personal_chat,
)
from communities.messaging.outbox import DeliveryKind, Outbox, OutboxMessage, OutgoingMessage
from communities.messaging.teams_links import PersonalChat, TeamInstallation

TEAM = TeamSeen(
    team_id="19:team@thread.tacv2",
    name="Canterbury Community",
    aad_group_id="group",
    tenant_id="tenant",
    service_url="https://smba.example/uk/",
    general_reference={
        "serviceUrl": "https://smba.example/uk/",
        "conversation": {"id": "19:team@thread.tacv2"},
    },
)
WELCOME = OutgoingMessage(text="Hello")


async def install(db: Database, clock: FixedClock) -> None:
    async with db.session() as session:
        await record_team_install(session, clock, Outbox(clock), TEAM, WELCOME)
        await session.commit()


async def welcomes(db: Database) -> list[OutboxMessage]:
    async with db.session() as session:
        return list((await session.exec(select(OutboxMessage))).all())


async def test_an_install_greets_general_once_however_many_install_events_arrive(
    db: Database, clock: FixedClock
) -> None:
    for _ in range(3):  # installationUpdate + conversationUpdate, and Playground page reloads
        await install(db, clock)
    [welcome] = await welcomes(db)
    assert welcome.kind == DeliveryKind.NEW_THREAD
    assert welcome.conversation_key == "19:team@thread.tacv2"
    assert welcome.payload == {"text": "Hello"}


async def test_a_reinstall_after_removal_greets_again(db: Database, clock: FixedClock) -> None:
    await install(db, clock)
    async with db.session() as session:
        await record_team_removal(session, clock, TEAM.team_id)
        await session.commit()
    async with db.session() as session:
        row = (await session.exec(select(TeamInstallation))).one()
        assert not row.installed and row.removed_at == clock.now()
    await install(db, clock)
    assert [w.idempotency_key for w in await welcomes(db)] == [
        "welcome:19:team@thread.tacv2:1",
        "welcome:19:team@thread.tacv2:2",
    ]


async def test_the_personal_chat_reference_is_kept_current(db: Database, clock: FixedClock) -> None:
    ref = {"serviceUrl": "https://a/", "conversation": {"id": "a:1"}}
    for service_url, conversation in (("https://a/", "a:1"), ("https://b/", "a:2")):
        async with db.session() as session:
            await remember_personal_chat(
                session,
                clock,
                teams_user_id="29:u",
                aad_object_id="aad",
                person_id=None,
                tenant_id="t",
                service_url=service_url,
                reference={**ref, "serviceUrl": service_url, "conversation": {"id": conversation}},
            )
            await session.commit()
    async with db.session() as session:
        [row] = (await session.exec(select(PersonalChat))).all()
    assert row.service_url == "https://b/" and row.reference["conversation"]["id"] == "a:2"
