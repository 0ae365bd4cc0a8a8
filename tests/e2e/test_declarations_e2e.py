"""Declarations of interest in the real Agents Playground, used through its web UI as a person would.

A SENCO accepts the Code of Conduct and declares an interest through the cards; her chair, in his own
Teams, sees her among those who have confirmed this year, and a member who has done nothing among those
who have not.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Locator

from communities.academic_year import academic_year_label, academic_year_of
from communities.clock import SystemClock
from tests.e2e.playground import E2E, PlaygroundUI
from tests.e2e.test_playground import DANIEL, HANNAH, PRIYA, pick_option, type_answer

#: Harbledown Park Academy's trust (communities/demo/schools.csv).
TRUST = "Stour Valley Learning Trust"
DESCRIPTION = "Governor at Harbledown Park Academy since 2024"


def accept_the_code_of_conduct(ui: PlaygroundUI) -> None:
    # The Playground shows a message's text and its card as two messages.
    ui.wait_for_bot_message("please read and accept the Code of Conduct")
    code = ui.wait_for_bot_message("Communities of Schools: Code of Conduct")
    code.get_by_role("button", name="I accept").click()
    ui.wait_for_bot_message("You accepted the Code of Conduct")


def confirmed_and_not(card: Locator) -> tuple[str, str]:
    """The compliance card's text: the "Confirmed" part, and the "Not yet confirmed" part."""
    shown = card.inner_text()
    confirmed, _, not_confirmed = shown.partition("Not yet confirmed")
    assert not_confirmed, f"no “Not yet confirmed” section on the card:\n{shown}"
    return confirmed, not_confirmed


@pytest.mark.e2e
def test_a_senco_declares_an_interest_and_her_chair_sees_she_has_confirmed(e2e: E2E) -> None:
    this_year = academic_year_label(academic_year_of(SystemClock().now()))
    ui = e2e.start(as_email=HANNAH)
    ui.wait_for_bot_message("SENCO")

    ui.send("declare")

    accept_the_code_of_conduct(ui)
    register = ui.wait_for_bot_message(f"Your declarations of interest, {this_year}")
    assert f"Not yet confirmed for {this_year}" in register.inner_text()
    assert "You have no interests in force on your register." in register.inner_text()
    register.get_by_role("button", name="Add an interest").click()

    form = ui.wait_for_bot_message("What kind of interest?")  # ("Declare an interest" is on the menu too)
    pick_option(form, "What kind of interest?", "A governance role")
    # The school picker is Teams' typeahead search (Data.Query); the Playground (0.2.28) renders it but its
    # renderer has no channel adapter to send the search, so the search itself is tested over HTTP
    # (tests/bot/journeys/test_school_search.py). Here the interest names the trust instead.
    assert form.get_by_role("combobox", name="The related school, if any").is_visible()
    type_answer(form, "The related trust, if any", TRUST)
    pick_option(form, "Is it pecuniary: does money change hands?", "No")
    type_answer(form, "Describe the interest", DESCRIPTION)
    form.get_by_role("button", name="Save").click()

    recorded = ui.wait_for_bot_message("Recorded: you declared a governance role")
    assert "It is on your register." in recorded.inner_text()
    shown = ui.wait_for_bot_message(f"Your declarations of interest, {this_year}", count=2).inner_text()
    for expected in (
        f"Confirmed for {this_year}: Interests as registered",
        "Interests in force",
        f"A governance role ({TRUST}), no money changes hands: {DESCRIPTION}",
    ):
        assert expected in shown, f"{expected!r} not on the register card:\n{shown}"

    # Daniel, the chair of CANT1 (Hannah's community), opens his own Teams and asks who has confirmed.
    daniel = e2e.open_other_client(DANIEL)
    daniel.wait_for_bot_message("Community chair")

    daniel.send("compliance")

    accept_the_code_of_conduct(daniel)  # the compliance view waits for the Code of Conduct too
    card = daniel.wait_for_bot_message("Declarations of interest: Canterbury City Community (CANT1)")
    assert f"Academic year {this_year}: 1 of 3 members confirmed." in card.inner_text()
    confirmed, not_confirmed = confirmed_and_not(card)
    assert "Hannah Reid" in confirmed and "Interests as registered (1 in force)" in confirmed
    assert "SENCO, Westgate Meadow Primary School" in confirmed
    # Grace Li (vice chair, school leader at St Dunstan's) has done nothing: not confirmed. Nor has Daniel.
    assert "Grace Li" in not_confirmed and "Grace Li" not in confirmed
    assert "Daniel Okafor" in not_confirmed
    assert "Hannah Reid" not in not_confirmed
    assert DESCRIPTION not in card.inner_text()  # who has confirmed, not what they declared
    e2e.assert_bot_healthy()


@pytest.mark.e2e
def test_an_officer_gets_one_summary_and_opens_a_community_from_it(e2e: E2E) -> None:
    ui = e2e.start(as_email=PRIYA)
    ui.wait_for_bot_message("Council officer")

    ui.send("compliance")

    accept_the_code_of_conduct(ui)
    summary = ui.wait_for_bot_message("Declarations of interest by community")
    shown = summary.inner_text()
    for community in (
        "Canterbury City Community (CANT1)",
        "Maidstone Town Community (MAID1)",
        "Thanet Coast Community (THAN2)",
    ):
        assert community in shown, f"{community!r} not on the summary card:\n{shown}"
    assert "Canterbury City Community (CANT1): 0 of 3 confirmed, 3 not confirmed" in shown
    # One card for every community, not one card per community (each of those is headed "...: <name>").
    assert len(ui.observer.bot_messages("Declarations of interest by community")) == 1
    assert ui.observer.bot_messages("Declarations of interest: ") == []

    summary.get_by_role("button", name="Open THAN2").click()

    detail = ui.wait_for_bot_message("Declarations of interest: Thanet Coast Community (THAN2)")
    _, not_confirmed = confirmed_and_not(detail)
    assert "Tom Walsh" in not_confirmed
    e2e.assert_bot_healthy()
