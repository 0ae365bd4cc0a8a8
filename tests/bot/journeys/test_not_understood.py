"""Typed text that no command answers, through the real app: what was not understood, the likely next
steps for the role, and a privacy warning for a pupil's details, which are neither kept nor logged."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings
from communities.db import Database
from communities.permissions import menu_for
from dialogs.not_understood import likely_actions
from tests.bot.conftest import Post
from tests.bot.journeys.test_request_triage import DANIEL, HANNAH, PRIYA, said
from tests.support.activities import channel_message, personal_message
from tests.support.fake_connector import FakeConnector
from tests.support.people import HANNAH as HANNAH_EMAIL
from tests.support.people import profile_of


def buttons(card: dict[str, Any]) -> list[str]:
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "Action.Submit":
                found.append(node["data"]["action"])
            for child in node.values():
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(card)
    return found


async def test_nonsense_gets_an_answer_and_the_likely_actions_for_the_role(
    fake: FakeConnector, post: Post
) -> None:
    await post(personal_message(fake.url, HANNAH, "asdf qwerty"))
    answer = (await said(fake, HANNAH, 1))[-1].card
    assert answer is not None
    shown = json.dumps(answer, ensure_ascii=False)
    assert "Sorry, I didn't understand “asdf qwerty”." in shown and "`help`" in shown
    assert buttons(answer) == ["raise_request", "my_requests", "meetings"]
    assert "Signed in as" not in shown  # not the whole menu

    await post(personal_message(fake.url, PRIYA, "when is the next meeting?"))
    officer = (await said(fake, PRIYA, 1))[-1].card
    assert buttons(officer) == ["meetings", "requests_queue", "broadcast_dates"]

    await post(personal_message(fake.url, DANIEL, "blah"))
    assert buttons((await said(fake, DANIEL, 1))[-1].card) == ["requests_queue", "agenda", "meetings"]

    await post(personal_message(fake.url, HANNAH, "help"))  # help is still the whole menu
    assert "Signed in as" in json.dumps((await said(fake, HANNAH, 2))[-1].card)


async def test_a_pupils_details_get_a_privacy_warning_and_are_neither_kept_nor_logged(
    fake: FakeConnector, post: Post, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    typed = "Jack Wilkinson DOB 14/03/2016 UPN A123456789012 needs help with reading"
    await post(personal_message(fake.url, HANNAH, typed))
    answer = (await said(fake, HANNAH, 1))[-1]
    shown = json.dumps(answer.activity, ensure_ascii=False)
    assert "Please don't write a pupil's details in this chat" in shown
    assert "a date that looks like a date of birth and what looks like a UPN" in shown
    assert "I have not kept it" in shown and "raise_request" in buttons(answer.card or {})
    await post(personal_message(fake.url, HANNAH, "help"))  # the first turn's state is saved by now
    await said(fake, HANNAH, 2)
    for secret in ("Wilkinson", "14/03/2016", "A123456789012"):
        assert secret not in shown  # not quoted back
        assert secret not in caplog.text
        for stored in Path(settings.database_url.split("///", 1)[1]).parent.glob("bot.db*"):
            assert secret.encode() not in stored.read_bytes(), stored.name


async def test_a_pupils_details_in_a_channel_get_a_warning_not_the_help_line(
    fake: FakeConnector, post: Post
) -> None:
    activity = channel_message(fake.url, HANNAH, "Jack Wilkinson born 14/03/2016 is struggling")
    await post(activity)
    [reply] = await fake.wait_for(lambda: fake.activities(activity["conversation"]["id"]) or None)
    assert (reply.text or "").startswith("Please don't write a pupil's details in a channel")
    assert "Wilkinson" not in (reply.text or "") and "14/03/2016" not in (reply.text or "")


async def test_words_point_to_actions_by_their_start_only(demo_db: Database) -> None:
    hannah = await profile_of(demo_db, HANNAH_EMAIL)
    keys = [c.key for c in likely_actions(hannah, menu_for(hannah), "a whole-school update")]
    assert keys == ["raise_request", "my_requests", "meetings"]  # not "who" in "whole" nor "date" in "update"
    keys = [c.key for c in likely_actions(hannah, menu_for(hannah), "who chairs our community?")]
    assert keys[0] == "find_community"
