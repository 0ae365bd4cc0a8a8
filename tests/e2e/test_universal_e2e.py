"""Universal Actions in the real Agents Playground: the meeting-reminder card's RSVP buttons are
Action.Execute, which the Playground sends as ``adaptiveCard/action`` invokes; the bot's answer
replaces the card for the person who pressed it with their own view.

Daniel Okafor (the chair of CANT1) adds a meeting whose reminder the scheduler posts at once (as in
``test_agenda_e2e``), presses "Attending" on the reminder in the channel and sees his own answer
on the card, and, as the chair, who has not answered yet with a Nudge button; he nudges them.
"""

from __future__ import annotations

from time import monotonic

import pytest

from bot.cli import playground as pgconfig
from cards.meetings.rsvp import CHAIR_HEADING, NUDGE_TITLE
from communities.clock import SystemClock
from communities.meetings.tables import LONDON
from tests.e2e.playground import CHANNEL, DEFAULT_TIMEOUT, E2E
from tests.e2e.test_agenda_e2e import (
    CANT1_SCHOOLS,
    CODE,
    COMMUNITY,
    channel_post,
    fill_in_a_new_meeting,
    link_the_channel,
    reminder_slot,
    wait_for_counts,
)
from tests.e2e.test_playground import DANIEL


@pytest.mark.e2e
def test_the_chair_answers_with_action_execute_and_sees_his_own_view_with_a_nudge(e2e: E2E) -> None:
    now = SystemClock().now()
    slot = reminder_slot(now)
    if slot is None:  # from Friday 15:00 to Monday 03:00 no school day's meeting has a reminder due
        pytest.skip(f"E2E_TIMELINE leaves no reminder due at {now.astimezone(LONDON):%a %H:%M} London")
    ui = e2e.start(as_email=DANIEL)
    ui.wait_for_bot_message("Community chair")
    link_the_channel(ui)

    card = fill_in_a_new_meeting(ui, slot)
    card.get_by_role("button", name="Add the meeting", exact=True).click()
    ui.wait_for_bot_message(f"Added a meeting for {CODE}: {slot.when}.")

    ui.open_channel(CHANNEL)
    heading = f"{slot.label}: {COMMUNITY} meeting"
    post = channel_post(ui, heading, timeout=30 + slot.seconds_to_wait())
    post.get_by_role("button", name="Attending", exact=True).click()

    # The invoke's answer replaces the card for him; then the bot edits the shared card for everyone
    # (new counts). Teams would then refresh the card for each listed user; the Playground does not
    # refresh cards, so it shows the shared card again.
    wait_for_counts(ui, post, {"Attending": "1", "Schools represented": f"1 of {CANT1_SCHOOLS}"})
    ui.wait_for_stream(heading, count=2, conversation=pgconfig.CHANNEL_ID)  # posted, then edited
    deadline = monotonic() + DEFAULT_TIMEOUT
    while "Your answer" in post.inner_text() and monotonic() < deadline:
        ui.page.wait_for_timeout(100)
    # Pressing again (the same answer) changes nothing shared: the invoke's answer, his own view, stays.
    post.get_by_role("button", name="Attending", exact=True).click()
    ui.wait_for_text("Your answer: Attending", within=post)
    shown = post.inner_text()
    assert CHAIR_HEADING in shown and "Grace Li" in shown, shown  # the chair's view: who has not answered
    assert "Daniel Okafor" not in shown.split(CHAIR_HEADING, 1)[1], shown  # he has answered

    # He nudges them: the bot answers with the card again, saying what it did.
    post.get_by_role("button", name=NUDGE_TITLE, exact=True).click()
    ui.wait_for_text("Nudge sent:", within=post)
    assert ui.posts.filter(has_text=heading).count() == 1, "the card changed in place: still one post"
    replies = [e.text[:200] for e in ui.observer.bot_messages(conversation=pgconfig.CHANNEL_ID)]
    assert not [r for r in replies if "Sorry" in r], f"the bot refused: {replies}"
    e2e.assert_bot_healthy()
