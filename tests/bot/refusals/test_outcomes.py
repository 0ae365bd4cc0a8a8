"""Every button of the outcomes cards, pressed (forged, forwarded or stale) by someone who may not
record them, changes nothing but the refusal's audit row: another community's chair, a SENCO, someone
not in the roster, in a chat and in a channel; and the chair whose own school raised the request
may not save its outcome."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import create_app
from bot.config import Settings
from communities.clock import FixedClock
from communities.db import Database
from communities.outcomes.recording import save_outcome
from tests.bot.conftest import Post
from tests.bot.journeys.test_agendas import button, latest_message, pressed
from tests.bot.refusals.test_every_button import (
    changes,
    database_path,
    in_a_channel,
    refusals,
    settled,
    snapshot,
)
from tests.support.activities import chat_of, personal_message, user
from tests.support.fake_connector import FakeConnector
from tests.support.outcomes import as_person, held_meeting, person_id, rulings_for_westgate, support_agreed
from tests.support.people import DANIEL as DANIEL_EMAIL
from tests.support.people import GRACE as GRACE_EMAIL
from tests.support.people import HANNAH as HANNAH_EMAIL

DANIEL = user(2, "Daniel Okafor")  # chair of CANT1; Westgate's leader: flagged on its requests
GRACE = user(3, "Grace Li")  # vice chair of CANT1: may record
HANNAH = user(4, "Hannah Reid")  # SENCO at Westgate
TOM = user(5, "Tom Walsh")  # chair of THAN2
JO = user(6, "Jo Visitor")  # not in the roster


@pytest.fixture
async def client(settings: Settings, clock: FixedClock) -> AsyncIterator[TestClient[Any, Any]]:
    async with TestClient(TestServer(create_app(settings, clock=clock))) as test_client:
        yield test_client


async def seed(settings: Settings, clock: FixedClock) -> tuple[int, list[int], dict[str, int]]:
    """Two items on the held meeting's agenda, the first with a draft outcome."""
    database = Database(settings.database_url)
    try:
        held = await held_meeting(database, clock, 2)
        rulings = await rulings_for_westgate(database)
        first = held.request_ids[0]
        await as_person(
            database,
            GRACE_EMAIL,
            lambda s, a: save_outcome(s, clock, a, held.meeting_id, first, support_agreed(rulings)),
        )
        ids = {e: await person_id(database, e) for e in (DANIEL_EMAIL, HANNAH_EMAIL)}
        return held.meeting_id, held.request_ids, ids
    finally:
        await database.dispose()


async def test_outcome_buttons_pressed_by_someone_who_may_not_change_nothing(
    fake: FakeConnector, post: Post, settings: Settings, clock: FixedClock
) -> None:
    meeting_id, (first, second), ids = await seed(settings, clock)
    # The vice chair's cards, harvested as they are shown to her.
    await post(personal_message(fake.url, GRACE, "outcomes"))
    card = await latest_message(fake, chat_of(GRACE), "Outcomes: Canterbury City Community (CANT1)")
    hub = card.card
    await asyncio.sleep(0.3)
    await post(pressed(fake, GRACE, card, button(hub, "Change")))
    item = fake.activity(card.id).card
    entry = {
        "decision": "not_agreed",
        "rationale": "Forged.",
        f"ruling_{ids[DANIEL_EMAIL]}": "no_conflict",
        f"ruling_{ids[HANNAH_EMAIL]}": "no_conflict",
    }
    presses: list[dict[str, Any]] = [
        button(hub, "Attendance"),
        {
            "action": "outcomes_attendance_save",
            "meeting_id": meeting_id,
            f"attendance_{ids[DANIEL_EMAIL]}": "absent",
        },
        button(hub, "Record"),
        {**button(item, "Save this outcome"), **entry},
        {
            "action": "outcome_save",
            "meeting_id": meeting_id,
            "request_id": second,
            **entry,
            "keep_wording": True,
        },
        {
            "action": "outcome_review_save",
            "meeting_id": meeting_id,
            "request_id": first,
            "result": "achieved",
        },
        {"action": "outcomes_confirm", "meeting_id": meeting_id},
        {"action": "outcomes_confirm_yes", "meeting_id": meeting_id},
        {"action": "outcomes_open", "meeting_id": meeting_id},
    ]
    forged: list[tuple[dict[str, Any], dict[str, Any]]] = [(p, d) for p in (TOM, HANNAH, JO) for d in presses]
    forged += [(DANIEL, {**button(item, "Save this outcome"), **entry})]  # his own school's request

    for person in (TOM, HANNAH, JO, DANIEL):  # each has a chat with the bot already
        await post(personal_message(fake.url, person, "help"))
    path = database_path(settings)
    before = await settled(path)
    problems: list[str] = []
    audited: list[str] = []
    for n, (person, data) in enumerate(forged):
        for where in ("chat", "channel"):
            if where == "chat":
                activity = personal_message(fake.url, person, value=data)
                activity["conversation"]["id"] = f"a:outcomes-replay-{n}"  # Teams' per-chat limit
            else:
                activity = in_a_channel(fake, person, data, 1000 + n)
            await post(activity)
            after = snapshot(path)
            problems += [
                f"{person['name']} pressed {data} in a {where}: {c}"
                for c in changes(before, after)
                if c != "audited outcome_save_refused_conflict"  # a refusal, by the conflict rules
            ]
            audited += refusals(before, after)
            before = after
    assert problems == [], "\n".join(problems[:10])
    assert {"outcome_open_refused", "outcome_save_refused_conflict"} <= set(audited), audited
    said = " ".join(a.text or "" for a in fake.activities())
    assert "Only the chair or vice chair of CANT1, or a council officer, can record the outcomes" in said
    assert "Grace Li (vice chair) or a council officer can do it instead" in said  # Daniel: who may
