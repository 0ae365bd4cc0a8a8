"""Whole turns through the real app: HTTP in, replies out at the fake connector."""

from __future__ import annotations

import json
from typing import Any

from aiohttp.test_utils import TestClient, TestServer
from sqlmodel import select

from bot.app import create_app
from bot.config import Settings
from communities.db import Database
from communities.roster.tables import Person
from tests.bot.conftest import Post
from tests.support.activities import (
    CHANNEL_ID,
    TEAM_ID,
    bot_added_to_personal_chat,
    bot_added_to_team,
    channel_message,
    chat_of,
    installation_update,
    personal_message,
    submit_data,
    user,
)
from tests.support.fake_connector import FakeConnector, Fault
from tests.support.people import CHAIR_MENU_ACTIONS

PRIYA = user(1, "Priya Shah")
DANIEL = user(2, "Daniel Okafor")
HANNAH = user(4, "Hannah Reid")
STRANGER = user(99, "Jo Visitor")


async def last_in(fake: FakeConnector, conversation_id: str) -> Any:
    return await fake.wait_for(lambda: (fake.activities(conversation_id) or [None])[-1])


async def test_help_shows_a_chair_their_menu_card(fake: FakeConnector, post: Post) -> None:
    await post(personal_message(fake.url, DANIEL, "help"))
    reply = await last_in(fake, chat_of(DANIEL))
    flat = json.dumps(reply.card)
    assert "Daniel Okafor" in flat and "Community chair" in flat
    assert "Canterbury City Community (CANT1)" in flat and "Westgate Meadow Primary School" in flat
    assert [data["action"] for data in submit_data(reply.card)] == CHAIR_MENU_ACTIONS
    fake.assert_no_violations()


async def test_anything_not_understood_is_said_and_help_gets_the_menu(
    fake: FakeConnector, post: Post
) -> None:
    await post(personal_message(fake.url, HANNAH, "what can you do for me"))
    answer = json.dumps((await last_in(fake, chat_of(HANNAH))).card, ensure_ascii=False)
    assert "Sorry, I didn't understand “what can you do for me”." in answer and "`help`" in answer
    await post(personal_message(fake.url, HANNAH, "help"))
    reply = await last_in(fake, chat_of(HANNAH))
    assert "Hannah Reid" in json.dumps(reply.card) and "SENCO" in json.dumps(reply.card)
    chair_rows = [f for f in reply.card["body"][2]["facts"] if f["title"] == "Chair"]
    assert chair_rows == [{"title": "Chair", "value": "Daniel Okafor"}]


async def test_opening_the_chat_greets_with_the_menu(fake: FakeConnector, post: Post) -> None:
    await post(bot_added_to_personal_chat(fake.url, PRIYA))
    reply = await last_in(fake, chat_of(PRIYA))
    assert "Council officer" in json.dumps(reply.card)


async def test_a_stranger_is_told_they_are_not_registered_and_whom_to_ask(
    fake: FakeConnector, post: Post
) -> None:
    await post(personal_message(fake.url, STRANGER, "help"))
    reply = await last_in(fake, chat_of(STRANGER))
    assert "You are not registered with the Communities of Schools bot" in reply.text
    assert "localitymodel@kent.gov.uk" in reply.text and "Priya Shah" in reply.text


async def test_a_person_without_an_entra_id_is_matched_by_email_and_remembered(
    fake: FakeConnector, post: Post, settings: Settings
) -> None:
    amara = user(42, "Amara Bello")
    fake.add_member(amara["id"], name="Amara Bello", email="Amara.Bello@maidstone-demo.example.org")
    await post(personal_message(fake.url, amara, "help"))
    reply = await last_in(fake, chat_of(amara))
    assert "Maidstone Town Community (MAID1)" in json.dumps(reply.card)
    database = Database(settings.database_url)
    async with database.session() as session:
        person = (await session.exec(select(Person).where(Person.display_name == "Amara Bello"))).one()
    await database.dispose()
    assert person.aad_object_id == amara["aadObjectId"]


