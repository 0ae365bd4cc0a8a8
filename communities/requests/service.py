"""Raising and triaging requests: every change checked by the state machine and the
permission rules, written to the audit log, and announced by direct message through
the outbox. Messages name the reference, the school and the status, never a pupil.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from communities import audit
from communities.budget.releases import release_for_request
from communities.clock import Clock
from communities.messaging import notices
from communities.messaging.outbox import Outbox, OutgoingMessage
from communities.permissions import (
    TRIAGE_ACTIONS,
    Decision,
    RequestScope,
    is_triager,
    may_act_on_request,
    may_raise_request,
    may_view_request,
)
from communities.requests import returns
from communities.requests.conflicts import conflict_refusal
from communities.requests.form_checks import problems
from communities.requests.lifecycle import (
    WAITING_FOR_A_MEETING,
    RequestAction,
    RequestStatus,
    next_status,
)
from communities.requests.loaded import places_read
from communities.requests.placement import attach_accepted_requests
from communities.requests.references import next_ref
from communities.requests.tables import Request, RequestType
from communities.requests.versioned import write_if_unchanged
from communities.roster.directory import PersonProfile
from communities.roster.roles import Role
from communities.roster.tables import Community, School
from communities.wording import counted

DEFAULT_MAX_OPEN = 3


class RequestRefused(Exception):
    """The action is not allowed or not possible; the message is for the person who tried."""


@dataclass(frozen=True)
class Notice:
    """Who was told what (for the caller's confirmation, and for tests)."""

    person_id: int
    text: str


async def start_draft(session: AsyncSession, clock: Clock, actor: PersonProfile, school_id: int) -> Request:
    _allow(may_raise_request(actor, school_id))
    school = await session.get(School, school_id)
    if school is None or not school.active:
        raise RequestRefused("That school is not in the roster.")
    community = await session.get(Community, school.community_id)
    assert community is not None and community.id is not None
    now = clock.now()
    request = Request(
        ref=await next_ref(session, community, now.year),
        community_id=community.id,
        school_id=school_id,
        created_by_person_id=actor.person_id,
        created_at=now,
        updated_at=now,
    )
    session.add(request)
    await session.flush()
    _audit(session, clock, actor, "request_started", request)
    return request


async def save_answers(
    session: AsyncSession,
    clock: Clock,
    actor: PersonProfile,
    request_id: int,
    answers: Mapping[str, Any],
    *,
    read: Request | None = None,
) -> Request:
    """Merge answers into a draft (or a request returned for information).

    ``read``: the request as this session has just read it (``drafts.editable_request``), so it
    is not read again; the checks below still run on it, and the write is version-checked
    against what it holds."""
    request = read if read is not None and read.id == request_id else await _load(session, request_id)
    await _check(session, clock, actor, request, RequestAction.EDIT)
    request.details = {**request.details, **answers}
    if "request_type" in answers and answers["request_type"] in {t.value for t in RequestType}:
        request.request_type = RequestType(answers["request_type"])
    if "urgency" in answers:
        request.urgency = answers["urgency"]
    await _save(session, clock, request)
    return request


async def submit(
    session: AsyncSession,
    clock: Clock,
    outbox: Outbox,
    actor: PersonProfile,
    request_id: int,
    *,
    max_open: int = DEFAULT_MAX_OPEN,
) -> list[Notice]:
    """Submit a draft, or resubmit a request returned for information; tell the chair."""
    request = await _load(session, request_id)
    action = (
        RequestAction.RESUBMIT if request.status == RequestStatus.RETURNED_FOR_INFO else RequestAction.SUBMIT
    )
    await _check(session, clock, actor, request, action)
    missing = [*problems(request.details).values(), *returns.still_to_answer(request)]
    if missing:
        raise RequestRefused("The request is not complete yet: " + " ".join(missing))
    open_now = await _open_requests(session, request.school_id, excluding=request.id)
    if open_now >= max_open:
        raise RequestRefused(
            f"Your school already has {counted(open_now, 'request')} waiting for a meeting "
            f"(the most is {max_open}). Withdraw one, or wait until the meeting has discussed one."
        )
    request.status = next_status(RequestStatus(request.status), action)
    request.submitted_at = clock.now()
    if action is RequestAction.RESUBMIT:
        returns.on_resubmit(request)
    await _save(session, clock, request)
    _audit(session, clock, actor, f"request_{action.value}", request)
    return await _tell_triagers(session, clock, outbox, request, action)


async def may_withdraw(session: AsyncSession, clock: Clock, actor: PersonProfile, request_id: int) -> Request:
    """The request, if ``actor`` may withdraw it now (before asking them to confirm); else refused."""
    request = await _load(session, request_id)
    await _check(session, clock, actor, request, RequestAction.WITHDRAW)
    return request


async def withdraw(
    session: AsyncSession, clock: Clock, outbox: Outbox, actor: PersonProfile, request_id: int
) -> list[Notice]:
    """Withdraw; tell the chair and vice chair if they saw it, and the requester if someone else did it."""
    request = await _load(session, request_id)
    seen = request.status != RequestStatus.DRAFT
    await _transition(session, clock, actor, request, RequestAction.WITHDRAW)
    if request.id is not None:  # funding it was agreed and not yet paid is available again
        reason = f"{request.ref} withdrawn"
        await release_for_request(session, clock, request.id, reason=reason, actor_person_id=actor.person_id)
    told = await _tell_triagers(session, clock, outbox, request, RequestAction.WITHDRAW) if seen else []
    if request.created_by_person_id != actor.person_id:
        told += await _tell_requester(session, outbox, request, RequestAction.WITHDRAW)
    return told


async def accept(
    session: AsyncSession, clock: Clock, outbox: Outbox, actor: PersonProfile, request_id: int
) -> list[Notice]:
    request = await _load(session, request_id)
    await _transition(session, clock, actor, request, RequestAction.ACCEPT)
    await attach_accepted_requests(session, request.community_id, clock.now(), clock)
    return await _tell_requester(session, outbox, request, RequestAction.ACCEPT)


async def return_for_info(
    session: AsyncSession, clock: Clock, outbox: Outbox, actor: PersonProfile, request_id: int, note: str
) -> list[Notice]:
    note = note.strip()
    if not note:
        raise RequestRefused("Say what information is missing, so the school knows what to add.")
    request = await _load(session, request_id)
    cleared = returns.without_last_exchange(request.details)  # a new note needs a new answer
    action = RequestAction.RETURN_FOR_INFO
    await _transition(session, clock, actor, request, action, return_note=note[:2000], details=cleared)
    return await _tell_requester(session, outbox, request, RequestAction.RETURN_FOR_INFO)


async def open_for_reading(
    session: AsyncSession, clock: Clock, actor: PersonProfile, request_id: int
) -> Request:
    """The request with its pupil-level detail, for someone allowed to see it. Every read is audited."""
    request = await _load(session, request_id)
    scope = await _scope(session, request)
    decision = may_view_request(actor, scope)
    if not decision.allowed:
        await _refused(session, clock, actor, "request_read_refused", request)
        raise RequestRefused(decision.reason)
    _audit(session, clock, actor, audit.Read.REQUEST.value, request)
    return request


async def school_requests(session: AsyncSession, actor: PersonProfile) -> list[Request]:
    """The requests of the actor's schools ("My requests"), newest first."""
    school_ids = [s.id for s in actor.schools]
    if not school_ids:
        return []
    query = (
        select(Request).where(col(Request.school_id).in_(school_ids)).order_by(col(Request.created_at).desc())
    )
    return list((await session.exec(query)).all())


async def triage_queue(session: AsyncSession, actor: PersonProfile, community_id: int) -> list[Request]:
    """The community's submitted requests, urgent first, then oldest first."""
    community = await session.get(Community, community_id)
    if community is None:
        raise RequestRefused("That community is not in the roster.")
    if not is_triager(actor, community_id):
        raise RequestRefused(
            f"Only the chair or vice chair of {community.code}, or a council officer, "
            "can see its requests queue."
        )
    query = select(Request).where(
        Request.community_id == community_id, Request.status == RequestStatus.SUBMITTED
    )
    found = (await session.exec(query)).all()
    return sorted(found, key=lambda r: (r.urgency != "urgent", r.submitted_at or r.created_at))


# ---- inside --------------------------------------------------------------------------------


def _allow(decision: Decision) -> None:
    if not decision.allowed:
        raise RequestRefused(decision.reason)


async def _load(session: AsyncSession, request_id: int) -> Request:
    request = await session.get(Request, request_id)
    if request is None:
        raise RequestRefused("That request does not exist (it may have been a card from elsewhere).")
    return request


async def _scope(session: AsyncSession, request: Request) -> RequestScope:
    places = places_read(session, request.id)
    if places is not None and places.community_code is not None:  # read with the request
        return RequestScope(request.school_id, request.community_id, places.community_code)
    community = await session.get(Community, request.community_id)
    return RequestScope(request.school_id, request.community_id, community.code if community else "")


async def _check(
    session: AsyncSession, clock: Clock, actor: PersonProfile, request: Request, action: RequestAction
) -> None:
    """The permission rules on the stored request, then the state machine; a refusal is audited."""
    decision = may_act_on_request(actor, action, await _scope(session, request))
    if not decision.allowed:
        await _refused(session, clock, actor, f"request_{action.value}_refused", request)
        raise RequestRefused(decision.reason)
    if action in TRIAGE_ACTIONS:
        conflicted = await conflict_refusal(
            session, actor.person_id, request, action.done_to_it.replace(" it", f" {request.ref}", 1)
        )
        if conflicted is not None:
            await _refused(session, clock, actor, f"request_{action.value}_refused_conflict", request)
            raise RequestRefused(conflicted)
    next_status(RequestStatus(request.status), action)  # raises IllegalTransition with the reason


async def _transition(
    session: AsyncSession,
    clock: Clock,
    actor: PersonProfile,
    request: Request,
    action: RequestAction,
    **changes: Any,
) -> None:
    """Check, then make ``changes`` and the move to the next status in one version-checked write."""
    await _check(session, clock, actor, request, action)
    for name, value in changes.items():
        setattr(request, name, value)
    request.status = next_status(RequestStatus(request.status), action)
    await _save(session, clock, request)
    _audit(session, clock, actor, f"request_{action.value}", request)


async def _save(session: AsyncSession, clock: Clock, request: Request) -> None:
    """Write with the version check: a concurrent change makes this one fail, not overwrite."""
    if not await write_if_unchanged(session, clock, request):
        await session.rollback()
        raise RequestRefused("Someone else changed this request just now. Open it again to see the latest.")


async def _refused(
    session: AsyncSession, clock: Clock, actor: PersonProfile, action: str, request: Request
) -> None:
    """Keep the refusal's audit row and nothing else (a change made on the way is thrown away)."""
    await audit.keep_only_refusal(session, clock, **_entry(actor, action, request))


def _audit(session: AsyncSession, clock: Clock, actor: PersonProfile, action: str, request: Request) -> None:
    audit.record(session, clock, **_entry(actor, action, request))


def _entry(actor: PersonProfile, action: str, request: Request) -> audit.Entry:
    return audit.Entry(
        actor_person_id=actor.person_id,
        action=action,
        entity="request",
        entity_id=request.ref,
        detail={"status": str(request.status)},
    )


async def _open_requests(session: AsyncSession, school_id: int, *, excluding: int | None) -> int:
    query = (
        select(func.count())
        .select_from(Request)
        .where(
            Request.school_id == school_id, col(Request.status).in_([s.value for s in WAITING_FOR_A_MEETING])
        )
    )
    if excluding is not None:
        query = query.where(col(Request.id) != excluding)
    return int((await session.exec(query)).one())


_TRIAGER_TEXT = {
    RequestAction.SUBMIT: "{school} has submitted request {ref} ({kind}{urgent}) to {community}. "
    "Open your requests queue to review it.",
    RequestAction.RESUBMIT: "{school} has resubmitted request {ref} with an answer to your note. "
    "Open your requests queue to read it and review the request.",
    RequestAction.WITHDRAW: "{school} has withdrawn request {ref}.",
}

_REQUESTER_TEXT = {
    RequestAction.ACCEPT: "Request {ref} has been accepted by the chair of {community}. "
    "It will be on the agenda of the next meeting.",
    RequestAction.RETURN_FOR_INFO: "Request {ref} has been returned for more information by the chair of "
    "{community}. Open My requests to see the note, edit it and resubmit.",
    RequestAction.WITHDRAW: "Request {ref}, which you raised, has been withdrawn by a colleague at {school}.",
}


async def _tell_triagers(
    session: AsyncSession, clock: Clock, outbox: Outbox, request: Request, action: RequestAction
) -> list[Notice]:
    """DM the chair and vice chair; if neither can be reached, tell the officers instead."""
    words = await _words(session, request)
    warning = (
        f"Request {request.ref} from {words['school']} was submitted to {words['community']}, but its chair "
        "and vice chair cannot be reached by the bot yet (they have not opened a chat with it). "
        "Please pass it on."
    )
    officers = notices.Tier(notices.OFFICERS, (OutgoingMessage(text=warning),), key_suffix="officer")
    notice = notices.Notice.to(
        notices.RoleHolders((Role.CHAIR, Role.VICE_CHAIR), request.community_id),
        _notice_key(request, action),
        OutgoingMessage(text=_TRIAGER_TEXT[action].format(**words)),
        fallbacks=() if action is RequestAction.WITHDRAW else (officers,),
    )
    return await _dm(session, outbox, notice)


async def _tell_requester(
    session: AsyncSession, outbox: Outbox, request: Request, action: RequestAction
) -> list[Notice]:
    text = _REQUESTER_TEXT[action].format(**await _words(session, request))
    notice = notices.Notice.to(
        notices.People.of(request.created_by_person_id),
        _notice_key(request, action),
        OutgoingMessage(text=text),
    )
    return await _dm(session, outbox, notice)


def _notice_key(request: Request, action: RequestAction) -> str:
    return f"request:{request.ref}:{action.value}:{request.version}"


async def _dm(session: AsyncSession, outbox: Outbox, notice: notices.Notice) -> list[Notice]:
    told = await notices.tell(session, outbox, notice)
    return [Notice(person_id, told.text) for person_id in told.people]


async def _words(session: AsyncSession, request: Request) -> dict[str, str]:
    school = await session.get(School, request.school_id)
    community = await session.get(Community, request.community_id)
    kind = RequestType(request.request_type).label.lower() if request.request_type else "request"
    return {
        "ref": request.ref,
        "school": school.name if school else "A school",
        "community": f"{community.name} ({community.code})" if community else "the community",
        "kind": kind,
        "urgent": ", urgent" if request.urgency == "urgent" else "",
    }
