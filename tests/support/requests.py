"""Requests for tests that start from one already raised: its stored answers, and the way it got there."""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from communities.clock import Clock
from communities.db import Database
from communities.messaging.outbox import Outbox
from communities.requests.service import accept, save_answers, start_draft, submit
from communities.requests.tables import Request
from communities.roster.tables import School
from tests.support.people import DANIEL, GRACE, profile_of

#: Daniel Okafor's school (he chairs CANT1): he may not accept or decide its requests.
WESTGATE = "990101"

#: A complete request as the Request Form stores it (a made-up pupil reference).
COMPLETE: dict[str, Any] = {
    "request_type": "one_pupil",
    "pupil_ref": "WM-2026-07",
    "year_group": "5",
    "sen_status": "sen_support",
    "primary_need": "semh",
    "needs_summary": "Struggles to settle after break; dysregulation most afternoons.",
    "apdr_cycles": 2,
    "graduated_response": (
        "Two assess-plan-do-review cycles: a calm space and a key adult helped in the mornings."
    ),
    "what_worked": "The calm space helped; the reward chart did not.",
    "hoped_outcome": "Settled afternoons and a plan the class team can keep up.",
    "support": ["advice", "funding"],
    "funding_pounds": 1500,
    "parents_informed": True,
    "parental_agreement": True,
    "urgency": "standard",
}


async def school_id(db: Database, urn: str) -> int:
    async with db.session() as session:
        school = (await session.exec(select(School).where(School.urn == urn))).one()
    assert school.id is not None
    return school.id


async def raise_and_submit(
    db: Database, clock: Clock, email: str, urn: str, answers: dict[str, Any] = COMPLETE
) -> Request:
    """A request raised by ``email`` for the school ``urn`` and submitted, waiting for its chair."""
    actor = await profile_of(db, email)
    school = await school_id(db, urn)
    async with db.session() as session:
        request = await start_draft(session, clock, actor, school)
        assert request.id is not None
        await save_answers(session, clock, actor, request.id, answers)
        await submit(session, clock, Outbox(clock), actor, request.id)
        await session.commit()
    return request


async def raise_and_accept(
    db: Database,
    clock: Clock,
    email: str,
    urn: str,
    answers: dict[str, Any] = COMPLETE,
    *,
    chair: str | None = None,
) -> Request:
    """A request raised by ``email`` for the school ``urn``, submitted, and accepted by ``chair``
    through the domain services (so it is on the next meeting whose deadline it meets).

    By default the chair of CANT1 accepts it, or the vice chair when it comes from the chair's own
    school (Westgate Meadow, 990101), which the chair may not accept.
    """
    request = await raise_and_submit(db, clock, email, urn, answers)
    assert request.id is not None
    accepting = await profile_of(db, chair or (GRACE if urn == WESTGATE else DANIEL))
    async with db.session() as session:
        await accept(session, clock, Outbox(clock), accepting, request.id)
        await session.commit()
        accepted = await session.get(Request, request.id)
    assert accepted is not None
    return accepted
