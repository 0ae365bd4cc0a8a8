"""Funding at the meeting, through the real app: the vice chair records funding seeing CANT1's balance,
is refused an overspend with the numbers, asks the officers; Priya approves with a reason (a second
press changes nothing); the outcome is confirmed and allocated; finance records the payment in the
ledger and sees it there.

CANT1 has £1,000 for 2026-27. The app runs on the fixed clock of the test, after CANT1's meeting of
Thursday 10 December 2026 with Westgate Meadow's request on its published agenda.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlmodel import select

from bot.app import create_app
from bot.config import Settings
from communities.audit import AuditEvent
from communities.clock import FixedClock
from communities.db import Database
from tests.bot.conftest import Post
from tests.bot.journeys.test_agendas import button, flat, latest_message
from tests.bot.journeys.test_outcomes import GRACE, HANNAH, PRIYA, inputs_of, press
from tests.support.activities import chat_of, personal_message, user
from tests.support.fake_connector import FakeConnector
from tests.support.outcomes import held_meeting, person_id
from tests.support.people import DANIEL as DANIEL_EMAIL
from tests.support.people import HANNAH as HANNAH_EMAIL

SAM = user(7, "Sam Carter")  # the finance officer
REF = "COS-CANT1-26-001"


@pytest.fixture
async def client(settings: Settings, clock: FixedClock) -> AsyncIterator[TestClient[Any, Any]]:
    async with TestClient(TestServer(create_app(settings, clock=clock))) as test_client:
        yield test_client


async def held(settings: Settings, clock: FixedClock) -> dict[str, str]:
    """The meeting held, CANT1's budget £1,000; the entry the vice chair types (funding £1,500)."""
    database = Database(settings.database_url)
    try:
        await held_meeting(database, clock, 1, budget_pence=100_000)
        daniel, hannah = [await person_id(database, e) for e in (DANIEL_EMAIL, HANNAH_EMAIL)]
    finally:
        await database.dispose()
    return {
        "decision": "funding_agreed",
        "what_is_working": "The calm space in the mornings works.",
        "funding": "1,500",
        "funding_from": "2027-01-04",
        "funding_to": "2027-03-31",
        "rationale": "A clear plan, and a school nearby with the expertise.",
        "review_date": "2027-03-30",
        f"ruling_{daniel}": "took_no_part",
        f"ruling_{hannah}": "spoke_not_decided",
    }


async def approvals(settings: Settings) -> int:
    database = Database(settings.database_url)
    try:
        async with database.session() as session:
            query = select(AuditEvent).where(AuditEvent.action == "overspend_approved")
            return len((await session.exec(query)).all())
    finally:
        await database.dispose()