def texts(fake: FakeConnector, conversation_id: str) -> list[str]:
    return [a.text for a in fake.activities(conversation_id) if a.text]


async def test_a_forged_card_submit_is_refused_by_role(fake: FakeConnector, post: Post) -> None:
    await post(personal_message(fake.url, HANNAH, value={"action": "channel_status"}))
    await last_in(fake, chat_of(HANNAH))
    [refusal] = texts(fake, chat_of(HANNAH))
    assert refusal.startswith("Sorry:") and "only for a council officer" in refusal
    assert all("Community channels" not in json.dumps(a.card) for a in fake.activities(chat_of(HANNAH)))
    await post(personal_message(fake.url, HANNAH, value={"action": "drop_tables"}))
    await fake.wait_for(lambda: len(texts(fake, chat_of(HANNAH))) == 2)
    assert "I don't know that action" in texts(fake, chat_of(HANNAH))[-1]


async def test_an_officer_sees_which_communities_have_a_channel(fake: FakeConnector, post: Post) -> None:
    await post(personal_message(fake.url, PRIYA, value={"action": "channel_status"}))
    card = (await last_in(fake, chat_of(PRIYA))).card
    assert "Communities with a linked channel: 0 of 3" in json.dumps(card)


async def test_adding_the_bot_to_a_team_greets_general_once(fake: FakeConnector, post: Post) -> None:
    await post(installation_update(fake.url))
    await post(bot_added_to_team(fake.url))
    welcome = await fake.wait_for(lambda: fake.activities(TEAM_ID))
    assert len(fake.threads(TEAM_ID)) == 1
    assert "Hello, Canterbury Community!" in json.dumps(welcome[0].card)
    assert "link COMMUNITY-CODE" in json.dumps(welcome[0].card)
    await post(bot_added_to_team(fake.url))  # a page reload in the Playground
    assert len(fake.activities(TEAM_ID)) == 1


async def test_the_chair_links_a_channel_and_the_thread_gets_the_confirmation(
    fake: FakeConnector, post: Post
) -> None:
    command = channel_message(fake.url, DANIEL, "link cant1")
    await post(command)
    thread = command["conversation"]["id"]
    reply = await last_in(fake, thread)
    assert "is now the channel of Canterbury City Community (CANT1)" in reply.text

    await post(personal_message(fake.url, PRIYA, value={"action": "channel_status"}))
    status = json.dumps((await last_in(fake, chat_of(PRIYA))).card)
    assert "Communities with a linked channel: 1 of 3" in status


async def test_a_senco_is_refused_politely_in_the_thread(fake: FakeConnector, post: Post) -> None:
    command = channel_message(fake.url, HANNAH, "link CANT1")
    await post(command)
    reply = await last_in(fake, command["conversation"]["id"])
    assert "Only a council officer or the chair of CANT1" in reply.text


async def test_other_channel_messages_get_short_help(fake: FakeConnector, post: Post) -> None:
    command = channel_message(fake.url, DANIEL, "what's on the agenda?")
    await post(command)
    assert "link COMMUNITY-CODE" in (await last_in(fake, command["conversation"]["id"])).text


async def test_find_a_community_asks_then_shows_it(fake: FakeConnector, post: Post) -> None:
    await post(personal_message(fake.url, HANNAH, value={"action": "find_community"}))
    assert "Which community?" in (await last_in(fake, chat_of(HANNAH))).text
    await post(personal_message(fake.url, HANNAH, "zzz"))
    assert "couldn't find a community matching" in (await last_in(fake, chat_of(HANNAH))).text
    await post(personal_message(fake.url, HANNAH, "thanet"))
    card = json.dumps((await last_in(fake, chat_of(HANNAH))).card)
    assert "Thanet Coast Community (THAN2)" in card and "Ramsgate Cliffs Primary Academy" in card
    assert "Tom Walsh" in card


