"""Funding at the meeting, in the real Agents Playground: the chair records funding on an outcome seeing
what CANT1 has available, and confirms it; the finance officer, in his own Teams, is told, opens the
ledger, records the payment and sees it there.

Set-up (through the domain services, on the running bot's database): CANT1 has £48,000 for the
financial year, and met two hours ago with a request from St Dunstan's on its published agenda (the
set-up of test_outcomes_e2e). Daniel Okafor, the chair, records. The demo's finance officer (Sam Carter)
is not one of the Playground's people, so Priya Shah, the council officer, is given the finance role
too for this test: she is told of the funding and records its payment in her own Teams.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest
from playwright.sync_api import Locator
from sqlmodel import select

from communities.budget.service import set_budget
from communities.budget.years import FinancialYear
from communities.clock import SystemClock
from communities.db import Database
from communities.meetings.tables import LONDON
from communities.roster.directory import find_person
from communities.roster.roles import Role
from communities.roster.tables import Community, Membership
from tests.e2e.playground import E2E
from tests.e2e.test_agenda_e2e import COMMUNITY, run_async
from tests.e2e.test_outcomes_e2e import a_meeting_that_has_taken_place
from tests.e2e.test_playground import DANIEL, pick_option, type_answer

PRIYA = "priya.shah@kent-demo.example.org"  # the council officer, given the finance role here


def a_budget_and_a_finance_officer(e2e: E2E) -> None:
    """CANT1's budget for this financial year (£48,000); Priya holds the finance role too."""
    assert e2e.bot is not None
    url = e2e.bot.database_url

    async def work() -> None:
        database = Database(url)
        clock = SystemClock()
        try:
            async with database.session() as session:
                cant1 = (await session.exec(select(Community).where(Community.code == "CANT1"))).one()
                assert cant1.id is not None
                year = FinancialYear.of(clock.now().astimezone(LONDON).date())
                await set_budget(session, clock, cant1.id, year, 4_800_000, reason="e2e", source="e2e")
                priya = await find_person(session, aad_object_id=None, email=PRIYA)
                assert priya is not None and priya.id is not None
                key = Membership.make_scope_key(Role.FINANCE, None, None)
                session.add(
                    Membership(person_id=priya.id, role=Role.FINANCE, scope_key=key, updated_at=clock.now())
                )
                await session.commit()
        finally:
            await database.dispose()

    run_async(work)


def pick_day(card: Locator, label: str, day: date) -> None:
    """Set the Input.Date labelled exactly ``label``: open its calendar, page to the month, click the day."""
    card.get_by_role("combobox", name=label, exact=True).click()
    calendar = card.page.get_by_role("dialog", name="Calendar")
    month = calendar.get_by_role("button", name=re.compile(r"^[A-Z][a-z]+ \d{4}$"))
    wanted = day.replace(day=1)
    for _ in range(48):
        shown = datetime.strptime(month.inner_text().strip(), "%B %Y").date()
        if shown == wanted:
            break
        calendar.get_by_title(re.compile("^Next month" if shown < wanted else "^Previous month")).click()
    calendar.get_by_role("button", name=f"{day.day}, {day:%B}, {day.year}", exact=True).click()
    calendar.wait_for(state="hidden")


@pytest.mark.e2e
def test_the_chair_records_funding_and_finance_records_its_payment(e2e: E2E) -> None:
    daniel = e2e.start(as_email=DANIEL)
    daniel.wait_for_bot_message("Community chair")
    a_budget_and_a_finance_officer(e2e)
    ref = a_meeting_that_has_taken_place(e2e)
    finance = e2e.open_other_client(PRIYA)  # her Teams is open too
    finance.wait_for_bot_message("Ledgers")
    today = SystemClock().now().astimezone(LONDON).date()
    year = FinancialYear.of(today).label

    daniel.open_personal_chat()
    daniel.send("outcomes")
    card = daniel.wait_for_bot_message(f"Outcomes: {COMMUNITY}")
    card.get_by_role("button", name="Record", exact=True).click()
    item = daniel.wait_for_bot_message(f"Outcome of {ref}")
    assert f"CANT1 has £48,000 available for {year} (£48,000 budget, £0 committed)." in item.inner_text()
    pick_option(item, "The meeting's decision", "Funding agreed")
    type_answer(item, "Funding agreed, in pounds and pence (only when funding is agreed)", "1,500")
    pick_day(item, "The funding covers from", today + timedelta(days=7))
    pick_day(item, "to", today + timedelta(days=90))
    type_answer(
        item, "The reason (the school reads it with the outcome)", "A clear plan with a school nearby."
    )
    pick_day(item, "Review date (when support or funding is agreed)", today + timedelta(days=60))
    pick_option(item, "The chair's ruling for Grace Li", "Took no part")
    item.get_by_role("button", name="Save this outcome").click()

    saved = daniel.wait_for_bot_message(f"The outcome of {ref} is saved as a draft.")
    saved.get_by_role("button", name="Confirm outcomes").click()
    confirm = daniel.wait_for_bot_message("Confirm the outcomes of CANT1")
    confirm.get_by_role("button", name="Yes, confirm and tell the schools").click()
    daniel.wait_for_bot_message("Outcomes confirmed: CANT1")

    # The finance officer is told where to record it, and records the payment in her own chat.
    told = finance.wait_for_bot_message("It is allocated in the CANT1 ledger", timeout=30)
    assert f"£1,500 for {ref}" in told.inner_text()
    finance.open_personal_chat()
    finance.send("ledger CANT1")
    ledger = finance.wait_for_bot_message(f"Ledger {year}")
    assert "Unpaid (£1,500)" in ledger.inner_text() and ref in ledger.inner_text()
    ledger.get_by_role("button", name=f"Record a payment ({ref})").click()
    form = finance.wait_for_bot_message("Record a payment: CANT1")
    type_answer(form, "Amount paid, in pounds and pence", "1,500")
    pick_day(form, "The day it was paid", today)
    type_answer(form, "Finance's reference", "PAY-0042")
    form.get_by_role("button", name="Record the payment").click()

    paid = finance.wait_for_bot_message(f"Payment of £1,500 recorded against the allocation for {ref}")
    shown = paid.inner_text()
    for expected in ("Paid in full", "PAY-0042", "Priya Shah", "Spent"):
        assert expected in shown, f"{expected!r} not in the ledger:\n{shown}"
    e2e.assert_bot_healthy()
