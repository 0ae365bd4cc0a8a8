"""Who read or changed a request, and when: its audit trail, oldest first.

The request's own rows, and those of what hangs off it: its disputes, its outcome's actions, the
overspend asked for it, and the rows of its meeting that name it or read or change every item (its
agenda built and published, its outcomes opened, its minutes exported).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from communities import audit
from communities.audit import AuditEvent
from communities.disputes.tables import Dispute
from communities.outcomes.tables import Outcome, OutcomeAction
from communities.requests.tables import Request
from communities.roster.tables import Person
from communities.subject_access import words

#: Rows of a meeting that read or change every one of its items, so each item's request too (unless
#: the row lists the requests it touched: then only those).
_WHOLE_MEETING = frozenset(
    {
        audit.Read.OUTCOMES.value,
        audit.Read.MINUTES_EXPORT.value,
        "agenda_built",
        "agenda_published",
        "agenda_republished",
    }
)


class UnknownReference(Exception):
    """No request has that reference."""


@dataclass(frozen=True)
class TrailLine:
    at: datetime
    who: str
    email: str
    action: str
    #: What the row is about: ``request COS-CANT1-26-001``, ``dispute 3``, ``meeting 12``.
    about: str


async def request_trail(session: AsyncSession, ref: str) -> list[TrailLine]:
    """Every audit row about the request ``ref`` and what hangs off it, oldest first."""
    wanted = ref.strip().upper()
    request = (await session.exec(select(Request).where(col(Request.ref) == wanted))).first()
    if request is None or request.id is None:
        raise UnknownReference(words.unknown_reference(wanted))
    outcomes = (await session.exec(select(Outcome).where(Outcome.request_id == request.id))).all()
    outcome_ids = [o.id for o in outcomes]
    actions = await session.exec(
        select(OutcomeAction.id).where(col(OutcomeAction.outcome_id).in_(outcome_ids))
    )
    disputes = await session.exec(select(Dispute.id).where(Dispute.request_id == request.id))
    meetings = {str(m) for m in [request.meeting_id, *(o.meeting_id for o in outcomes)] if m is not None}
    about = (
        ((col(AuditEvent.entity) == "request") & (col(AuditEvent.entity_id) == request.ref))
        | (
            (col(AuditEvent.entity) == "dispute")
            & col(AuditEvent.entity_id).in_([str(i) for i in disputes.all()])
        )
        | (
            (col(AuditEvent.entity) == "outcome_action")
            & col(AuditEvent.entity_id).in_([str(i) for i in actions.all()])
        )
        | (col(AuditEvent.entity) == "overspend_request")
        | ((col(AuditEvent.entity) == "meeting") & col(AuditEvent.entity_id).in_(meetings))
    )
    rows = (
        await session.exec(select(AuditEvent).where(about).order_by(col(AuditEvent.at), col(AuditEvent.id)))
    ).all()
    kept = [row for row in rows if _names_it(row, request)]
    people = await _people(session, {row.actor_person_id for row in kept if row.actor_person_id is not None})
    return [
        TrailLine(
            at=row.at,
            who=people[row.actor_person_id][0] if row.actor_person_id in people else words.NO_PERSON,
            email=people[row.actor_person_id][1] if row.actor_person_id in people else "",
            action=row.action,
            about=f"{row.entity.replace('_', ' ')} {row.entity_id}",
        )
        for row in kept
    ]


def _names_it(row: AuditEvent, request: Request) -> bool:
    """A row of the request, its disputes or its actions; an overspend or a meeting's row only when
    it names the request, or reads every item of the meeting."""
    if row.entity == "overspend_request":
        return _mentions(row.detail, request)
    if row.entity == "meeting":
        if row.action in _WHOLE_MEETING and "requests" not in row.detail:
            return True
        return _mentions(row.detail, request)
    return True


def _mentions(detail: dict[str, Any], request: Request) -> bool:
    values = [detail.get(key) for key in ("request", "request_id", "ref", "requests")]
    return any(
        value in (request.ref, request.id) or (isinstance(value, list) and request.ref in value)
        for value in values
    )


async def _people(session: AsyncSession, ids: set[int]) -> dict[int | None, tuple[str, str]]:
    found = await session.exec(select(Person).where(col(Person.id).in_(ids)))
    return {p.id: (p.display_name, p.email) for p in found.all()}