async def test_cancel_leaves_the_dialog(fake: FakeConnector, post: Post) -> None:
    await post(personal_message(fake.url, HANNAH, "find"))
    await post(personal_message(fake.url, HANNAH, "cancel"))
    assert "Cancelled" in (await last_in(fake, chat_of(HANNAH))).text
    await post(personal_message(fake.url, HANNAH, "thanet"))
    # Not the dialog: a word it is not waiting for any more.
    assert "didn't understand “thanet”" in json.dumps(
        (await last_in(fake, chat_of(HANNAH))).card, ensure_ascii=False
    )


async def test_a_dialog_in_progress_survives_a_restart(fake: FakeConnector, settings: Settings) -> None:
    async with TestClient(TestServer(create_app(settings))) as first:
        await first.post("/api/messages", json=personal_message(fake.url, HANNAH, "find"))
    assert "Which community?" in (await last_in(fake, chat_of(HANNAH))).text
    async with TestClient(TestServer(create_app(settings))) as second:
        await second.post("/api/messages", json=personal_message(fake.url, HANNAH, "MAID1"))
    card = json.dumps((await last_in(fake, chat_of(HANNAH))).card)
    assert "Maidstone Town Community (MAID1)" in card


async def test_a_failing_reply_is_logged_not_a_server_error(
    fake: FakeConnector, client: TestClient[Any, Any]
) -> None:
    fake.fail(chat_of(DANIEL), Fault.error(403, "BotDisabled"))
    response = await client.post("/api/messages", json=personal_message(fake.url, DANIEL, "help"))
    assert response.status == 201
    assert "Traceback" not in await response.text()


async def test_a_link_confirmation_waits_in_the_outbox_through_throttling(
    fake: FakeConnector, post: Post
) -> None:
    command = channel_message(fake.url, DANIEL, "link CANT1", channel_id=CHANNEL_ID)
    thread = command["conversation"]["id"]
    fake.script(thread, Fault.throttle(0.2), 502)
    await post(command)
    reply = await fake.wait_for(lambda: fake.activities(thread), timeout=10)
    assert "is now the channel of" in reply[-1].text
    fake.assert_no_violations()


async def test_install_events_arriving_together_greet_once(
    fake: FakeConnector, client: TestClient[Any, Any]
) -> None:
    import asyncio

    responses = await asyncio.gather(
        client.post("/api/messages", json=installation_update(fake.url)),
        client.post("/api/messages", json=bot_added_to_team(fake.url)),
        client.post("/api/messages", json=bot_added_to_personal_chat(fake.url, PRIYA)),
        client.post("/api/messages", json=personal_message(fake.url, PRIYA, "help")),
    )
    assert [r.status for r in responses] == [200, 200, 200, 201]
    await fake.wait_for(lambda: fake.activities(TEAM_ID))
    await asyncio.sleep(0.3)
    assert len(fake.threads(TEAM_ID)) == 1


async def test_many_people_at_once_each_get_their_menu(
    fake: FakeConnector, client: TestClient[Any, Any]
) -> None:
    """More concurrent turns than the database pool has connections (a turn once held two)."""
    import asyncio

    people = [user(n, f"Person {n}") for n in (1, 2, 3, 4, 5)]
    senders = [{**people[i % 5], "id": f"29:device-{i}"} for i in range(30)]
    responses = await asyncio.gather(
        *(client.post("/api/messages", json=personal_message(fake.url, s, "help")) for s in senders)
    )
    assert all(r.status == 201 for r in responses)
    for sender in senders:
        [reply] = fake.activities(chat_of(sender))
        assert reply.card is not None and "Signed in as" in json.dumps(reply.card)


async def test_find_with_several_matches_lets_the_person_pick(fake: FakeConnector, post: Post) -> None:
    await post(personal_message(fake.url, HANNAH, "find community"))
    question = (await last_in(fake, chat_of(HANNAH))).text
    assert "3 communities match" in question and "THAN2" in question
    await post(personal_message(fake.url, HANNAH, "MAID1"))
    card = json.dumps((await last_in(fake, chat_of(HANNAH))).card)
    assert "Maidstone Town Community (MAID1)" in card and "Loose Valley High School" in card
