"""A CANT1 meeting that has taken place, with its outcomes confirmed: ready for its minutes."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from communities.agendas.access import agenda_of
from communities.clock import FixedClock
from communities.db import Database
from communities.outcomes.attendance import Mark, save_attendance
from communities.outcomes.confirming import confirm_outcomes
from communities.outcomes.recording import save_outcome
from communities.outcomes.tables import AttendanceStatus
from communities.requests.tables import Request
from tests.support.outcomes import (
    MEETING_DAY,
    action,
    as_person,
    held_meeting,
    owner_school,
    person_id,
    rulings_for_westgate,
    support_agreed,
)
from tests.support.people import GRACE

__all__ = ["MEETING_DAY", "Decided", "decided_meeting"]

AOB_LINE = "Transport for the summer school"
ACTION = "Share the nurture plan template"


@dataclass(frozen=True)
class Decided:
    meeting_id: int
    request_id: int
    ref: str


async def decided_meeting(
    db: Database, clock: FixedClock, *, confirm: bool = True, funding: str | None = "£1,500"
) -> Decided:
    """Westgate's request decided (``funding`` agreed, allocated from CANT1's £48,000 on confirming;
    or support agreed without funding), an action for St Dunstan's due 15 January 2027, Grace's
    apologies recorded, a line of any other business on the agenda; outcomes confirmed."""
    held = await held_meeting(db, clock)
    [request_id] = held.request_ids
    async with db.session() as session:
        agenda = await agenda_of(session, held.meeting_id)
        assert agenda is not None
        agenda.aob = [AOB_LINE]
        session.add(agenda)
        await session.commit()
    grace = await person_id(db, GRACE)
    await as_person(
        db,
        GRACE,
        lambda s, a: save_attendance(s, clock, a, held.meeting_id, {grace: Mark(AttendanceStatus.APOLOGIES)}),
    )
    entry = replace(
        support_agreed(await rulings_for_westgate(db)),
        actions=(action(await owner_school(db), ACTION, date(2027, 1, 15)),),
    )
    if funding is not None:
        entry = replace(
            entry,
            decision="funding_agreed",
            funding=funding,
            funding_from=date(2027, 1, 4),
            funding_to=date(2027, 3, 26),
        )
    saved = await as_person(
        db, GRACE, lambda s, a: save_outcome(s, clock, a, held.meeting_id, request_id, entry)
    )
    assert saved.outcome_id
    if confirm:
        await as_person(db, GRACE, lambda s, a: confirm_outcomes(s, clock, a, held.meeting_id))
    async with db.session() as session:
        request = await session.get(Request, request_id)
    assert request is not None
    return Decided(held.meeting_id, request_id, request.ref)
