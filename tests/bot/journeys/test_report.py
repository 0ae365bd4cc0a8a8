"""The officers' report through the real app: `report` from an officer, *Show* with other dates and
a community on the card (in place), a bad date, and a school leader refused (audited)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlmodel import select

from bot.config import Settings
from cards.reporting.card import FROM_FIELD, PLACE_FIELD, TO_FIELD
from communities.audit import AuditEvent
from communities.db import Database
from communities.outcomes.decisions import OutcomeDecision
from tests.bot.conftest import Post
from tests.bot.journeys.test_agendas import button, flat, latest_message, pressed
from tests.bot.journeys.test_request_triage import DANIEL, PRIYA, said
from tests.communities.reporting.world import SECRET_TEXT, World
from tests.support.activities import chat_of, personal_message
from tests.support.fake_connector import FakeConnector


async def requests(settings: Settings) -> None:
    """Seven CANT1 requests this academic year (three with cognition and learning needs), five of
    them decided; some from last year."""
    database = Database(settings.database_url)
    today = datetime.now(UTC).date()
    year = today.year if today.month >= 9 else today.year - 1
    this_year = date(year, 9, 20)
    try:
        world = World(database)
        await world.requests("CANT1", 2, need="semh", submitted=this_year)
        await world.decided(
            "CANT1", 5, OutcomeDecision.SUPPORT_AGREED, submitted=this_year, meeting_day=date(year, 9, 30)
        )
        await world.requests("CANT1", 3, need="cognition_learning", submitted=date(year - 1, 10, 1))
    finally:
        await database.dispose()


async def test_the_officer_reads_the_report_and_chooses_a_community_and_dates(
    fake: FakeConnector, post: Post, settings: Settings
) -> None:
    await requests(settings)
    await post(personal_message(fake.url, PRIYA, "report"))
    card = (await said(fake, PRIYA, 1))[-1].card or {}
    shown = flat(card)
    assert card["body"][0]["text"] == "Report: All areas"
    assert '"title": "East", "value": "With the chair: fewer than 5;' in shown
    assert "Agreed (support or funding): 5" in shown and "10 days" in shown  # 20 to 30 September
    assert not [secret for secret in SECRET_TEXT if secret in shown]
    types = [element["type"] for element in card["body"]]
    assert "Chart.VerticalBar.Grouped" in types

    # The whole of last year and this one, CANT1 only: the card changes in place.
    message = await latest_message(fake, chat_of(PRIYA), "Report: All areas")
    today = datetime.now(UTC).date()
    start = date(today.year - 2, 9, 1).isoformat()
    show = {**button(card, "Show"), FROM_FIELD: start, TO_FIELD: today.isoformat(), PLACE_FIELD: "CANT1"}
    messages = len(fake.activities(chat_of(PRIYA)))
    await post(pressed(fake, PRIYA, message, show))
    again = await latest_message(fake, chat_of(PRIYA), "Report: Canterbury City Community (CANT1)")
    assert again.id == message.id and again.updates >= 1  # the same message, edited
    assert len(fake.activities(chat_of(PRIYA))) == messages
    assert "Total: 10" in flat(again.card)  # last year's three counted too

    # A date that is not one: the card says so and shows the default period.
    await post(pressed(fake, PRIYA, again, {**show, FROM_FIELD: "31/02/2026"}))
    wrong = await latest_message(fake, chat_of(PRIYA), "is not a date")
    assert "choose the days with the date pickers" in flat(wrong.card)


async def test_a_school_leader_is_refused_and_the_refusal_is_audited(
    fake: FakeConnector, post: Post, settings: Settings
) -> None:
    await requests(settings)
    await post(personal_message(fake.url, DANIEL, "report"))
    told = await fake.wait_for(
        lambda: [a.text for a in fake.activities(chat_of(DANIEL)) if a.text and "Report" in a.text] or None
    )
    assert told[0].startswith("Sorry: “Report” is only for a council officer")
    # A Show pressed on a forwarded or forged card is refused the same way.
    forged = {"action": "report", FROM_FIELD: "2026-09-01", TO_FIELD: "2026-12-01", PLACE_FIELD: "CANT1"}
    await post(personal_message(fake.url, DANIEL, value=forged))

    def refused() -> list[str]:
        return [a.text for a in fake.activities(chat_of(DANIEL)) if a.text and "Report" in a.text]

    refusals = await fake.wait_for(lambda: refused()[1:] or None)
    assert refusals[0].startswith("Sorry: “Report” is only for a council officer")
    assert not [a for a in fake.activities(chat_of(DANIEL)) if a.card and "Report:" in flat(a.card)]
    database = Database(settings.database_url)
    try:
        async with database.session() as session:
            rows = (await session.exec(select(AuditEvent).where(AuditEvent.action == "report_refused"))).all()
    finally:
        await database.dispose()
    assert len(rows) == 2  # the command and the press
