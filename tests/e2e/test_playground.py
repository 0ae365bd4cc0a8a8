"""The bot in the real Agents Playground, used through its web UI as a person would."""

from __future__ import annotations

import pytest

from bot import playground as pgconfig

from .playground import BOT_NAME, CHANNEL, E2E, GENERAL

PRIYA = "priya.shah@kent-demo.example.org"
DANIEL = "daniel.okafor@westgate-demo.example.org"
HANNAH = "hannah.reid@westgate-demo.example.org"
JO = "jo.visitor@elsewhere.example.org"


@pytest.mark.e2e
def test_personal_chat_menu_for_an_officer(e2e: E2E) -> None:
    ui = e2e.start(as_email=PRIYA)

    card = ui.wait_for_bot_message("Council officer")
    assert "Priya Shah" in card.inner_text()
    assert card.locator(".ac-adaptiveCard").count() == 1
    e2e.assert_bot_healthy()


@pytest.mark.e2e
def test_personal_chat_menu_for_a_chair_and_help_shows_it_again(e2e: E2E) -> None:
    ui = e2e.start(as_email=DANIEL)

    card = ui.wait_for_bot_message("Community chair")
    text = card.inner_text()
    for expected in ("Daniel Okafor", "Canterbury City Community", "Westgate Meadow Primary School"):
        assert expected in text
    shown = len(ui.observer.bot_messages("Community chair"))

    ui.send("help")

    again = ui.wait_for_bot_message("Community chair", count=shown + 1)
    assert "Westgate Meadow Primary School" in again.inner_text()
    assert again.locator(".ac-adaptiveCard").count() == 1
    texts = ui.chat_texts()
    asked = max(i for i, t in enumerate(texts) if t.rstrip().endswith("help"))
    assert any("Community chair" in t for t in texts[asked + 1 :]), texts  # the answer follows the question
    e2e.assert_bot_healthy()


@pytest.mark.e2e
def test_a_visitor_is_told_they_are_not_registered(e2e: E2E) -> None:
    ui = e2e.start(as_email=JO)

    ui.wait_for_bot_message("You are not registered with the Communities of Schools bot")
    assert not ui.observer.bot_messages("Council officer")
    e2e.assert_bot_healthy()


@pytest.mark.e2e
def test_installing_in_a_team_posts_a_welcome_in_general(e2e: E2E) -> None:
    ui = e2e.start(as_email=PRIYA)
    ui.wait_for_stream("Council officer")  # the personal chat is set up first

    ui.open_channel(GENERAL)

    # A new post (not a reply), from the bot's outbox: give it a few seconds.
    post = ui.wait_for_bot_message("link", timeout=30)
    assert BOT_NAME in post.inner_text()
    [event] = ui.observer.bot_messages("link", conversation=pgconfig.TEAM_ID)
    assert event.conversation_id == pgconfig.TEAM_ID  # created as a new post of General (its id = the team's)
    assert event.thread_id.startswith(pgconfig.TEAM_ID + ";messageid="), event.thread_id
    e2e.assert_bot_healthy()


@pytest.mark.e2e
def test_linking_a_channel_needs_the_chair_or_an_officer(e2e: E2E) -> None:
    ui = e2e.start(as_email=HANNAH)
    ui.open_channel(CHANNEL)

    post = ui.new_post("link CANT1")  # "@CoS Bot link CANT1", the mention picked from the typeahead

    refused = "Only a council officer or the chair of CANT1"
    refusal = ui.wait_for_text(refused, within=post)
    assert "is now the channel of" not in refusal.inner_text()
    [event] = ui.observer.bot_messages(refused)
    reply_in_thread = pgconfig.CHANNEL_ID + ";messageid="
    assert event.conversation_id.startswith(reply_in_thread), event.conversation_id
    e2e.assert_bot_healthy()

    ui = e2e.switch_user(DANIEL)
    ui.open_channel(CHANNEL)

    post = ui.new_post("link CANT1")

    linked = "is now the channel of Canterbury City Community (CANT1)"
    ui.wait_for_stream(linked)
    reply = ui.wait_for_text(linked, within=post)
    assert "link CANT1" in reply.inner_text()  # the reply is in the thread of Daniel's post
    [event] = ui.observer.bot_messages(linked)
    assert event.conversation_id.startswith(reply_in_thread), event.conversation_id
    e2e.assert_bot_healthy()


@pytest.mark.e2e
def test_a_menu_button_starts_find_a_community(e2e: E2E) -> None:
    ui = e2e.start(as_email=HANNAH)
    card = ui.wait_for_bot_message("SENCO")

    card.get_by_role("button", name="Find a community").click()  # an Action.Submit from the real renderer

    ui.wait_for_bot_message("Which community?")
    ui.send("thanet")
    found = ui.wait_for_bot_message("Thanet Coast Community (THAN2)")
    assert "Ramsgate Cliffs Primary Academy" in found.inner_text()
    e2e.assert_bot_healthy()
