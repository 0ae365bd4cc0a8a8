"""The stages: who deals with each, acknowledge before decide, stale and forged buttons, a decision
that changes the outcome (a new version, the earlier one kept, the ledger following), escalation,
reading audited, and the officers' list."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlmodel import col, select

from communities.audit import AuditEvent
from communities.budget.service import Overspend
from communities.budget.tables import EntryKind, LedgerEntry
from communities.clock import FixedClock
from communities.db import Database
from communities.disputes import service
from communities.disputes.access import area_board
from communities.disputes.outcome_history import outcome_history
from communities.disputes.reading import open_for_reading
from communities.disputes.steps import DisputeRefused, today_of
from communities.disputes.tables import Dispute, DisputeStatus
from communities.disputes.varying import NewOutcome
from communities.disputes.views import open_disputes
from communities.outcomes.decisions import OutcomeDecision
from communities.outcomes.tables import Outcome
from communities.requests.lifecycle import RequestStatus
from communities.requests.tables import Request
from communities.roster.directory import community_by_code, find_person
from communities.roster.importing import import_roster
from tests.conftest import DEMO_ROSTER
from tests.support.disputes import (
    OLIVIA,
    WINDOWS,
    acknowledge,
    add_area_board_member,
    confirmed_outcomes,
    decide,
    escalate,
    raise_one,
)
from tests.support.outcomes import as_person
from tests.support.people import AMARA, DANIEL, GRACE, PRIYA, TOM


async def at_stage(db: Database, clock: FixedClock, stage: int, outcome: int = 0) -> int:
    """A dispute of the first outcome, acknowledged at ``stage``."""
    outcomes = (await confirmed_outcomes(db, clock, 2)).outcome_ids
    dispute = await raise_one(db, clock, DANIEL, outcomes[outcome])
    assert dispute.id is not None
    handlers = {1: GRACE, 2: PRIYA, 3: OLIVIA}
    if stage == 3:
        await add_area_board_member(db, clock)
    for current in range(1, stage + 1):
        await acknowledge(db, clock, handlers[current], dispute.id)
        if current < stage:
            await decide(db, clock, handlers[current], dispute.id, "not_upheld", "Within the policy.")
            await escalate(db, clock, DANIEL, dispute.id)
    return dispute.id


async def ledger(db: Database, outcome_id: int) -> list[tuple[str, int]]:
    async with db.session() as session:
        rows = await session.exec(
            select(LedgerEntry).where(LedgerEntry.outcome_id == outcome_id).order_by(col(LedgerEntry.id))
        )
        return [(str(e.kind), e.amount_pence) for e in rows.all()]


async def the_dispute(db: Database, dispute_id: int) -> Dispute:
    async with db.session() as session:
        found = await session.get(Dispute, dispute_id)
    assert found is not None
    return found


async def test_the_conflicted_chair_steps_aside_for_the_vice_chair(
    demo_db: Database, clock: FixedClock
) -> None:
    """Daniel chairs CANT1 and leads Westgate: its dispute is Grace's at stage 1."""
    outcome = (await confirmed_outcomes(demo_db, clock, 1)).outcome_ids[0]
    dispute = await raise_one(demo_db, clock, DANIEL, outcome)
    assert dispute.id is not None
    for email in (DANIEL, PRIYA, TOM):
        with pytest.raises(DisputeRefused, match="Only the chair or vice chair of CANT1"):
            await acknowledge(demo_db, clock, email, dispute.id)
    assert (await the_dispute(demo_db, dispute.id)).status == DisputeStatus.AWAITING_ACKNOWLEDGEMENT
    async with demo_db.session() as session:
        refusals = (
            await session.exec(select(AuditEvent).where(AuditEvent.action == "dispute_acknowledge_refused"))
        ).all()
    assert len(refusals) == 3
    await acknowledge(demo_db, clock, GRACE, dispute.id)


async def test_stale_and_out_of_order_buttons_are_refused(demo_db: Database, clock: FixedClock) -> None:
    dispute_id = await at_stage(demo_db, clock, 1)
    with pytest.raises(DisputeRefused, match="This card is out of date"):
        await as_person(demo_db, GRACE, lambda s, a: service.acknowledge(s, clock, a, dispute_id, 1))
    with pytest.raises(DisputeRefused, match="not waiting to be acknowledged"):
        await acknowledge(demo_db, clock, GRACE, dispute_id)
    with pytest.raises(DisputeRefused, match="cannot be escalated now"):
        await escalate(demo_db, clock, DANIEL, dispute_id)
    with pytest.raises(DisputeRefused, match="That dispute does not exist"):
        await acknowledge(demo_db, clock, GRACE, 999)


