"""A year after a request closes, through the real app: the daily purge removes its answers, and the
school and the vice chair opening it read "detail removed under the retention policy" where the
answers were, while the reference, the decision and the money stay, and CANT1's ledger still
balances.

Westgate Meadow's three requests were decided at CANT1's meeting of 10 December 2026; the funded
one (£1,500) was reviewed and closed on 10 April 2027. The app runs on the test's fixed clock.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import create_app
from bot.config import Settings
from communities.budget.service import entries_of, position_of
from communities.budget.years import FinancialYear
from communities.clock import FixedClock
from communities.db import Database
from communities.requests.tables import Request
from communities.retention.policy import RetentionPolicy
from communities.retention.purge import purge
from communities.retention.words import DETAIL_REMOVED
from tests.bot.conftest import Post
from tests.bot.journeys.test_outcomes import GRACE, HANNAH
from tests.bot.journeys.test_request_lists import facts_of
from tests.bot.journeys.test_request_triage import said
from tests.support.activities import personal_message
from tests.support.fake_connector import FakeConnector
from tests.support.outcomes import MEETING_DAY
from tests.support.requests import COMPLETE
from tests.support.retention import closed_requests

YEAR = FinancialYear.of(MEETING_DAY)


@pytest.fixture
async def client(settings: Settings, clock: FixedClock) -> AsyncIterator[TestClient[Any, Any]]:
    async with TestClient(TestServer(create_app(settings, clock=clock))) as test_client:
        yield test_client


async def ledger(database: Database) -> tuple[list[tuple[str, int]], int]:
    async with database.session() as session:
        entries = [(str(e.kind), e.amount_pence) for e in await entries_of(session, 1, YEAR)]
        available = (await position_of(session, 1, YEAR)).available_pence
    return entries, available


def texts(card: dict[str, Any]) -> str:
    return json.dumps(card, ensure_ascii=False)


async def test_a_year_after_closing_the_school_and_chair_see_the_detail_removed_and_the_money_kept(
    fake: FakeConnector,
    post: Post,
    settings: Settings,
    clock: FixedClock,
) -> None:
    database = Database(settings.database_url)
    try:
        closed = await closed_requests(database, clock)
        funded = closed.request_ids[0]
        async with database.session() as session:
            request = await session.get(Request, funded)
            assert request is not None
            ref = request.ref
        before = await ledger(database)
        clock.advance(days=366)  # a year and a day after the last closed
        report = await purge(database, clock, RetentionPolicy(), by="scheduler")
        assert report.by_kind()["request_detail"] == 3
        assert await ledger(database) == before  # the ledger is never touched: it still balances
    finally:
        await database.dispose()

    await post(personal_message(fake.url, HANNAH, value={"action": "request_open", "request_id": funded}))
    school_sees = (await said(fake, HANNAH, 1))[-1].card
    shown = texts(school_sees)
    assert f"Request {ref}" in shown and DETAIL_REMOVED in shown
    assert facts_of(school_sees)["Decision"] == "Funding agreed"
    assert facts_of(school_sees)["Funding agreed"] == "£1,500"
    assert facts_of(school_sees)["Main area of need"] == "Social, emotional and mental health"
    for answer in ("pupil_ref", "needs_summary", "graduated_response", "what_worked", "hoped_outcome"):
        assert str(COMPLETE[answer]) not in shown, answer
    assert "The calm space in the mornings works" not in shown  # the outcome's words went too
    assert "Settled afternoons" not in shown  # and the review's

    await post(personal_message(fake.url, HANNAH, "requests"))
    listed = texts((await said(fake, HANNAH, 2))[-1].card)
    assert ref in listed and DETAIL_REMOVED in listed and "WM-2026-07" not in listed

    await post(personal_message(fake.url, GRACE, value={"action": "request_open", "request_id": funded}))
    chair_sees = (await said(fake, GRACE, 1))[-1].card
    assert DETAIL_REMOVED in texts(chair_sees) and facts_of(chair_sees)["Funding agreed"] == "£1,500"
    assert "WM-2026-07" not in texts(chair_sees)
