"""A school's drafts, and who may change a request now.

Opening a request for editing checks the permission rules and the state machine on the
stored request (never on what a card claims), and audits a refusal, as the service does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, bindparam
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from communities import audit
from communities.clock import Clock
from communities.permissions import RequestScope, is_school_staff, may_act_on_request
from communities.requests.lifecycle import TRANSITIONS, RequestAction, RequestStatus, where_it_is
from communities.requests.tables import Request, table_of
from communities.roster.directory import PersonProfile
from communities.roster.tables import Community, School


@dataclass(frozen=True)
class StaffSchool:
    id: int
    name: str


def staff_schools(profile: PersonProfile) -> list[StaffSchool]:
    """The schools the person may raise requests for (school leader or SENCO there)."""
    return [StaffSchool(s.id, s.name) for s in profile.schools if is_school_staff(profile, s.id)]


class NotEditable(Exception):
    """The request cannot be changed by this person now; the message says why, for them."""


async def editable_request(
    session: AsyncSession, clock: Clock, profile: PersonProfile, request_id: int
) -> Request:
    """The request, if ``profile`` may edit it now; otherwise NotEditable (a refusal is audited).

    Its school and community are loaded with it, in the one statement: the permission check on
    the stored request and the names the form shows then find them in the session."""
    request = await _first(session, _BY_ID, {"request_id": request_id})
    if request is None:
        raise NotEditable("That request does not exist (the card may be from somewhere else).")
    decision = may_act_on_request(
        profile, RequestAction.EDIT, RequestScope(request.school_id, request.community_id)
    )
    if not decision.allowed:
        await audit.keep_only_refusal(
            session,
            clock,
            actor_person_id=profile.person_id,
            action="request_edit_refused",
            entity="request",
            entity_id=request.ref,
            detail={"status": str(request.status), "via": "card"},
        )
        raise NotEditable(decision.reason)
    status = RequestStatus(request.status)
    if (status, RequestAction.EDIT) not in TRANSITIONS:
        instead = (
            "Raise a new request if you still need support."
            if status is RequestStatus.WITHDRAWN
            else "You can see it, or withdraw it, in *My requests*."
        )
        raise NotEditable(
            f"Request {request.ref} {where_it_is(status)}, so it can no longer be changed here. {instead}"
        )
    return request


async def reopen_for_editing(
    session: AsyncSession, clock: Clock, profile: PersonProfile, request_id: int
) -> Request:
    """The request reopened in the form by someone who may edit it: its answers are shown again, a
    read of its pupil-level detail, audited (the caller commits)."""
    request = await editable_request(session, clock, profile, request_id)
    audit.record_read(
        session,
        clock,
        audit.Read.REQUEST,
        actor_person_id=profile.person_id,
        entity="request",
        entity_id=request.ref,
        detail={"status": str(request.status), "via": "form"},
    )
    return request


async def latest_draft(session: AsyncSession, profile: PersonProfile) -> Request | None:
    """The person's most recently changed draft, for a school they still work for (loaded with
    its school and community, as :func:`editable_request` loads a request)."""
    schools = [s.id for s in staff_schools(profile)]
    if not schools:
        return None
    return await _first(session, _LATEST_DRAFT, {"person_id": profile.person_id, "schools": schools})


async def has_draft(session: AsyncSession, profile: PersonProfile) -> bool:
    schools = [s.id for s in staff_schools(profile)]
    if not schools:
        return False
    found = await session.execute(_HAS_DRAFT, {"person_id": profile.person_id, "schools": schools})
    return found.first() is not None


def _latest_draft(query: Any) -> Any:
    """The person's latest draft for one of the schools (the parameters ``person_id``, ``schools``)."""
    return (
        query.where(
            col(Request.created_by_person_id) == bindparam("person_id", type_=Integer),
            col(Request.status) == RequestStatus.DRAFT,
            col(Request.school_id).in_(bindparam("schools", expanding=True, type_=Integer)),
        )
        .order_by(col(Request.updated_at).desc(), col(Request.id).desc())
        .limit(1)
    )


def _placed() -> Any:
    """Requests with their school and community, loaded into the session by the same statement
    (so ``session.get`` then finds them there, without a statement of its own)."""
    return (
        select(Request, School, Community)
        .outerjoin(School, col(School.id) == col(Request.school_id))
        .outerjoin(Community, col(Community.id) == col(Request.community_id))
    )


#: Where a session keeps the schools and communities loaded with requests (see :func:`_first`).
_KEPT = "cosbot.requests.places"


async def _first(session: AsyncSession, query: Any, params: dict[str, Any]) -> Request | None:
    """The request of the first row; its school and community stay in the session with it (the
    identity map holds objects weakly: without this they would be gone before anyone asked)."""
    row = (await session.execute(query, params)).first()
    if row is None:
        return None
    session.info.setdefault(_KEPT, []).extend(row[1:])
    request: Request = row[0]
    return request


# The statements, built once: a turn of the form only binds its values.
_BY_ID = _placed().where(col(Request.id) == bindparam("request_id", type_=Integer))
_LATEST_DRAFT = _latest_draft(_placed())
_HAS_DRAFT = _latest_draft(select(table_of(Request).c.id))
