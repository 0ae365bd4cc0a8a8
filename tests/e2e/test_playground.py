"""The bot in the real Agents Playground, used through its web UI as a person would."""

from __future__ import annotations

import re
from typing import Literal

import pytest
from playwright.sync_api import Locator

from bot.cli import playground as pgconfig
from tests.e2e.playground import BOT_NAME, CHANNEL, E2E, GENERAL, PlaygroundUI

PRIYA = "priya.shah@kent-demo.example.org"
DANIEL = "daniel.okafor@westgate-demo.example.org"
HANNAH = "hannah.reid@westgate-demo.example.org"
JO = "jo.visitor@elsewhere.example.org"
GRACE = "grace.li@stdunstans-demo.example.org"


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


# -- filling in Adaptive Cards as a person would (input ids are not in the DOM: labels are) -------------


def type_answer(card: Locator, label: str, text: str) -> None:
    """Click the Input.Text (or Input.Number) labelled ``label`` and type ``text`` (fill() is lost)."""
    field = card.get_by_label(label)
    field.click()
    field.press_sequentially(text, delay=2)


def pick_option(card: Locator, label: str, option: str) -> None:
    """Open the compact Input.ChoiceSet labelled ``label`` (a combobox) and pick ``option``."""
    card.get_by_role("combobox", name=label).click()
    card.page.get_by_role("option", name=option, exact=True).click()


def tick(card: Locator, label: str, choice: str, role: Literal["radio", "checkbox"] = "radio") -> None:
    """Tick ``choice`` of the expanded Input.ChoiceSet labelled ``label``: a radio (single choice) or a
    checkbox (isMultiSelect). A checkbox's accessible name is "<set label> <choice>", a radio's just
    "<choice>", so look only inside the set's field and match the end of the name."""
    field = card.locator("label", has_text=label).locator("xpath=..")
    field.get_by_role(role, name=re.compile(rf"(^|\s){re.escape(choice)}$")).check()


def save_and_continue(ui: PlaygroundUI, card: Locator, next_step: str) -> Locator:
    card.get_by_role("button", name="Save and continue").click()
    return ui.wait_for_bot_message(next_step)


@pytest.mark.e2e
def test_a_school_leader_raises_and_submits_a_request_and_the_chair_is_told(e2e: E2E) -> None:
    # Daniel, the chair of CANT1, has his Teams open (and so a chat with the bot) ...
    daniel = e2e.start(as_email=DANIEL)
    daniel.wait_for_bot_message("Community chair")
    # ... while Grace Li, school leader at St Dunstan's (CANT1), raises a request in hers.
    ui = e2e.open_other_client(GRACE)
    menu = ui.wait_for_bot_message("Raise a request")

    menu.get_by_role("button", name="Raise a request").click()

    card = ui.wait_for_bot_message("Step 1: What the request is for")
    ui.wait_for_text("I've started request COS-CANT1-26-001")
    tick(card, "What is the request for?", "One pupil")
    card = save_and_continue(ui, card, "Step 2 of 6: About the pupil")
    type_answer(card, "Your school's pupil reference", "SD-2026-14")
    pick_option(card, "Year group", "Year 4")
    pick_option(card, "Special educational needs (SEN) status", "SEN support")
    pick_option(card, "Primary area of need", "Communication and interaction")
    card = save_and_continue(ui, card, "Step 3 of 6: Needs and the graduated response")
    type_answer(card, "The needs in brief", "Speech is hard to follow; finds group work difficult.")
    type_answer(card, "Assess-plan-do-review cycles completed", "2")
    type_answer(card, "What has been tried", "Small-group language sessions twice a week.")
    type_answer(card, "What worked, and what did not", "Visual timetables helped; sessions alone did not.")
    card = save_and_continue(ui, card, "Step 4 of 6: What you hope for and ask for")
    type_answer(card, "The outcome you hope for", "A language plan the class team can run.")
    tick(card, "Support asked for", "Advice", role="checkbox")  # a multi-select ChoiceSet: checkboxes
    tick(card, "Support asked for", "Training", role="checkbox")
    card = save_and_continue(ui, card, "Step 5 of 6: Parents and carers")
    tick(card, "Have the parents or carers been told?", "Yes")
    tick(card, "Do they agree to the request being discussed", "Yes, they agree")
    card = save_and_continue(ui, card, "Step 6 of 6: Urgency")
    assert card.get_by_role("radio", name="Standard (next meeting)").is_checked()  # the default
    review = save_and_continue(ui, card, "Check request COS-CANT1-26-001")

    shown = review.inner_text()
    for answer in (
        "One pupil",
        "SD-2026-14",
        "Year 4",
        "SEN support",
        "Communication and interaction",
        "Small-group language sessions twice a week.",
        "Advice, Training",  # both ticked boxes reached the bot
        "Yes, they agree",
        "Standard (next meeting)",
    ):
        assert answer in shown, f"{answer!r} not on the review card:\n{shown}"
    review.get_by_role("button", name="Submit request").click()

    done = ui.wait_for_bot_message("Request COS-CANT1-26-001 submitted")
    assert "Daniel Okafor (community chair)" in done.inner_text()
    # The chair's DM shows in Daniel's own personal chat, with no pupil-level detail.
    dm = daniel.wait_for_bot_message("has submitted request COS-CANT1-26-001 (one pupil)", timeout=30)
    assert "St Dunstan's" in dm.inner_text()
    [event] = daniel.observer.bot_messages("has submitted request COS-CANT1-")
    assert event.conversation_id == daniel.personal_chat_id
    assert "SD-2026-14" not in event.text and "Speech" not in event.text
    # Grace is the vice chair of CANT1, so she is told in her own chat as well.
    ui.wait_for_bot_message("has submitted request COS-CANT1-26-001")
    e2e.assert_bot_healthy()
