"""The Request Form in the real Playground: one card moves through the steps, and ends read-only."""

from __future__ import annotations

import pytest
from playwright.sync_api import Locator

from tests.e2e.playground import E2E, PlaygroundUI
from tests.e2e.test_playground import HANNAH, pick_option, tick, type_answer

REF = "COS-CANT1-26-001"


def save_and_continue(ui: PlaygroundUI, card: Locator, next_step: str) -> Locator:
    card.get_by_role("button", name="Save and continue").click()
    return ui.wait_for_bot_message(next_step)


@pytest.mark.e2e
def test_raising_a_pupil_request_leaves_at_most_three_messages(e2e: E2E) -> None:
    # Hannah Reid, SENCO at Westgate Meadow (CANT1), raises a request by typing `request`.
    ui = e2e.start(as_email=HANNAH)
    ui.wait_for_bot_message("Raise a request")
    before = ui.chat_messages.count()
    ui.send("request")

    card = ui.wait_for_bot_message("Step 1: What the request is for")
    ui.wait_for_text(f"I've started request {REF}")
    tick(card, "What is the request for?", "One pupil")
    card = save_and_continue(ui, card, "Step 2 of 6: About the pupil")
    type_answer(card, "Your school's pupil reference", "WM-2026-31")
    # Help opens on the card itself: what was typed stays, and nothing is posted.
    help_text = card.get_by_text("The community never needs the pupil's name")
    assert not help_text.is_visible()
    card.get_by_role("button", name="Help").click()
    help_text.wait_for(state="visible")
    pick_option(card, "Year group", "Year 3")
    pick_option(card, "Special educational needs (SEN) status", "SEN support")
    pick_option(card, "Primary area of need", "Cognition and learning")
    card = save_and_continue(ui, card, "Step 3 of 6: Needs and the graduated response")
    type_answer(card, "The needs in brief", "Reading well below age; loses track of instructions.")
    type_answer(card, "Assess-plan-do-review cycles completed", "2")
    type_answer(card, "What has been tried", "Daily precision teaching and a reading buddy.")
    type_answer(card, "What worked, and what did not", "Precision teaching helped a little.")
    card = save_and_continue(ui, card, "Step 4 of 6: What you hope for and ask for")
    type_answer(card, "The outcome you hope for", "A reading plan the class team can keep up.")
    tick(card, "Support asked for", "Advice", role="checkbox")
    card = save_and_continue(ui, card, "Step 5 of 6: Parents and carers")
    tick(card, "Have the parents or carers been told?", "Yes")
    tick(card, "Do they agree to the request being discussed", "Yes, they agree")
    card = save_and_continue(ui, card, "Step 6 of 6: Urgency")
    review = save_and_continue(ui, card, f"Check request {REF}")
    assert "WM-2026-31" in review.inner_text()
    review.get_by_role("button", name="Submit request").click()

    done = ui.wait_for_bot_message(f"Request {REF} submitted")
    assert done.locator(".ac-adaptiveCard").get_by_role("button").count() == 0, (
        "the submitted card has nothing left to press"
    )
    assert not ui.chat_messages_by().filter(has_text="Step 1: What the request is for").count(), (
        "an old step is still shown"
    )
    # Every press edited the one card: `request`, the card, and nothing else (at most 3 messages).
    added = ui.chat_texts()[before:]
    assert len(added) <= 3, "\n---\n".join(added)
    updates = [e for e in ui.observer.bot_messages(REF) if e.action == "updateMessage"]
    assert len(updates) >= 7  # six steps and the review, then the outcome
    e2e.assert_bot_healthy()


@pytest.mark.e2e
def test_a_typed_command_answers_below_and_the_old_card_has_nothing_left_to_press(e2e: E2E) -> None:
    ui = e2e.start(as_email=HANNAH)
    ui.wait_for_bot_message("Raise a request")
    ui.send("request")
    card = ui.wait_for_bot_message("Step 1: What the request is for")
    tick(card, "What is the request for?", "One pupil")
    save_and_continue(ui, card, "Step 2 of 6: About the pupil")

    ui.send("back")
    ui.wait_for_bot_message("This card is out of date")
    old = ui.chat_messages_by().filter(has_text="This card is out of date")
    assert old.count() == 1 and old.locator(".ac-adaptiveCard").get_by_role("button").count() == 0
    card = ui.wait_for_bot_message("Step 1 of 6: What the request is for")
    assert card.get_by_role("radio", name="One pupil").is_checked()  # the answer given is kept

    ui.send("cancel")
    stopped = ui.wait_for_bot_message("Stopped: the draft is saved.")
    assert stopped.locator(".ac-adaptiveCard").get_by_role("button").count() == 0
    ui.wait_for_bot_message("Stopped. Your draft")
    e2e.assert_bot_healthy()
