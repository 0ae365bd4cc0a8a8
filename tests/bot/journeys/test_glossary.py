"""The glossary through the real app: `glossary` typed in the personal chat answers with its card."""

from __future__ import annotations

import json

from tests.bot.conftest import Post
from tests.bot.journeys.test_requests import DANIEL, HANNAH, last_card, turn
from tests.support.fake_connector import FakeConnector


async def test_anyone_registered_gets_the_glossary_card(fake: FakeConnector, post: Post) -> None:
    for person in (HANNAH, DANIEL):
        card = last_card(await turn(fake, post, person, "glossary"))
        shown = json.dumps(card, ensure_ascii=False)
        assert "Words the bot uses" in shown and "special educational needs coordinator" in shown
