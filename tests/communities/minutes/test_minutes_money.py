"""The money in the minutes, on a real database: each allocation the meeting's outcomes made (the
reference, the school, the amount) and the budget's position just after them, on the chair's draft
and the members' copy; a meeting that allocated nothing says so."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlmodel import select

from cards.minutes.chair import chair_minutes_card
from cards.minutes.members import members_minutes_card
from communities.budget.ledger import Position
from communities.budget.service import allocate, set_budget
from communities.budget.tables import EntryKind
from communities.budget.years import FinancialYear
from communities.clock import FixedClock
from communities.db import Database
from communities.minutes import drafting
from communities.minutes.view import MinutesView
from communities.outcomes.tables import Outcome
from communities.roster.tables import Community
from tests.support.minutes import Decided, decided_meeting
from tests.support.outcomes import as_person
from tests.support.people import DANIEL
from tests.support.requests import school_id

YEAR = FinancialYear(2026)
WESTGATE = "Westgate Meadow Primary School"


async def money_for(db: Database, decided: Decided) -> None:
    """£48,000 for 2026-27; £1,000 to St Dunstan's before (no outcome); the meeting's £1,500 to
    Westgate for its outcome; then £2,000 more to St Dunstan's later (not the meeting's)."""
    dunstans, westgate = await school_id(db, "990102"), await school_id(db, "990101")
    async with db.session() as session:
        community = (await session.exec(select(Community).where(Community.code == "CANT1"))).one()
        outcome = (
            await session.exec(
                select(Outcome).where(
                    Outcome.meeting_id == decided.meeting_id, Outcome.request_id == decided.request_id
                )
            )
        ).one()
        assert community.id is not None and outcome.id is not None
        clock = FixedClock(datetime(2026, 12, 11, 9, tzinfo=UTC))
        await set_budget(session, clock, community.id, YEAR, 4_800_000, reason="file", source="test")
        for school, outcome_id, pence in ((dunstans, None, 100_000), (westgate, outcome.id, 150_000)):
            await allocate(
                session,
                clock,
                community.id,
                YEAR,
                pence,
                school_id=school,
                outcome_id=outcome_id,
                actor_person_id=1,
            )
        await allocate(
            session,
            clock,
            community.id,
            YEAR,
            200_000,
            school_id=dunstans,
            outcome_id=None,
            actor_person_id=1,
        )
        await session.commit()


def opened(clock: FixedClock, meeting_id: int) -> object:
    return lambda s, a: drafting.open_minutes(s, clock, a, meeting_id)


async def test_the_minutes_show_each_allocation_the_meeting_made_and_the_position_after(
    demo_db: Database, clock: FixedClock
) -> None:
    decided = await decided_meeting(demo_db, clock)
    await money_for(demo_db, decided)
    shown: MinutesView = await as_person(demo_db, DANIEL, opened(clock, decided.meeting_id))
    assert shown.money is not None and shown.money.year == "2026-27"
    assert [(m.kind, m.ref, m.school, m.amount_pence) for m in shown.money.movements] == [
        (EntryKind.ALLOCATION, decided.ref, WESTGATE, 150_000)
    ]
    # After the meeting's allocation, before the later one: £1,000 + £1,500 committed.
    assert shown.money.position == Position(4_800_000, 250_000, 0)
    for card in (chair_minutes_card(shown), members_minutes_card(shown)):
        flat = json.dumps(card, ensure_ascii=False)
        assert "Allocations made at this meeting" in flat and "financial year 2026-27" in flat
        assert f'"title": "{decided.ref}, {WESTGATE}", "value": "£1,500"' in flat
        assert '"title": "Committed", "value": "£2,500"' in flat
        assert '"title": "Available", "value": "£45,500"' in flat


async def test_a_meeting_that_allocated_nothing_says_so(demo_db: Database, clock: FixedClock) -> None:
    decided = await decided_meeting(demo_db, clock)
    shown: MinutesView = await as_person(demo_db, DANIEL, opened(clock, decided.meeting_id))
    assert shown.money is None
    assert "No money was allocated at this meeting." in json.dumps(members_minutes_card(shown))
