"""The money in the minutes, on a real database: each allocation the meeting's outcomes made (the
reference, the school, the amount) and the budget's position just after them, on the chair's draft
and the members' copy; a meeting that allocated nothing says so."""

from __future__ import annotations

import json

from sqlmodel import select

from cards.minutes.chair import chair_minutes_card
from cards.minutes.members import members_minutes_card
from communities.budget.ledger import Position
from communities.budget.service import allocate
from communities.budget.tables import EntryKind
from communities.budget.years import FinancialYear
from communities.clock import FixedClock
from communities.db import Database
from communities.minutes import drafting
from communities.minutes.view import MinutesView
from communities.outcomes.confirming import confirm_outcomes
from communities.roster.tables import Community
from tests.support.minutes import Decided, decided_meeting
from tests.support.outcomes import as_person
from tests.support.people import DANIEL, GRACE
from tests.support.requests import school_id

YEAR = FinancialYear(2026)
WESTGATE = "Westgate Meadow Primary School"


async def money_around(db: Database, clock: FixedClock) -> Decided:
    """The meeting's £1,500 to Westgate, allocated from CANT1's £48,000 for 2026-27 when its outcome
    is confirmed, between £1,000 to St Dunstan's before it and £2,000 more after it (neither is the
    meeting's)."""
    decided = await decided_meeting(db, clock, confirm=False)
    await to_dunstans(db, clock, 100_000)
    await as_person(db, GRACE, lambda s, a: confirm_outcomes(s, clock, a, decided.meeting_id))
    await to_dunstans(db, clock, 200_000)
    return decided


async def to_dunstans(db: Database, clock: FixedClock, pence: int) -> None:
    dunstans = await school_id(db, "990102")
    async with db.session() as session:
        community = (await session.exec(select(Community).where(Community.code == "CANT1"))).one()
        assert community.id is not None
        await allocate(
            session, clock, community.id, YEAR, pence, school_id=dunstans, outcome_id=None, actor_person_id=1
        )
        await session.commit()


def opened(clock: FixedClock, meeting_id: int) -> object:
    return lambda s, a: drafting.open_minutes(s, clock, a, meeting_id)


async def test_the_minutes_show_each_allocation_the_meeting_made_and_the_position_after(
    demo_db: Database, clock: FixedClock
) -> None:
    decided = await money_around(demo_db, clock)
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
    decided = await decided_meeting(demo_db, clock, funding=None)
    shown: MinutesView = await as_person(demo_db, DANIEL, opened(clock, decided.meeting_id))
    assert shown.money is None
    assert "No money was allocated at this meeting." in json.dumps(members_minutes_card(shown))
