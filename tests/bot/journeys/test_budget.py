"""The budget in the chat through the real app: the chair's community, the officer's overview, refusals."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlmodel import select

from bot.config import Settings
from communities.budget.service import allocate, set_budget
from communities.budget.years import FinancialYear
from communities.clock import FixedClock
from communities.db import Database
from communities.roster.tables import Community, School
from tests.bot.conftest import Post
from tests.bot.journeys.test_request_triage import DANIEL, HANNAH, PRIYA, said
from tests.support.activities import personal_message
from tests.support.fake_connector import FakeConnector


async def budgets(settings: Settings) -> None:
    """CANT1 has £48,000 for 2026-27, £1,500 of it allocated to Westgate; THAN2 has none yet."""
    database = Database(settings.database_url)
    clock = FixedClock(datetime(2026, 11, 2, 10, tzinfo=UTC))
    try:
        async with database.session() as session:
            cant1 = (await session.exec(select(Community).where(Community.code == "CANT1"))).one()
            westgate = (await session.exec(select(School).where(School.urn == "990101"))).one()
            assert cant1.id is not None and westgate.id is not None
            year = FinancialYear.of(datetime.now(UTC).date())
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


def flat(card: object) -> str:
    return json.dumps(card, ensure_ascii=False)


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
