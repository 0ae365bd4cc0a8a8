"""Who may record a meeting's outcomes, for which meeting, and how a request moves on.

The community's chair or vice chair, or a council officer, records outcomes, for a meeting that
has started and was not cancelled. A person whose own school raised a request, or whose default
ruling on it is to withdraw, or whom the chair's recorded ruling keeps out of the decision, may
not decide it: the refusal says who may, and why. Every refusal is audited and changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from communities import audit
from communities.clock import Clock
from communities.db import update_if_unchanged
from communities.meetings.chairing import meeting_with_community, refuse_unless_chairing
from communities.meetings.tables import Meeting, MeetingStatus
from communities.outcomes.decisions import ConflictRuling
from communities.outcomes.tables import Outcome
from communities.requests.conflicts import conflict_refusal, conflict_refusal_text
from communities.requests.lifecycle import RequestAction, RequestStatus, next_status
from communities.requests.tables import Request
from communities.roster.directory import PersonProfile
from communities.roster.tables import Community


class OutcomeRefused(Exception):
    """The outcome cannot be recorded; the message says why, and what can be done instead."""


class OutcomeChanged(OutcomeRefused):
    """Someone else saved the item since this card was sent: show the latest instead."""


NO_SUCH_MEETING = "That meeting does not exist (the card may be from somewhere else)."
CANCELLED = (
    "That meeting was cancelled, so no outcome can be recorded for it. Its requests went to the "
    "community's next meeting: record their outcomes there."
)
NOT_STARTED = "That meeting has not started yet. Record its outcomes once it has started."
NOT_AN_ITEM = (
    "That request is not on this meeting's published agenda, so no outcome can be recorded for it "
    "here. Open the outcomes of the meeting it is on."
)


def may_not_record(community_code: str) -> str:
    return (
        f"Only the chair or vice chair of {community_code}, or a council officer, can record the "
        "outcomes of its meetings. The school is told the outcome once the chair confirms it."
    )


def ruled_out(doing: str, ruling: ConflictRuling) -> str:
    """The refusal for someone the chair's ruling keeps out of the decision."""
    return conflict_refusal_text(doing, [f"the ruling recorded for you is “{ruling.label.lower()}”"], [])


async def load_meeting(session: AsyncSession, meeting_id: int) -> tuple[Meeting, Community]:
    found = await meeting_with_community(session, meeting_id)
    if found is None:
        raise OutcomeRefused(NO_SUCH_MEETING)
    return found


async def check_may_record(
    session: AsyncSession,
    clock: Clock,
    actor: PersonProfile,
    meeting: Meeting,
    community: Community,
    what: str,
) -> None:
    """The community's chair or vice chair, or an officer, for a meeting that has started and goes ahead.

    A refusal of permission is audited and kept; the session's other changes are thrown away.
    """
    refusal = OutcomeRefused(may_not_record(community.code))  # read before the session is expired
    await refuse_unless_chairing(
        session, clock, actor, meeting, community, action=f"outcome_{what}_refused", refusal=refusal
    )
    if meeting.status == MeetingStatus.CANCELLED:
        raise OutcomeRefused(CANCELLED)
    if meeting.starts_at > clock.now():
        raise OutcomeRefused(NOT_STARTED)


async def check_not_conflicted(
    session: AsyncSession,
    clock: Clock,
    actor: PersonProfile,
    request: Request,
    rulings: Mapping[str, str],
) -> None:
    """The actor may decide this request: no conflict that keeps them out, and no ruling that does."""
    doing = f"record the outcome of {request.ref}"
    refusal = await conflict_refusal(session, actor.person_id, request, doing)
    recorded = rulings.get(str(actor.person_id))
    if refusal is None and recorded is not None and ConflictRuling(recorded).kept_out_of_the_decision:
        refusal = ruled_out(doing, ConflictRuling(recorded))
    if refusal is not None:
        await refuse(session, clock, actor, "outcome_save_refused_conflict", "request", request.ref)
        raise OutcomeRefused(refusal)


async def refuse(
    session: AsyncSession, clock: Clock, actor: PersonProfile, action: str, entity: str, entity_id: str
) -> None:
    await audit.keep_only_refusal(
        session, clock, actor_person_id=actor.person_id, action=action, entity=entity, entity_id=entity_id
    )


#: Statuses of a request on a meeting's published agenda, before its outcome is confirmed.
ON_THE_AGENDA = (RequestStatus.SCHEDULED, RequestStatus.DISCUSSED)


async def item_requests(session: AsyncSession, meeting_id: int) -> list[Request]:
    """The requests whose outcomes this meeting records: on its published agenda, or with an outcome."""
    with_outcome = select(Outcome.request_id).where(Outcome.meeting_id == meeting_id)
    rows = await session.exec(
        select(Request)
        .where(
            (
                (col(Request.meeting_id) == meeting_id)
                & col(Request.status).in_([s.value for s in ON_THE_AGENDA])
            )
            | col(Request.id).in_(with_outcome)
        )
        .order_by(col(Request.urgency).desc(), col(Request.submitted_at), col(Request.id))
    )
    return list(rows.all())


async def outcome_of(session: AsyncSession, meeting_id: int, request_id: int) -> Outcome | None:
    return (
        await session.exec(
            select(Outcome).where(Outcome.meeting_id == meeting_id, Outcome.request_id == request_id)
        )
    ).first()


async def move(
    session: AsyncSession,
    clock: Clock,
    actor: PersonProfile | None,
    request: Request,
    action: RequestAction,
    **values: Any,
) -> RequestStatus:
    """The request's next status (and ``values``) in one version-checked write, audited."""
    assert request.id is not None
    status = next_status(RequestStatus(request.status), action)
    changed = {**values, "status": status.value, "updated_at": clock.now(), "version": request.version + 1}
    if not await update_if_unchanged(session, Request, request.id, request.version, changed):
        await session.rollback()
        raise OutcomeChanged(f"Someone changed {request.ref} just now. Open the outcomes again to see it.")
    for name, value in changed.items():
        set_committed_value(request, name, value)
    audit.record(
        session,
        clock,
        actor_person_id=actor.person_id if actor else None,
        action=f"request_{action.value}",
        entity="request",
        entity_id=request.ref,
        detail={"status": status.value, "meeting": request.meeting_id},
    )
    return status
