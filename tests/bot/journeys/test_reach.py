"""Reach over HTTP through the real app: adding the bot to a team reads the team's members from the
(fake) connector and matches them to the roster; an officer's `reach` card then counts them; a
notice to a chair who never opened a chat starts one; others may not see the card."""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import select

from communities.clock import SystemClock
from communities.db import Database
from communities.messaging import notices
from communities.messaging.notices import People
from communities.messaging.outbox import Outbox, OutgoingMessage
from communities.reach.tables import TeamMember
from communities.roster.tables import Person
from tests.bot.conftest import Post
from tests.support.activities import (
    TEAM_ID,
    bot_added_to_team,
    chat_of,
    installation_update,
    personal_message,
    user,
)
from tests.support.fake_connector import FakeConnector, personal_chat_id
from tests.support.people import DANIEL as DANIEL_EMAIL

PRIYA = user(1, "Priya Shah")
DANIEL = user(2, "Daniel Okafor")
HANNAH = user(4, "Hannah Reid")


async def last_in(fake: FakeConnector, conversation_id: str) -> Any:
    return await fake.wait_for(lambda: (fake.activities(conversation_id) or [None])[-1])


async def test_an_install_reads_the_team_and_the_officer_sees_who_can_be_reached(
    fake: FakeConnector, post: Post, app_database_url: str
) -> None:
    fake.add_member(
        DANIEL["id"], name="Daniel Okafor", aad_object_id=DANIEL["aadObjectId"], conversation_id=TEAM_ID
    )
    fake.add_member(
        "29:user-77", name="Someone Else", email="someone@elsewhere.example", conversation_id=TEAM_ID
    )
    await post(bot_added_to_team(fake.url))
    await post(installation_update(fake.url))  # Teams' second install activity: read once is enough
    assert [r.operation for r in fake.requests if r.operation == "paged_members"] == ["paged_members"]
    database = Database(app_database_url)
    try:
        async with database.session() as session:
            members = {m.teams_user_id: m.person_id for m in (await session.exec(select(TeamMember))).all()}
            daniel = (await session.exec(select(Person).where(Person.email == DANIEL_EMAIL))).one()
        assert members == {DANIEL["id"]: daniel.id, "29:user-77": None}

        await post(personal_message(fake.url, PRIYA, "reach"))
        card = json.dumps((await last_in(fake, chat_of(PRIYA))).card)
        assert "Who the bot can reach" in card and "Canterbury City Community (CANT1): 1 of" in card
        assert "Hannah Reid" in card and "not in any team with the bot" in card
        assert "has not granted" in card

        # A notice for Daniel, who never wrote to the bot: the app's sender starts his chat.
        async with database.session() as session:
            told = await notices.tell(
                session,
                Outbox(SystemClock()),
                notices.Notice.to(
                    People.of(daniel.id), "journey:reach", OutgoingMessage(text="Hello Daniel")
                ),
            )
            await session.commit()
        assert told.people == (daniel.id,)
    finally:
        await database.dispose()
    message = await last_in(fake, personal_chat_id(DANIEL["id"]))  # the sender polls every second
    assert message.text == "Hello Daniel"
    fake.assert_no_violations()


async def test_someone_who_is_not_an_officer_is_refused_the_reach_card(
    fake: FakeConnector, post: Post
) -> None:
    await post(personal_message(fake.url, HANNAH, "reach"))
    answer = await last_in(fake, chat_of(HANNAH))
    flat = (answer.text or "") + json.dumps(answer.card)
    assert "Who the bot can reach" not in flat and "officer" in flat.lower()
