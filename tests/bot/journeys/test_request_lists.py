"""My requests and the queue identify each request, through the real app: the school's own reference,
the dates submitted and decided, the meeting and its deadline; a school opens its request in full."""

from __future__ import annotations

import json
from typing import Any

from bot.config import Settings
from communities.clock import SystemClock
from communities.db import Database
from tests.bot.conftest import Post
from tests.bot.journeys.test_request_triage import DANIEL, GRACE, HANNAH, said, submitted_request
from tests.support.activities import personal_message
from tests.support.fake_connector import FakeConnector
from tests.support.meetings import add_meeting


def facts_of(card: dict[str, Any]) -> dict[str, str]:
    return {
        fact["title"]: fact["value"]
        for element in card["body"]
        if element["type"] == "FactSet"
        for fact in element["facts"]
    }


async def test_the_lists_show_the_schools_reference_dates_and_meeting(
    fake: FakeConnector, post: Post, settings: Settings
) -> None:
    database = Database(settings.database_url)
    try:
        await add_meeting(database, SystemClock(), "CANT1", "2027-03-16 16:00")
    finally:
        await database.dispose()
    request_id, ref = await submitted_request(settings)

    await post(personal_message(fake.url, DANIEL, "queue"))
    queued = facts_of((await said(fake, DANIEL, 1))[-1].card)
    assert queued["School's reference"] == "WM-2026-07"
    assert queued["Meeting"] == "Tuesday 16 March 2027, 16:00" and "Requests close" in queued
    assert queued["Submitted"].endswith("2026") and "Decided" not in queued

    await post(  # the vice chair: the request comes from the chair's own school
        personal_message(fake.url, GRACE, value={"action": "request_accept", "request_id": request_id})
    )
    await post(personal_message(fake.url, HANNAH, "requests"))
    mine = (await said(fake, HANNAH, 1))[-1].card
    shown = facts_of(mine)
    assert shown["School's reference"] == "WM-2026-07" and shown["Meeting"] == "Tuesday 16 March 2027, 16:00"
    assert shown["Decided"].startswith("Accepted on ") and "Requests close" not in shown

    # The school opens its own request and reads it in full (no triage buttons for it).
    assert {"action": "request_open", "request_id": request_id} in [
        a["data"] for element in mine["body"] for a in element.get("actions", [])
    ]
    await post(personal_message(fake.url, HANNAH, value={"action": "request_open", "request_id": request_id}))
    detail = (await said(fake, HANNAH, 2))[-1].card
    assert f"Request {ref}" in json.dumps(detail) and "WM-2026-07" in json.dumps(detail)
    assert "request_accept" not in json.dumps(detail)
