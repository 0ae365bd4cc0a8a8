"""Funding at the meeting against the budget: saved within what is left, allocated on confirmation in
the same transaction, refused with the numbers (nothing confirmed), approved once by an officer, and
released when the request ends early."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from sqlmodel import col, select, update

from communities.audit import AuditEvent
from communities.budget.funding import FundingRefused
from communities.budget.overspend import OverspendRefused, approve, ask
from communities.budget.releases import release_for_request
from communities.budget.service import adjust_budget, allocation_of_outcome, entries_of, position_of
from communities.budget.tables import EntryKind
from communities.budget.years import FinancialYear
from communities.clock import FixedClock
from communities.db import Database
from communities.messaging.outbox import Outbox
from communities.outcomes.access import OutcomeRefused, outcome_of
from communities.outcomes.confirming import confirm_outcomes
from communities.outcomes.decisions import ReviewResult
from communities.outcomes.recording import save_outcome
from communities.outcomes.reviews import record_review
from communities.outcomes.tables import Outcome
from communities.outcomes.validation import OutcomeEntry
from communities.requests.service import withdraw
from communities.requests.tables import Request
from tests.support.outcomes import (
    as_person,
    held_meeting,
    person_id,
    rulings_for_westgate,
    status_of,
    support_agreed,
)
from tests.support.people import GRACE, HANNAH, PRIYA

YEAR = FinancialYear(2026)


async def funded(db: Database, amount: str, **changes: Any) -> OutcomeEntry:
    return support_agreed(
        await rulings_for_westgate(db),
        decision="funding_agreed",
        funding=amount,
        funding_from=date(2027, 1, 4),
        funding_to=date(2027, 3, 26),
        **changes,
    )


async def save(db: Database, clock: FixedClock, meeting_id: int, request_id: int, entry: OutcomeEntry) -> Any:
    return await as_person(db, GRACE, lambda s, a: save_outcome(s, clock, a, meeting_id, request_id, entry))


async def confirm(db: Database, clock: FixedClock, meeting_id: int) -> Any:
    return await as_person(db, GRACE, lambda s, a: confirm_outcomes(s, clock, a, meeting_id))


async def ledger(db: Database) -> list[tuple[str, int]]:
    async with db.session() as session:
        return [(str(e.kind), e.amount_pence) for e in await entries_of(session, 1, YEAR)]


async def test_confirming_allocates_the_funding_in_the_same_transaction(
    demo_db: Database, clock: FixedClock
) -> None:
    held = await held_meeting(demo_db, clock)
    [request_id] = held.request_ids
    await save(demo_db, clock, held.meeting_id, request_id, await funded(demo_db, "£1,500.50"))
    assert await ledger(demo_db) == [("budget_set", 4_800_000)]  # a draft commits nothing
    done = await confirm(demo_db, clock, held.meeting_id)
    [confirmed] = done.confirmed
    async with demo_db.session() as session:
        allocation = await allocation_of_outcome(session, confirmed.outcome_id)
        position = await position_of(session, 1, YEAR)
    assert allocation is not None and allocation.id == confirmed.allocation_id
    assert allocation.amount_pence == 150050 and allocation.school_id == confirmed.school_id
    assert (position.committed_pence, position.available_pence) == (150050, 4_800_000 - 150050)
    again = await confirm(demo_db, clock, held.meeting_id)
    assert again.nothing_new and await ledger(demo_db) == [("budget_set", 4_800_000), ("allocation", 150050)]


async def test_saving_more_than_is_left_is_refused_with_the_numbers(
    demo_db: Database, clock: FixedClock
) -> None:
    held = await held_meeting(demo_db, clock, 2, budget_pence=200_000)
    first, second = held.request_ids
    await save(demo_db, clock, held.meeting_id, first, await funded(demo_db, "1500"))
    with pytest.raises(FundingRefused) as refused:
        await save(demo_db, clock, held.meeting_id, second, await funded(demo_db, "1000"))
    assert str(refused.value) == (
        "£1,000 is more than CANT1 can fund: CANT1 has £2,000 available for 2026-27 (£2,000 budget, £0 "
        "committed); this meeting's other items already propose £1,500, leaving £500. Lower the funding, "
        "or ask a council officer to approve an overspend."
    )
    async with demo_db.session() as session:
        assert await outcome_of(session, held.meeting_id, second) is None  # nothing saved
    await save(demo_db, clock, held.meeting_id, second, await funded(demo_db, "500"))  # what is left fits


async def test_with_no_budget_set_nothing_is_available(demo_db: Database, clock: FixedClock) -> None:
    held = await held_meeting(demo_db, clock, budget_pence=None)
    with pytest.raises(
        FundingRefused, match=r"No budget is set for CANT1 for 2026-27 yet, so £0 is available"
    ):
        await save(demo_db, clock, held.meeting_id, held.request_ids[0], await funded(demo_db, "10"))


async def test_an_overspend_at_confirmation_confirms_nothing(demo_db: Database, clock: FixedClock) -> None:
    held = await held_meeting(demo_db, clock, 2, budget_pence=300_000)
    supported, paid = held.request_ids
    await save(
        demo_db, clock, held.meeting_id, supported, support_agreed(await rulings_for_westgate(demo_db))
    )
    await save(demo_db, clock, held.meeting_id, paid, await funded(demo_db, "2500"))
    priya = await person_id(demo_db, PRIYA)
    async with demo_db.session() as session:  # the budget is corrected down before the chair confirms
        await adjust_budget(session, clock, 1, YEAR, -100_000, reason="Correction", actor_person_id=priya)
        await session.commit()
    with pytest.raises(OutcomeRefused) as refused:
        await confirm(demo_db, clock, held.meeting_id)
    assert str(refused.value) == (
        "Confirming would overspend CANT1's budget: COS-CANT1-26-002 agrees £2,500, and £2,000 is available "
        "for 2026-27 (£2,000 budget, £0 committed). Lower the funding on the item's card, or ask a council "
        "officer to approve an overspend. Nothing has been confirmed or sent."
    )
    assert (
        await status_of(demo_db, supported) == "discussed" and await status_of(demo_db, paid) == "discussed"
    )
    async with demo_db.session() as session:
        assert {o.status for o in (await session.exec(select(Outcome))).all()} == {"draft"}
    assert [kind for kind, _ in await ledger(demo_db)] == ["budget_set", "adjustment"]


async def test_an_officer_approves_an_overspend_once(demo_db: Database, clock: FixedClock) -> None:
    held = await held_meeting(demo_db, clock, budget_pence=100_000)
    [request_id] = held.request_ids
    entry = await funded(demo_db, "1500")
    with pytest.raises(FundingRefused):
        await save(demo_db, clock, held.meeting_id, request_id, entry)

    def asking(session: Any, actor: Any) -> Any:
        return ask(
            session,
            clock,
            actor,
            meeting_id=held.meeting_id,
            request_id=request_id,
            outcome_id=None,
            amount_pence=150_000,
            available_pence=100_000,
        )

    asked = await as_person(demo_db, GRACE, asking)
    assert (await as_person(demo_db, GRACE, asking)).id == asked.id  # asking again: the same request
    with pytest.raises(OverspendRefused, match="Only a council officer can approve an overspend"):
        await as_person(demo_db, GRACE, lambda s, a: approve(s, clock, a, asked.id, "Because"))
    with pytest.raises(OverspendRefused, match="Give a reason"):
        await as_person(demo_db, PRIYA, lambda s, a: approve(s, clock, a, asked.id, "  "))
    with pytest.raises(OverspendRefused, match="not known"):
        await as_person(demo_db, PRIYA, lambda s, a: approve(s, clock, a, 999, "Because"))
    approved = await as_person(
        demo_db, PRIYA, lambda s, a: approve(s, clock, a, asked.id, "Agreed with the head of service")
    )
    assert approved.by == "Priya Shah" and approved.request.reason == "Agreed with the head of service"
    with pytest.raises(OverspendRefused) as second:
        await as_person(demo_db, PRIYA, lambda s, a: approve(s, clock, a, asked.id, "Again"))
    assert str(second.value) == (
        "This overspend was already approved by Priya Shah on 11 December 2026 at 09:30: nothing changed."
    )
    async with demo_db.session() as session:
        actions = [e.action for e in (await session.exec(select(AuditEvent))).all()]
    assert actions.count("overspend_approved") == 1 and "overspend_approve_refused" in actions

    with pytest.raises(FundingRefused):  # the approval covers up to £1,500, not more
        await save(demo_db, clock, held.meeting_id, request_id, replace(entry, funding="1500.01"))
    await save(demo_db, clock, held.meeting_id, request_id, entry)
    await confirm(demo_db, clock, held.meeting_id)
    async with demo_db.session() as session:
        position = await position_of(session, 1, YEAR)
        [allocation] = [e for e in await entries_of(session, 1, YEAR) if e.kind == EntryKind.ALLOCATION]
    assert position.available_pence == -50_000
    assert allocation.source == f"overspend approved by person {await person_id(demo_db, PRIYA)}"


async def test_a_review_closing_early_releases_what_is_unpaid(demo_db: Database, clock: FixedClock) -> None:
    held = await held_meeting(demo_db, clock)
    [request_id] = held.request_ids
    entry = await funded(demo_db, "1500")
    await save(demo_db, clock, held.meeting_id, request_id, replace(entry, funding_to=date(2027, 7, 20)))
    await confirm(demo_db, clock, held.meeting_id)
    clock.advance(days=120)  # 10 April 2027: the review (30 March) is due; the funding runs to July
    await as_person(
        demo_db,
        GRACE,
        lambda s, a: record_review(s, clock, a, request_id, ReviewResult.ACHIEVED, "Done early."),
    )
    assert await ledger(demo_db) == [("budget_set", 4_800_000), ("allocation", 150_000), ("release", 150_000)]
    async with demo_db.session() as session:
        assert (
            await release_for_request(session, clock, request_id, reason="again", actor_person_id=None) == []
        )
        assert (await position_of(session, 1, YEAR)).available_pence == 4_800_000


async def test_a_review_after_the_funding_period_releases_nothing(
    demo_db: Database, clock: FixedClock
) -> None:
    held = await held_meeting(demo_db, clock)
    [request_id] = held.request_ids
    await save(demo_db, clock, held.meeting_id, request_id, await funded(demo_db, "1500"))  # to 26 March
    await confirm(demo_db, clock, held.meeting_id)
    clock.advance(days=120)
    await as_person(
        demo_db, GRACE, lambda s, a: record_review(s, clock, a, request_id, ReviewResult.ACHIEVED, "Done.")
    )
    assert await ledger(demo_db) == [("budget_set", 4_800_000), ("allocation", 150_000)]


async def test_a_withdrawal_releases_what_is_unpaid(demo_db: Database, clock: FixedClock) -> None:
    held = await held_meeting(demo_db, clock)
    [request_id] = held.request_ids
    await save(demo_db, clock, held.meeting_id, request_id, await funded(demo_db, "1500"))
    await confirm(demo_db, clock, held.meeting_id)
    async with demo_db.session() as session:  # a request decided, not yet in delivery, may be withdrawn
        await session.exec(update(Request).where(col(Request.id) == request_id).values(status="decided"))  # type: ignore[call-overload]
        await session.commit()
    await as_person(demo_db, HANNAH, lambda s, a: withdraw(s, clock, Outbox(clock), a, request_id))
    assert await status_of(demo_db, request_id) == "withdrawn"
    assert await ledger(demo_db) == [("budget_set", 4_800_000), ("allocation", 150_000), ("release", 150_000)]
