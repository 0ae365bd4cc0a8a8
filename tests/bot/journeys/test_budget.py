"""The budget in the chat through the real app: the chair's community, the officer's overview, refusals."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import select

from bot.config import Settings
from communities.budget.service import allocate, set_budget
from communities.budget.years import FinancialYear
from communities.clock import FixedClock
from communities.db import Database
from communities.roster.tables import Community, School
from tests.bot.conftest import Post
from tests.bot.journeys.test_agendas import button, flat, latest_card, latest_message, prepare, pressed
from tests.bot.journeys.test_request_triage import DANIEL, HANNAH, PRIYA, said
from tests.support.activities import CHANNEL_ID, channel_message, chat_of, personal_message
from tests.support.fake_connector import FakeConnector


async def budgets(settings: Settings, year: FinancialYear | None = None) -> None:
    """CANT1 has £48,000 for the year (this one unless given), £1,500 of it allocated to Westgate;
    THAN2 has none yet."""
    database = Database(settings.database_url)
    clock = FixedClock(datetime(2026, 11, 2, 10, tzinfo=UTC))
    try:
        async with database.session() as session:
            cant1 = (await session.exec(select(Community).where(Community.code == "CANT1"))).one()
            westgate = (await session.exec(select(School).where(School.urn == "990101"))).one()
            assert cant1.id is not None and westgate.id is not None
            year = year or FinancialYear.of(datetime.now(UTC).date())
            await set_budget(
                session, clock, cant1.id, year, 4_800_000, reason="budgets.csv row 2", source="t"
            )
            await allocate(
                session,
                clock,
                cant1.id,
                year,
                150_000,
                school_id=westgate.id,
                outcome_id=None,
                actor_person_id=1,
            )
            await session.commit()
    finally:
        await database.dispose()


async def test_the_chair_reads_the_budget_and_the_officer_sees_every_community(
    fake: FakeConnector, post: Post, settings: Settings
) -> None:
    await budgets(settings)
    await post(personal_message(fake.url, DANIEL, "budget"))
    mine = flat((await said(fake, DANIEL, 1))[-1].card)
    assert "Canterbury City Community (CANT1)" in mine
    assert "£48,000" in mine and "£46,500" in mine and "Allocation: Westgate Meadow Primary School" in mine

    await post(personal_message(fake.url, DANIEL, "budget THAN2"))
    refused = (await said(fake, DANIEL, 2))[-1].text or ""
    assert refused.startswith("Sorry: only the chair or vice chair of THAN2")

    await post(personal_message(fake.url, PRIYA, "budget"))
    overview = flat((await said(fake, PRIYA, 1))[-1].card)
    assert "£46,500 available of £48,000" in overview and "Thanet Coast Community (THAN2)" in overview
    assert "No budget set" in overview

    await post(personal_message(fake.url, HANNAH, "budget"))
    told = await fake.wait_for(
        lambda: [a.text for a in fake.activities(f"a:chat-{HANNAH['id']}") if a.text and "Budget" in a.text]
    )
    assert "“Budget” is only for a community chair or vice chair" in told[0]


async def test_the_officers_overview_carries_the_charts_above_the_lines(
    fake: FakeConnector, post: Post, settings: Settings
) -> None:
    await budgets(settings)
    await post(personal_message(fake.url, PRIYA, "budget"))
    overview = (await said(fake, PRIYA, 1))[-1].card or {}
    types = [element["type"] for element in overview["body"]]
    assert "Chart.HorizontalBar.Stacked" in types and "Chart.VerticalBar.Grouped" in types
    [by_community] = [e for e in overview["body"] if e["type"] == "Chart.VerticalBar.Grouped"]
    assert [v["x"] for v in by_community["data"][0]["values"]] == ["CANT1"]  # only CANT1 has a budget
    assert types.index("Chart.VerticalBar.Grouped") < len(types) - 1 - types[::-1].index("FactSet")


async def test_the_agenda_the_chair_reviews_and_the_channel_gets_shows_the_money(
    fake: FakeConnector, post: Post, settings: Settings
) -> None:
    await prepare(settings)  # CANT1's meeting on 20 January 2027, a request from Westgate
    await budgets(settings, year=FinancialYear(2026))  # £48,000; £1,500 to Westgate on 2 November
    await post(channel_message(fake.url, DANIEL, "link CANT1"))
    await post(personal_message(fake.url, DANIEL, "agenda"))
    review = await latest_message(fake, chat_of(DANIEL), "Publish")
    await post(pressed(fake, DANIEL, review, button(review.card, "Publish")))
    channel = flat(await latest_card(fake, CHANNEL_ID, "COS-CANT1-"))
    for shown in (flat(review.card), channel):
        assert "4. Finance: the community budget position" in shown and "Financial year 2026-27" in shown
        assert '"title": "Available", "value": "£46,500"' in shown
    assert "Allocations since the start of the financial year (1)" in flat(review.card)
    assert '"title": "Westgate Meadow Primary School", "value": "£1,500"' in flat(review.card)
    assert (
        "Since the start of the financial year: 1 entry (allocations, changes and releases), £1,500 net."
        in channel
    )
    assert "Westgate Meadow Primary School" not in channel.split("4. Finance")[1].split("5. Requests")[0]
    fake.assert_no_violations()
