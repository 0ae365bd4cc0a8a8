"""An officer broadcasts meeting dates in Teams; the channel gets its card; the report updates in place."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import icalendar
from aiohttp.test_utils import TestClient

from bot.config import Settings
from communities.clock import SystemClock
from communities.db import Database
from communities.meetings.tables import feed_tokens
from communities.roster.directory import community_by_code
from tests.bot.conftest import Post
from tests.support.activities import CHANNEL_ID, channel_message, chat_of, personal_message, user
from tests.support.fake_connector import FakeConnector
from tests.support.meetings import add_meeting

PRIYA = user(1, "Priya Shah")
DANIEL = user(2, "Daniel Okafor")
HANNAH = user(4, "Hannah Reid")


def flat(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


async def add_meetings(settings: Settings) -> None:
    """Two spring meetings for CANT1 and one for THAN2 (which has no channel)."""
    database = Database(settings.database_url)
    try:
        for code, start in (
            ("CANT1", "2027-01-19 16:00"),
            ("CANT1", "2027-03-16 16:00"),
            ("THAN2", "2027-02-02 09:30"),
        ):
            await add_meeting(database, SystemClock(), code, start)
    finally:
        await database.dispose()


async def last_card(fake: FakeConnector, conversation_id: str) -> dict[str, Any]:
    reply = await fake.wait_for(
        lambda: next((a for a in reversed(fake.activities(conversation_id)) if a.card), None)
    )
    assert reply.card is not None
    return reply.card


async def test_the_officer_previews_sends_and_watches_the_report(
    fake: FakeConnector, post: Post, settings: Settings
) -> None:
    await add_meetings(settings)
    link = channel_message(fake.url, DANIEL, "link CANT1")
    await post(link)
    await fake.wait_for(lambda: fake.activities(link["conversation"]["id"]))

    await post(personal_message(fake.url, PRIYA, "broadcast"))
    form = await last_card(fake, chat_of(PRIYA))
    assert [i["id"] for i in form["body"] if i["type"].startswith("Input.")] == [
        "first",
        "last",
        "area",
        "codes",
    ]

    choose = {
        "action": "broadcast_choose",
        "first": "2027-01-01",
        "last": "2027-03-31",
        "area": "",
        "codes": "",
    }
    await post(personal_message(fake.url, PRIYA, value=choose))
    preview = await fake.wait_for(
        lambda: next((a.card for a in fake.activities(chat_of(PRIYA)) if "preview" in flat(a.card)), None)
    )
    text = flat(preview)
    assert "Send to 1 channel" in text and "link THAN2" in text and "MAID1" in text
    confirm = preview["actions"][0]["data"]

    threads_before = len(fake.threads(CHANNEL_ID))
    await post(personal_message(fake.url, PRIYA, value=confirm))
    await post(personal_message(fake.url, PRIYA, value=confirm))  # a double click sends nothing twice
    card = await fake.wait_for(
        lambda: next(
            (a.card for a in fake.activities(CHANNEL_ID) if "Meeting dates for" in flat(a.card)), None
        )
    )
    assert "Tuesday 19 January 2027, 16:00–17:30" in flat(card) and "Tuesday 16 March 2027" in flat(card)
    report = await fake.wait_for(
        lambda: next(
            (
                a
                for a in fake.activities(chat_of(PRIYA))
                if "delivery report" in flat(a.card) and "Done." in flat(a.card)
            ),
            None,
        ),
        timeout=10,
    )
    assert report.updates >= 1  # the same message, edited in place
    assert "THAN2" in flat(report.card) and "Not delivered" in flat(report.card)
    assert len(fake.threads(CHANNEL_ID)) == threads_before + 1
    texts = [a.text for a in fake.activities(chat_of(PRIYA)) if a.text]
    assert any("already sent" in t for t in texts)
    fake.assert_no_violations()


async def test_a_school_leader_cannot_broadcast_whatever_the_card_says(
    fake: FakeConnector, post: Post, settings: Settings
) -> None:
    await add_meetings(settings)
    forged = {
        "action": "broadcast_confirm",
        "selection": {"first": "2027-01-01", "last": "2027-03-31"},
        "confirm_key": "x",
    }
    await post(personal_message(fake.url, HANNAH, value=forged))
    reply = await fake.wait_for(lambda: next((a for a in fake.activities(chat_of(HANNAH)) if a.text), None))
    assert reply.text == (
        "Sorry: Only a council officer can broadcast meeting dates to every community. "
        "*Meetings* shows your community's dates."
    )
    assert fake.threads(CHANNEL_ID) == []


async def test_the_calendar_feed_is_served_at_its_token_and_nowhere_else(
    client: TestClient[Any, Any], settings: Settings
) -> None:
    await add_meetings(settings)
    database = Database(settings.database_url)
    try:
        async with database.session() as session:
            community = await community_by_code(session, "CANT1")
            assert community is not None and community.id is not None
            token = (await feed_tokens(session, SystemClock(), [community.id]))[community.id]
            await session.commit()
    finally:
        await database.dispose()
    response = await client.get(f"/calendar/{token}.ics")
    assert response.status == 200 and response.headers["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(await response.read())
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 2  # CANT1's, not THAN2's
    assert events[0].decoded("DTSTART").astimezone(UTC) == datetime(2027, 1, 19, 16, 0, tzinfo=UTC)
    assert (await client.get("/calendar/not-a-token.ics")).status == 404
