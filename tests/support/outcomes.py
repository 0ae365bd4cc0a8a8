"""A CANT1 meeting that has taken place with requests on its published agenda, ready for outcomes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, TypeVar

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from communities.agendas.access import build_draft
from communities.agendas.tables import AgendaStatus
from communities.budget.service import set_budget
from communities.budget.years import FinancialYear
from communities.clock import FixedClock
from communities.db import Database
from communities.outcomes.validation import ActionEntry, Offer, OutcomeEntry
from communities.requests.placement import schedule_published
from communities.requests.tables import Request
from communities.roster.directory import find_person
from communities.roster.tables import Community
from tests.support.meetings import add_meeting
from tests.support.people import DANIEL, GRACE, HANNAH, profile_of
from tests.support.requests import raise_and_accept, school_id

#: The meeting: Thursday 10 December 2026, 16:00 in London (its deadline is 30 November).
MEETING_AT = "2026-12-10 16:00"
MEETING_DAY = date(2026, 12, 10)
T = TypeVar("T")


@dataclass(frozen=True)
class Held:
    meeting_id: int
    request_ids: list[int]


async def person_id(db: Database, email: str) -> int:
    async with db.session() as session:
        person = await find_person(session, aad_object_id=None, email=email)
    assert person is not None and person.id is not None
    return person.id


async def held_meeting(
    db: Database,
    clock: FixedClock,
    items: int = 1,
    *,
    email: str = HANNAH,
    urn: str = "990101",
    budget_pence: int | None = 4_800_000,
) -> Held:
    """A meeting with ``items`` requests from ``urn`` on its published agenda; the clock is after it.
    CANT1 has a budget of ``budget_pence`` for the meeting's financial year (None: no budget set)."""
    meeting_id = await add_meeting(db, clock, "CANT1", MEETING_AT)
    if budget_pence is not None:
        await set_a_budget(db, clock, "CANT1", budget_pence)
    request_ids = []
    for _ in range(items):
        request = await raise_and_accept(db, clock, email, urn)
        assert request.id is not None and request.meeting_id == meeting_id
        request_ids.append(request.id)
    await publish(db, clock, meeting_id)
    clock.advance(days=18)  # Friday 11 December: the meeting has taken place
    return Held(meeting_id, request_ids)


async def publish(db: Database, clock: FixedClock, meeting_id: int) -> list[str]:
    """What publishing the agenda does to it and its requests (the channel post is the agenda tests'
    business: ``communities.agendas.publishing.publish`` calls the same ``schedule_published``)."""
    grace = await profile_of(db, GRACE)
    async with db.session() as session:
        agenda = await build_draft(session, clock, meeting_id)
        agenda.status = AgendaStatus.PUBLISHED
        agenda.published_at = clock.now()
        session.add(agenda)
        refs = await schedule_published(session, clock, grace, meeting_id)
        await session.commit()
    return refs


async def as_person(db: Database, email: str, work: Callable[[AsyncSession, Any], Awaitable[T]]) -> T:
    """Run ``work(session, profile)`` and commit."""
    actor = await profile_of(db, email)
    async with db.session() as session:
        result = await work(session, actor)
        await session.commit()
        return result


async def status_of(db: Database, request_id: int) -> str:
    async with db.session() as session:
        request = await session.get(Request, request_id)
    assert request is not None
    return str(request.status)


async def rulings_for_westgate(db: Database) -> dict[int, str]:
    """The rulings a Westgate Meadow request needs: its chair and its SENCO are flagged (their school)."""
    return {
        await person_id(db, DANIEL): "took_no_part",
        await person_id(db, HANNAH): "spoke_not_decided",
    }


def support_agreed(rulings: dict[int, str], **changes: Any) -> OutcomeEntry:
    entry = OutcomeEntry(
        decision="support_agreed",
        what_is_working="The calm space in the mornings works; the class team keeps it up.",
        ideas_and_offers=(Offer("Outreach from their nurture lead, two afternoons", school_urn="990102"),),
        actions=(),
        rationale="A clear plan, and a school nearby with the expertise.",
        review_date=date(2027, 3, 30),
        rulings=rulings,
    )
    return replace(entry, **changes)


async def owner_school(db: Database, urn: str = "990102") -> int:
    return await school_id(db, urn)


def action(
    school: int, description: str = "Share the nurture plan template", due: date | None = None
) -> ActionEntry:
    return ActionEntry(description, due or date(2027, 1, 15), owner_school_id=school)


async def set_a_budget(db: Database, clock: FixedClock, code: str, amount_pence: int) -> None:
    """The community's budget for the financial year of the meeting (CANT1: £48,000 for 2026-27)."""
    async with db.session() as session:
        community = (await session.exec(select(Community).where(Community.code == code))).one()
        assert community.id is not None
        year = FinancialYear.of(MEETING_DAY)
        await set_budget(session, clock, community.id, year, amount_pence, reason="row 2", source="test")
        await session.commit()
