"""Raising a dispute: the requesting school's leader, within 20 school days of the outcome, once,
with grounds and reasons checked for text that may identify a child. Anything refused writes
nothing (a refusal of permission only its audit row)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from communities.audit import AuditEvent
from communities.clock import FixedClock
from communities.db import Database
from communities.disputes.raising import disputable, raise_dispute
from communities.disputes.steps import DisputeRefused, IdentifyingReasons
from communities.disputes.tables import Dispute, DisputeEvent, DisputeStatus, Stage
from tests.support.disputes import WINDOWS, confirmed_outcomes
from tests.support.outcomes import as_person
from tests.support.people import DANIEL, GRACE, HANNAH

REASONS = "The allocation is lower than for similar needs elsewhere in the community."


async def raise_as(
    db: Database,
    clock: FixedClock,
    email: str,
    outcome_id: int,
    grounds: str = "outcome",
    reasons: str = REASONS,
    confirmed: bool = False,
) -> Dispute:
    return await as_person(
        db,
        email,
        lambda s, a: raise_dispute(
            s, clock, a, outcome_id, grounds, reasons, WINDOWS, not_about_a_pupil=confirmed
        ),
    )


async def disputes(db: Database) -> list[Dispute]:
    async with db.session() as session:
        return list((await session.exec(select(Dispute))).all())


async def audited(db: Database, action: str) -> list[AuditEvent]:
    async with db.session() as session:
        return list((await session.exec(select(AuditEvent).where(AuditEvent.action == action))).all())


async def test_the_school_leader_raises_it_at_stage_1(demo_db: Database, clock: FixedClock) -> None:
    confirmed = await confirmed_outcomes(demo_db, clock, 1)
    clock.advance(days=3)  # Monday 14 December
    dispute = await raise_as(demo_db, clock, DANIEL, confirmed.outcome_ids[0], "allocation")
    assert (dispute.stage, dispute.status, dispute.grounds) == (
        Stage.CHAIR,
        DisputeStatus.AWAITING_ACKNOWLEDGEMENT,
        "allocation",
    )
    assert (str(dispute.acknowledge_by), str(dispute.decide_by)) == ("2026-12-21", "2027-01-14")
    async with demo_db.session() as session:
        events = (await session.exec(select(DisputeEvent))).all()
    assert [(e.kind, e.reasons) for e in events] == [("raised", REASONS)]
    [row] = await audited(demo_db, "dispute_raised")
    assert REASONS not in str(row.detail)  # the audit keeps ids and codes, never the text


@pytest.mark.parametrize("email", [HANNAH, GRACE])
async def test_only_a_leader_of_the_requesting_school(
    demo_db: Database, clock: FixedClock, email: str
) -> None:
    """Hannah is Westgate's SENCO, not a leader; Grace leads another school."""
    confirmed = await confirmed_outcomes(demo_db, clock, 1)
    with pytest.raises(DisputeRefused, match="Only a school leader at Westgate Meadow Primary School"):
        await raise_as(demo_db, clock, email, confirmed.outcome_ids[0])
    assert await disputes(demo_db) == []
    assert len(await audited(demo_db, "dispute_raise_refused")) == 1


async def test_grounds_and_reasons_are_needed(demo_db: Database, clock: FixedClock) -> None:
    outcome = (await confirmed_outcomes(demo_db, clock, 1)).outcome_ids[0]
    with pytest.raises(DisputeRefused, match="Choose what you dispute"):
        await raise_as(demo_db, clock, DANIEL, outcome, grounds="everything")
    with pytest.raises(DisputeRefused, match="Give your reasons"):
        await raise_as(demo_db, clock, DANIEL, outcome, reasons="   ")
    assert await disputes(demo_db) == []


async def test_reasons_that_may_name_a_child_are_checked(demo_db: Database, clock: FixedClock) -> None:
    outcome = (await confirmed_outcomes(demo_db, clock, 1)).outcome_ids[0]
    named = "Jack Smith needs more than the allocation allows."
    with pytest.raises(IdentifyingReasons):
        await raise_as(demo_db, clock, DANIEL, outcome, reasons=named)
    assert await disputes(demo_db) == []
    dispute = await raise_as(demo_db, clock, DANIEL, outcome, reasons=named, confirmed=True)
    assert dispute.identifying_text_acknowledged["reasons"]["kinds"] == ["name"]


async def test_one_dispute_per_outcome(demo_db: Database, clock: FixedClock) -> None:
    outcome = (await confirmed_outcomes(demo_db, clock, 1)).outcome_ids[0]
    await raise_as(demo_db, clock, DANIEL, outcome)
    with pytest.raises(DisputeRefused, match="is already disputed"):
        await raise_as(demo_db, clock, DANIEL, outcome)


async def test_the_window_is_20_school_days(demo_db: Database, clock: FixedClock) -> None:
    """Confirmed on Friday 11 December: the last day is Wednesday 13 January (bank holidays skipped)."""
    first, second = (await confirmed_outcomes(demo_db, clock, 2)).outcome_ids
    clock.advance(seconds=(datetime(2027, 1, 13, 16, tzinfo=UTC) - clock.now()).total_seconds())
    found = await as_person(
        demo_db, DANIEL, lambda s, a: disputable(s, clock, a, "COS-CANT1-26-001", WINDOWS)
    )
    assert (found.outcome_id, str(found.last_day)) == (first, "2027-01-13")
    await raise_as(demo_db, clock, DANIEL, first)
    clock.advance(days=1)
    with pytest.raises(DisputeRefused, match="the last day to raise a dispute was Wednesday 13 January 2027"):
        await raise_as(demo_db, clock, DANIEL, second)


async def test_a_request_without_a_confirmed_outcome_cannot_be_disputed(
    demo_db: Database, clock: FixedClock
) -> None:
    await confirmed_outcomes(demo_db, clock, 1)
    with pytest.raises(DisputeRefused, match="That outcome does not exist"):
        await as_person(demo_db, DANIEL, lambda s, a: disputable(s, clock, a, "COS-CANT1-26-099", WINDOWS))
