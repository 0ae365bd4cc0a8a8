"""Starting 1:1 chats on demand, against the fake Bot Connector and a real database with the demo
roster: a notice for a team member who never opened a chat starts one and is delivered there; the
chat is kept for next time; where Teams refuses (403 blocked, 404 gone) the row fails with the
reason, the reason is recorded and the notice's fallback is told; a 5xx is retried."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from bot.outbox.sender import OutboxSender
from bot.teams.connector import BotConnector
from bot.teams.members import TeamMembersSync
from communities.clock import FixedClock
from communities.db import Database
from communities.messaging import notices
from communities.messaging.notices import OFFICERS, Notice, People, Tier
from communities.messaging.outbox import Outbox, OutboxMessage, OutgoingMessage
from communities.messaging.teams_links import PersonalChat
from communities.reach.tables import ReachProblem, TeamMember, Unreachable
from tests.support.fake_connector import FakeConnector, Fault, personal_chat_id
from tests.support.people import DANIEL, PRIYA, aad_id, personal_chat, profile_of
from tests.support.reach import TEAM, TENANT, install_team, member_id

PASS_IT_ON = OutgoingMessage(text="Daniel cannot be reached: please pass this on.")


@pytest.fixture
async def team(
    demo_db: Database, clock: FixedClock, fake: FakeConnector, connector: BotConnector
) -> FakeConnector:
    """CANT1's team has the bot and lists Daniel; Priya (an officer) has a chat with the bot."""
    await install_team(demo_db, fake.url, clock.now())
    fake.add_member(
        member_id(DANIEL), name="Daniel Okafor", aad_object_id=aad_id(2), email=DANIEL, conversation_id=TEAM
    )
    priya = (await profile_of(demo_db, PRIYA)).person_id
    async with demo_db.session() as session:
        chat = personal_chat(priya, PRIYA, clock.now())
        chat.service_url = fake.url
        chat.reference = {"serviceUrl": fake.url, "conversation": {"id": f"a:{PRIYA}"}}
        session.add(chat)
        await session.commit()
    assert await TeamMembersSync(demo_db, clock, connector).sync_team(TEAM) is not None
    return fake


async def tell_daniel(db: Database, clock: FixedClock, key: str = "test:hello") -> None:
    daniel = (await profile_of(db, DANIEL)).person_id
    notice = Notice.to(
        People.of(daniel),
        key,
        OutgoingMessage(text="Your agenda is ready."),
        fallbacks=(Tier(OFFICERS, (PASS_IT_ON,), key_suffix="officer"),),
    )
    async with db.session() as session:
        told = await notices.tell(session, Outbox(clock), notice)
        await session.commit()
    assert told.people == (daniel,)


def sender(db: Database, clock: FixedClock, connector: BotConnector) -> OutboxSender:
    return OutboxSender(db, connector, clock, poll_seconds=0.05)


async def rows(db: Database) -> list[OutboxMessage]:
    async with db.session() as session:
        return list((await session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id)))).all())


async def test_a_notice_for_a_team_member_starts_their_chat_and_the_chat_is_kept(
    demo_db: Database, clock: FixedClock, team: FakeConnector, connector: BotConnector
) -> None:
    await tell_daniel(demo_db, clock)
    await sender(demo_db, clock, connector).drain()
    chat = personal_chat_id(member_id(DANIEL))
    assert [m.text for m in team.activities(chat)] == ["Your agenda is ready."]
    [create] = [r for r in team.requests if r.operation == "create_conversation"]
    assert create.body["isGroup"] is False and create.body["tenantId"] == TENANT
    assert create.body["members"] == [{"id": member_id(DANIEL)}]
    assert create.body["bot"]["id"] == "28:cosbot"
    async with demo_db.session() as session:
        kept = (
            await session.exec(select(PersonalChat).where(PersonalChat.teams_user_id == member_id(DANIEL)))
        ).one()
    assert kept.reference["conversation"]["id"] == chat and kept.tenant_id == TENANT

    await tell_daniel(demo_db, clock, "test:again")  # the next notice goes straight to the kept chat
    await sender(demo_db, clock, connector).drain()
    assert [m.text for m in team.activities(chat)] == ["Your agenda is ready."] * 2
    assert len([r for r in team.requests if r.operation == "create_conversation"]) == 1
    assert all(row.status == "sent" for row in await rows(demo_db))
    assert team.activities(f"a:{PRIYA}") == []  # the officers were never told
    team.assert_no_violations()


@pytest.mark.parametrize(
    ("status", "reason", "words"),
    [(403, Unreachable.BLOCKED, "the app is blocked"), (404, Unreachable.LEFT, "left the organisation")],
)
async def test_when_teams_refuses_the_chat_the_reason_is_recorded_and_the_fallback_is_told(
    demo_db: Database,
    clock: FixedClock,
    team: FakeConnector,
    connector: BotConnector,
    status: int,
    reason: Unreachable,
    words: str,
) -> None:
    team.fail(personal_chat_id(member_id(DANIEL)), Fault.error(status))
    await tell_daniel(demo_db, clock)
    await sender(demo_db, clock, connector).drain()
    first, fallback = await rows(demo_db)
    assert first.status == "failed" and words in (first.failure_reason or "")
    assert "fallback was told" in (first.failure_reason or "")
    assert fallback.status == "sent"
    assert [m.text for m in team.activities(f"a:{PRIYA}")] == [PASS_IT_ON.text]
    daniel = (await profile_of(demo_db, DANIEL)).person_id
    async with demo_db.session() as session:
        problem = (await session.exec(select(ReachProblem))).one()
        reach = await notices.reach_people(session, [daniel])
    assert (problem.person_id, problem.reason) == (daniel, reason)
    assert reach.unreachable == (daniel,)  # the next notice falls back at once, as before


async def test_a_server_error_starting_the_chat_is_retried(
    demo_db: Database, clock: FixedClock, team: FakeConnector, connector: BotConnector
) -> None:
    chat = personal_chat_id(member_id(DANIEL))
    team.script(chat, 503)
    await tell_daniel(demo_db, clock)
    outbox = sender(demo_db, clock, connector)
    await outbox.drain()  # the 503 is retried at the next free slot, in the same run
    [row] = await rows(demo_db)
    assert row.status == "sent" and row.attempts == 2
    assert [m.text for m in team.activities(chat)] == ["Your agenda is ready."]
    async with demo_db.session() as session:
        assert (await session.exec(select(ReachProblem))).first() is None


async def test_the_team_members_are_read_page_by_page(
    demo_db: Database, clock: FixedClock, fake: FakeConnector, connector: BotConnector
) -> None:
    await install_team(demo_db, fake.url, clock.now())
    for n in range(1203):
        fake.add_member(f"29:guest-{n}", conversation_id=TEAM)
    fake.add_member(member_id(DANIEL), email=DANIEL, conversation_id=TEAM)
    matched = await TeamMembersSync(demo_db, clock, connector).sync_team(TEAM)
    assert matched is not None and (matched.members, matched.matched) == (1204, 1)
    pages = [r for r in fake.requests if r.operation == "paged_members"]
    assert [r.query.get("continuationToken") for r in pages] == [None, "500", "1000"]
    async with demo_db.session() as session:
        assert len((await session.exec(select(TeamMember))).all()) == 1204


async def test_a_team_the_bot_cannot_read_changes_nothing(
    demo_db: Database, clock: FixedClock, fake: FakeConnector, connector: BotConnector
) -> None:
    await install_team(demo_db, fake.url, clock.now())
    fake.fail(TEAM, 403)
    assert await TeamMembersSync(demo_db, clock, connector).sync_team(TEAM) is None
