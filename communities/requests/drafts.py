"""A school's drafts, and who may change a request now.

Opening a request for editing checks the permission rules and the state machine on the
stored request (never on what a card claims), and audits a refusal, as the service does.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import literal
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from communities import audit
from communities.clock import Clock
from communities.permissions import RequestScope, is_school_staff, may_act_on_request
from communities.requests.lifecycle import TRANSITIONS, RequestAction, RequestStatus, where_it_is
from communities.requests.loaded import BY_ID, DRAFTS_OF, LATEST_DRAFT, read_request
from communities.requests.tables import Request, table_of
from communities.roster.directory import PersonProfile


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

    It is read in one statement with the names of its school and community (kept with the
    session: :func:`communities.requests.loaded.places_read`), a copy outside the session's
    identity map: save it with ``save_answers(..., read=request)`` in the same session."""
    request = await read_request(session, BY_ID, {"request_id": request_id})
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
    """The person's most recently changed draft, for a school they still work for (read with its
    school's and community's names, as :func:`editable_request` reads a request)."""
    schools = [s.id for s in staff_schools(profile)]
    if not schools:
        return None
    return await read_request(session, LATEST_DRAFT, {"person_id": profile.person_id, "schools": schools})


#: Whether a person has a draft for one of the schools given: built once, as the menu asks on
#: every `help` (issue 16: a prebuilt Core statement costs about half the ORM query).
_HAS_DRAFT = select(literal(1)).select_from(table_of(Request)).where(*DRAFTS_OF).limit(1)


async def has_draft(connection: AsyncSession | AsyncConnection, profile: PersonProfile) -> bool:
    """Whether :func:`latest_draft` would find one."""
    schools = [s.id for s in staff_schools(profile)]
    if not schools:
        return False
    found = await connection.execute(_HAS_DRAFT, {"person_id": profile.person_id, "schools": schools})
    return found.first() is not None
