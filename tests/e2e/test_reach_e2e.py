"""Reach in the real Agents Playground, which serves the paged team-members API
(``GET /v3/conversations/{team}/pagedmembers``): once the bot is in the team (the officer opens a
channel), it reads the team's members and matches them to the roster, and the officer's `reach`
card counts CANT1's people in the team as reachable. MAID1's chair, in no team, is named with the
reason."""

from __future__ import annotations

import time

import pytest

from tests.e2e.playground import CHANNEL, E2E
from tests.e2e.test_playground import PRIYA

pytestmark = pytest.mark.e2e


def test_the_officer_sees_that_the_team_members_can_be_reached(e2e: E2E) -> None:
    ui = e2e.start(as_email=PRIYA)
    ui.wait_for_bot_message("Council officer")
    ui.open_channel(CHANNEL)  # the bot is added to the team and reads its members
    deadline = time.monotonic() + 20  # the team's welcome in General: the install has been handled
    while not ui.observer.bot_messages("Hello, Canterbury"):
        assert time.monotonic() < deadline, "the bot did not welcome the team"
        ui.page.wait_for_timeout(200)
    ui.open_personal_chat()
    ui.send("reach")
    card = ui.wait_for_bot_message("people in the roster")
    shown = card.inner_text()
    # Daniel, Grace and Hannah (CANT1) are members of the Playground's team; nobody else of CANT1 is.
    assert "Daniel Okafor" not in shown and "Hannah Reid" not in shown and "Grace Li" not in shown
    assert "Amara Bello" in shown and "not in any team with the bot" in shown
    assert "has not granted" in shown