async def test_a_decision_needs_a_finding_reasons_and_for_a_change_the_new_outcome(
    demo_db: Database, clock: FixedClock
) -> None:
    dispute_id = await at_stage(demo_db, clock, 1)
    with pytest.raises(DisputeRefused, match="Choose the decision"):
        await decide(demo_db, clock, GRACE, dispute_id, "maybe", "Because.")
    with pytest.raises(DisputeRefused, match="Give the reasons for the decision"):
        await decide(demo_db, clock, GRACE, dispute_id, "not_upheld", "")
    with pytest.raises(DisputeRefused, match="give the funding now agreed"):
        await decide(demo_db, clock, GRACE, dispute_id, "upheld", "Because.")
    with pytest.raises(DisputeRefused, match="Only a council officer can approve an overspend"):
        await as_person(
            demo_db,
            GRACE,
            lambda s, a: service.decide(
                s,
                clock,
                a,
                dispute_id,
                None,
                "varied",
                "Because.",
                WINDOWS,
                new_outcome=NewOutcome(None, 100, "More."),
                approve_overspend=True,
            ),
        )
    assert (await the_dispute(demo_db, dispute_id)).status == DisputeStatus.ACKNOWLEDGED


async def test_upheld_with_no_funding_releases_the_allocation(demo_db: Database, clock: FixedClock) -> None:
    outcome_id = (await confirmed_outcomes(demo_db, clock, 1)).outcome_ids[0]
    dispute = await raise_one(demo_db, clock, DANIEL, outcome_id, "outcome")
    assert dispute.id is not None
    await acknowledge(demo_db, clock, GRACE, dispute.id)
    new = NewOutcome(None, 0, "Support from the outreach team instead.")
    decided = await decide(
        demo_db, clock, GRACE, dispute.id, "upheld", "Funding was not the right answer.", new
    )
    # Ten school days from Friday 11 December, over Christmas: Tuesday 29 December.
    assert (decided.status, str(decided.escalate_by)) == (DisputeStatus.DECIDED, "2026-12-29")
    assert await ledger(demo_db, outcome_id) == [("allocation", 150_000), ("release", 150_000)]
    async with demo_db.session() as session:
        outcome = await session.get(Outcome, outcome_id)
        history = await outcome_history(session, outcome_id)
    assert outcome is not None and outcome.funding_pence is None
    assert outcome.rationale == "Support from the outreach team instead."
    assert [(v.funding_pence, v.version) for v in history] == [(150_000, 2)]


async def test_funding_agreed_on_a_dispute_is_allocated_and_reopens_the_closed_request_for_review(
    demo_db: Database, clock: FixedClock
) -> None:
    """The second outcome (not agreed: its request closed) had no allocation: £800 now agreed is a
    new one, and the request is in delivery again, with the review date the decision gives."""
    dispute_id = await at_stage(demo_db, clock, 2, outcome=1)
    dispute = await the_dispute(demo_db, dispute_id)
    new = NewOutcome(OutcomeDecision.FUNDING_AGREED, 80_000, "A short package is fair.")
    with pytest.raises(DisputeRefused, match="give the date its support will be reviewed"):
        await decide(demo_db, clock, PRIYA, dispute_id, "varied", "Comparable requests were funded.", new)
    assert await ledger(demo_db, dispute.outcome_id) == []
    assert (await request_of(demo_db, dispute.request_id)).status == RequestStatus.CLOSED
    reviewed = replace(new, review_date=date(2027, 3, 19))
    await decide(demo_db, clock, PRIYA, dispute_id, "varied", "Comparable requests were funded.", reviewed)
    assert await ledger(demo_db, dispute.outcome_id) == [("allocation", 80_000)]
    async with demo_db.session() as session:
        outcome = await session.get(Outcome, dispute.outcome_id)
    assert outcome is not None and (outcome.decision, outcome.funding_pence) == ("funding_agreed", 80_000)
    request = await request_of(demo_db, dispute.request_id)
    assert (request.status, request.review_date) == (RequestStatus.IN_DELIVERY, date(2027, 3, 19))


async def test_a_decision_that_agrees_no_support_closes_the_request_and_releases_its_money(
    demo_db: Database, clock: FixedClock
) -> None:
    dispute_id = await at_stage(demo_db, clock, 1)
    dispute = await the_dispute(demo_db, dispute_id)
    assert (await request_of(demo_db, dispute.request_id)).status == RequestStatus.IN_DELIVERY
    funded = NewOutcome(OutcomeDecision.ADVICE_ONLY, 50_000, "Advice from the outreach team.")
    with pytest.raises(DisputeRefused, match="Funding goes with the decisions 'Funding agreed'"):
        await decide(demo_db, clock, GRACE, dispute_id, "varied", "Advice meets the need.", funded)
    advice = replace(funded, funding_pence=None)  # the funding field left empty: not kept with advice
    await decide(demo_db, clock, GRACE, dispute_id, "varied", "Advice meets the need.", advice)
    assert await ledger(demo_db, dispute.outcome_id) == [("allocation", 150_000), ("release", 150_000)]
    assert (await request_of(demo_db, dispute.request_id)).status == RequestStatus.CLOSED