async def test_funding_is_refused_approved_once_confirmed_and_paid(
    fake: FakeConnector, post: Post, settings: Settings, clock: FixedClock
) -> None:
    entry = await held(settings, clock)
    for person in (GRACE, HANNAH, PRIYA, SAM):
        await post(personal_message(fake.url, person, "help"))

    # The vice chair opens the item: the card shows what CANT1 has available for the year.
    await post(personal_message(fake.url, GRACE, "outcomes"))
    card = await latest_message(fake, chat_of(GRACE), "Outcomes: Canterbury City Community (CANT1)")
    await press(post, fake, GRACE, card, button(card.card, "Record"))
    shown = flat(fake.activity(card.id).card)
    assert (
        "Budget 2026-27 of CANT1: CANT1 has £1,000 available for 2026-27 (£1,000 budget, £0 committed)."
        in shown
    )

    # £1,500 is refused with the numbers; what was typed stays; she asks the officers.
    await press(
        post, fake, GRACE, card, {**button(fake.activity(card.id).card, "Save this outcome"), **entry}
    )
    refused = fake.activity(card.id).card
    assert "Nothing was saved: £1,500 is more than CANT1 can fund: CANT1 has £1,000 available" in flat(
        refused
    )
    assert inputs_of(refused)["funding"]["value"] == "1,500"
    await press(post, fake, GRACE, card, {**button(refused, "Ask an officer to approve"), **entry})
    asked = flat(fake.activity(card.id).card)
    assert f"I've asked the council officers (1 officer) to approve funding of £1,500 for {REF}" in asked

    # Priya, the officer, approves with a reason; Grace is told.
    officer = await latest_message(fake, chat_of(PRIYA), f"Overspend to approve: {REF}")
    assert "Westgate Meadow Primary School" in flat(officer.card) and "£1,500" in flat(officer.card)
    approve = {**button(officer.card, "Approve overspend"), "reason": "Agreed with the head of service"}
    await press(post, fake, PRIYA, officer, approve)
    assert "Approved by Priya Shah: “Agreed with the head of service”" in flat(fake.activity(officer.id).card)
    told = await fake.wait_for(
        lambda: [
            a.text for a in fake.activities(chat_of(GRACE)) if a.text and "approved an overspend" in a.text
        ]
    )
    assert told[0].startswith(f"Priya Shah approved an overspend of up to £1,500 for {REF}")

    # A second press changes nothing, and says who approved it and when.
    await press(post, fake, PRIYA, officer, {**approve, "reason": "Again"})
    again = await fake.wait_for(
        lambda: [a.text for a in fake.activities(chat_of(PRIYA)) if a.text and "already approved" in a.text]
    )
    assert again[0] == (
        "Sorry: This overspend was already approved by Priya Shah on 11 December 2026 at 09:30: "
        "nothing changed."
    )
    assert await approvals(settings) == 1

    # The vice chair saves and confirms: the funding is allocated; finance is told where to record it.
    await press(
        post, fake, GRACE, card, {**button(fake.activity(card.id).card, "Save this outcome"), **entry}
    )
    assert f"The outcome of {REF} is saved as a draft." in flat(fake.activity(card.id).card)
    await press(post, fake, GRACE, card, button(fake.activity(card.id).card, "Confirm outcomes"))
    await press(
        post, fake, GRACE, card, button(fake.activity(card.id).card, "Yes, confirm and tell the schools")
    )
    assert "Outcomes confirmed" in flat(fake.activity(card.id).card)
    finance = await fake.wait_for(
        lambda: [a.text for a in fake.activities(chat_of(SAM)) if a.text and "Funding agreed" in a.text]
    )
    assert "It is allocated in the CANT1 ledger" in finance[0] and "`ledger CANT1`" in finance[0]

    # Finance opens the ledger and records the payment; a bad amount first.
    await post(personal_message(fake.url, SAM, "ledger CANT1"))
    ledger = await latest_message(fake, chat_of(SAM), "Ledger 2026-27: Canterbury City Community (CANT1)")
    assert "Unpaid (£1,500)" in flat(ledger.card) and REF in flat(ledger.card)
    await press(post, fake, SAM, ledger, button(ledger.card, f"Record a payment ({REF})"))
    form = fake.activity(ledger.id).card
    paid = {"amount": "-5", "paid_on": "2026-12-11", "reference": "PAY-0042"}
    await press(post, fake, SAM, ledger, {**button(form, "Record the payment"), **paid})
    form = fake.activity(ledger.id).card
    assert "Nothing was recorded" in flat(form) and "“-5” is not an amount" in flat(form)
    assert inputs_of(form)["reference"]["value"] == "PAY-0042"
    await press(post, fake, SAM, ledger, {**button(form, "Record the payment"), **paid, "amount": "1,500"})
    shown = flat(fake.activity(ledger.id).card)
    assert f"Payment of £1,500 recorded against the allocation for {REF} (reference PAY-0042)." in shown
    assert "Paid in full" in shown and "PAY-0042" in shown and "Sam Carter" in shown
    fake.assert_no_violations()


async def test_wrong_roles_and_forged_buttons_change_nothing(
    fake: FakeConnector, post: Post, settings: Settings, clock: FixedClock
) -> None:
    await held(settings, clock)
    # The vice chair forges the officer's button; the SENCO asks for a ledger; finance a forged allocation.
    forged = {"action": "overspend_approve", "overspend_id": 1, "reason": "Mine"}
    await post(personal_message(fake.url, GRACE, value=forged))
    await post(personal_message(fake.url, HANNAH, "ledger CANT1"))
    await post(personal_message(fake.url, SAM, value={"action": "budget_payment", "allocation_id": 99}))
    await post(personal_message(fake.url, PRIYA, value={**forged, "overspend_id": 999}))

    def replies() -> list[str] | None:
        found = [a.text for a in fake.activities() if a.text]
        return found if len(found) >= 4 else None

    texts = await fake.wait_for(replies)
    assert "Sorry: Only a council officer can approve an overspend." in texts[0]
    assert texts[1].startswith("Sorry: “Ledgers” is only for a council or finance officer.")
    assert "That card is out of date" in texts[2]
    assert "That overspend request is not known" in texts[3]
    assert await approvals(settings) == 0
