"""The money on the agenda, from the ledger on a real database: the position for the meeting's
financial year and what was allocated, changed or released since the community's last meeting."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import select

from communities.agendas.access import build_draft
from communities.agendas.view import view
from communities.budget.ledger import Position
from communities.budget.service import allocate, change_allocation, release_allocation, set_budget
from communities.budget.since import budget_since
from communities.budget.tables import EntryKind
from communities.budget.years import FinancialYear
from communities.clock import FixedClock
from communities.db import Database
from communities.roster.tables import Community
from tests.communities.agendas.test_agendas import two_meetings
from tests.support.requests import school_id

YEAR = FinancialYear(2026)


async def cant1(db: Database) -> int:
    async with db.session() as session:
        found = (await session.exec(select(Community).where(Community.code == "CANT1"))).one()
    assert found.id is not None
    return found.id


def at(when: str) -> FixedClock:
    return FixedClock(datetime.fromisoformat(when).replace(tzinfo=UTC))


async def ledger(db: Database) -> tuple[int, list[int]]:
    """£48,000 for 2026-27; £1,000 to Westgate on 5 January (before the January meeting), then
    £1,500 to St Dunstan's on 1 February, £700 to Westgate on 4 February; the first changed to
    £2,000 on 5 February and the second released on 10 February."""
    community = await cant1(db)
    westgate, dunstans = await school_id(db, "990101"), await school_id(db, "990102")
    ids: list[int] = []
    async with db.session() as session:
        setting = at("2026-04-02 09:00")
        await set_budget(session, setting, community, YEAR, 4_800_000, reason="file row 2", source="test")
        for when, school, pence in (
            ("2027-01-05 10:00", westgate, 100_000),
            ("2027-02-01 10:00", dunstans, 150_000),
            ("2027-02-04 10:00", westgate, 70_000),
        ):
            written = await allocate(
                session,
                at(when),
                community,
                YEAR,
                pence,
                school_id=school,
                outcome_id=None,
                actor_person_id=1,
            )
            assert written.entry is not None and written.entry.id is not None
            ids.append(written.entry.id)
        await change_allocation(
            session, at("2027-02-05 10:00"), ids[1], 200_000, reason="varied", actor_person_id=1
        )
        await release_allocation(
            session, at("2027-02-10 10:00"), ids[2], reason="not needed", actor_person_id=1
        )
        await session.commit()
    return community, ids


async def test_the_window_holds_allocations_changes_and_releases_after_the_start_only(
    demo_db: Database,
) -> None:
    community, _ = await ledger(demo_db)
    async with demo_db.session() as session:
        since_january = await budget_since(
            session,
            community,
            datetime(2027, 3, 30).date(),
            after=datetime(2027, 1, 20, 16, tzinfo=UTC),
            until=datetime(2027, 3, 30, 16, tzinfo=UTC),
        )
        whole_year = await budget_since(
            session, community, datetime(2026, 6, 1).date(), after=None, until=None
        )
        next_year = await budget_since(
            session, community, datetime(2027, 4, 1).date(), after=None, until=None
        )
    assert since_january.year == "2026-27"
    assert since_january.position == Position(4_800_000, 300_000, 0)
    assert [(m.kind, m.school, m.amount_pence) for m in since_january.movements] == [
        (EntryKind.ALLOCATION, "St Dunstan's Church of England Primary School", 150_000),
        (EntryKind.ALLOCATION, "Westgate Meadow Primary School", 70_000),
        (EntryKind.ALLOCATION_CHANGED, "St Dunstan's Church of England Primary School", 50_000),
        (EntryKind.RELEASE, "Westgate Meadow Primary School", -70_000),
    ]
    assert len(whole_year.movements) == 5 and whole_year.movements[0].amount_pence == 100_000
    assert next_year.year == "2027-28" and next_year.position is None and next_year.movements == ()


async def test_the_agenda_of_the_next_meeting_reports_the_money_since_the_last_one(
    demo_db: Database, clock: FixedClock
) -> None:
    january, march = await two_meetings(demo_db, clock)
    await ledger(demo_db)
    async with demo_db.session() as session:
        await build_draft(session, clock, january)
        await build_draft(session, clock, march)
        await session.commit()
    async with demo_db.session() as session:
        first = await view(session, meeting_id=january)
        second = await view(session, meeting_id=march)
    # January's is the community's first meeting: the year so far, up to the meeting.
    assert first.budget.since is None
    assert [m.amount_pence for m in first.budget.movements] == [100_000]
    assert second.budget.since == "the meeting on 20 January 2027"
    assert [m.amount_pence for m in second.budget.movements] == [150_000, 70_000, 50_000, -70_000]
    assert second.budget.position == Position(4_800_000, 300_000, 0)