async def request_of(db: Database, request_id: int) -> Request:
    async with db.session() as session:
        found = await session.get(Request, request_id)
    assert found is not None
    return found


async def test_an_overspend_is_refused_with_the_numbers_unless_an_officer_approves(
    demo_db: Database, clock: FixedClock
) -> None:
    dispute_id = await at_stage(demo_db, clock, 2)
    dispute = await the_dispute(demo_db, dispute_id)
    new = NewOutcome(None, 1_500_000, "The full cost.")
    with pytest.raises(Overspend, match="£8,500 is available"):
        await decide(demo_db, clock, PRIYA, dispute_id, "varied", "The need is high.", new)
    assert (await the_dispute(demo_db, dispute_id)).status == DisputeStatus.ACKNOWLEDGED
    async with demo_db.session() as session:
        assert await outcome_history(session, dispute.outcome_id) == []
    await as_person(
        demo_db,
        PRIYA,
        lambda s, a: service.decide(
            s,
            clock,
            a,
            dispute_id,
            None,
            "varied",
            "The need is high.",
            WINDOWS,
            new_outcome=new,
            approve_overspend=True,
        ),
    )
    assert await ledger(demo_db, dispute.outcome_id) == [
        ("allocation", 150_000),
        (EntryKind.ALLOCATION_CHANGED.value, 1_350_000),
    ]


async def test_the_area_board_is_the_last_stage(demo_db: Database, clock: FixedClock) -> None:
    dispute_id = await at_stage(demo_db, clock, 3)
    with pytest.raises(DisputeRefused, match="a member of the Area Board for CANT1's area"):
        await decide(demo_db, clock, PRIYA, dispute_id, "not_upheld", "No.")
    decided = await decide(demo_db, clock, OLIVIA, dispute_id, "not_upheld", "The process was followed.")
    assert decided.status == DisputeStatus.CLOSED and decided.escalate_by is None
    with pytest.raises(DisputeRefused, match="The Area Board's decision is the last stage"):
        await escalate(demo_db, clock, DANIEL, dispute_id)


async def test_only_the_school_leader_escalates(demo_db: Database, clock: FixedClock) -> None:
    dispute_id = await at_stage(demo_db, clock, 1)
    await decide(demo_db, clock, GRACE, dispute_id, "not_upheld", "Within the policy.")
    with pytest.raises(
        DisputeRefused, match="Only a school leader at Westgate Meadow Primary School can escalate"
    ):
        await escalate(demo_db, clock, GRACE, dispute_id)
    assert (await the_dispute(demo_db, dispute_id)).stage == 1


async def test_reading_is_audited_and_kept_to_those_involved(demo_db: Database, clock: FixedClock) -> None:
    dispute_id = await at_stage(demo_db, clock, 1)
    for email in (DANIEL, GRACE, PRIYA):
        await as_person(demo_db, email, lambda s, a: open_for_reading(s, clock, a, dispute_id))
    for email in (TOM, AMARA):
        with pytest.raises(DisputeRefused, match="Only the school that raised it"):
            await as_person(demo_db, email, lambda s, a: open_for_reading(s, clock, a, dispute_id))
    async with demo_db.session() as session:
        actions = [
            e.action for e in (await session.exec(select(AuditEvent))).all() if "dispute_read" in e.action
        ]
    assert actions == ["dispute_read"] * 3 + ["dispute_read_refused"] * 2


async def test_the_officers_list_every_open_dispute_with_its_age(
    demo_db: Database, clock: FixedClock
) -> None:
    dispute_id = await at_stage(demo_db, clock, 1)
    clock.advance(days=5)  # Wednesday 16 December: three school days after Friday 11 December
    lines = await as_person(demo_db, PRIYA, lambda s, a: open_disputes(s, clock, a, today_of(clock)))
    [line] = lines
    assert (line.dispute_id, line.age_days, line.deadline_label, str(line.deadline), line.overdue) == (
        dispute_id,
        3,
        "Decide by",
        "2027-01-13",
        False,
    )


async def test_the_area_board_comes_from_the_roster_import_for_the_whole_area(
    db: Database, clock: FixedClock
) -> None:
    """The demo's ``area_board`` row names THAN2: Olivia sits for every East community, not West."""
    await import_roster(db, DEMO_ROSTER, clock)
    async with db.session() as session:
        found = {}
        for code in ("CANT1", "MAID1"):
            community = await community_by_code(session, code)
            assert community is not None and community.id is not None
            found[code] = await area_board(session, community.id)
        olivia = await find_person(session, aad_object_id=None, email="olivia.hart@kent-demo.example.org")
    assert olivia is not None
    assert found == {"CANT1": [olivia.id], "MAID1": []}
