"""Reviews of outcomes in delivery: due on their review date, recorded at a later meeting.

A request in delivery whose review date has come is due for review (the scheduler calls
:func:`mark_reviews_due` daily; a meeting's recording and agenda list those due by its date).
Recording a review says how it went (achieved, partly, not achieved, with a note), and either
closes the request or continues the support to a new review date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from communities import audit
from communities.agendas.items import due_for_review, school_names
from communities.budget.releases import release_for_request
from communities.clock import Clock
from communities.identifying_text import find_identifying_text
from communities.meetings.tables import Meeting, local
from communities.outcomes.access import OutcomeRefused, check_not_conflicted, move, refuse
from communities.outcomes.confirming import school_people
from communities.outcomes.decisions import ReviewResult
from communities.outcomes.recording import IdentifyingText
from communities.outcomes.tables import Outcome, OutcomeReview, OutcomeStatus
from communities.permissions import is_triager
from communities.requests.identifying_answers import staff_names
from communities.requests.lifecycle import RequestAction, RequestStatus
from communities.requests.tables import Request
from communities.roster.directory import PersonProfile
from communities.roster.tables import Community


@dataclass(frozen=True)
class ReviewItem:
    request_id: int
    ref: str
    school: str
    review_date: date | None


@dataclass(frozen=True)
class ReviewRecorded:
    ref: str
    result: ReviewResult
    #: Closed, or in delivery again.
    status: RequestStatus
    next_review_date: date | None
    #: Who must be told: the requester first, then the school's leaders and SENCOs.
    tell: tuple[int, ...]


async def mark_reviews_due(session: AsyncSession, clock: Clock) -> list[str]:
    """Requests in delivery whose review date has come are due for review; their references."""
    today = local(clock.now()).date()
    rows = await session.exec(
        select(Request).where(
            Request.status == RequestStatus.IN_DELIVERY,
            col(Request.review_date).is_not(None),
            col(Request.review_date) <= today,
        )
    )
    marked = []
    for request in rows.all():
        await move(session, clock, None, request, RequestAction.REVIEW_DUE)
        marked.append(request.ref)
    return marked


async def reviews_for(session: AsyncSession, meeting: Meeting) -> list[ReviewItem]:
    """The community's requests due for review by the meeting's date, soonest review first."""
    rows = await due_for_review(session, meeting)
    schools = await school_names(session, {r.school_id for r in rows})
    return [
        ReviewItem(r.id, r.ref, schools.get(r.school_id, "?"), r.review_date)
        for r in rows
        if r.id is not None
    ]


async def record_review(
    session: AsyncSession,
    clock: Clock,
    actor: PersonProfile,
    request_id: int,
    result: ReviewResult,
    note: str,
    *,
    continue_until: date | None = None,
    meeting_id: int | None = None,
    not_about_a_pupil: bool = False,
) -> ReviewRecorded:
    """Record a review; close the request, or continue its support to ``continue_until``."""
    request = await session.get(Request, request_id)
    if request is None:
        raise OutcomeRefused("That request does not exist (it may have been a card from elsewhere).")
    community = await session.get(Community, request.community_id)
    assert community is not None and request.id is not None
    if not is_triager(actor, request.community_id):
        refusal = OutcomeRefused(
            f"Only the chair or vice chair of {community.code}, or a council officer, can record a "
            "review. The school is told how the review went once it is recorded."
        )
        await refuse(session, clock, actor, "review_refused", "request", request.ref)
        raise refusal
    await check_not_conflicted(session, clock, actor, request, {})
    today = local(clock.now()).date()
    status = RequestStatus(request.status)
    due = status is RequestStatus.REVIEW_DUE or (
        status is RequestStatus.IN_DELIVERY
        and request.review_date is not None
        and request.review_date <= today
    )
    if not due:
        raise OutcomeRefused(
            f"{request.ref} is not due for review ({status.label.lower()}). A review is recorded once "
            "its review date has come."
        )
    cleaned = " ".join(note.split())[:2000]
    if not cleaned:
        raise OutcomeRefused("Say in a sentence how the support went: the school reads it with the result.")
    if continue_until is not None and continue_until <= today:
        raise OutcomeRefused("The next review date must be in the future: give a later date.")
    allowed = [actor.display_name, *await staff_names(session, request.community_id)]
    found = find_identifying_text(cleaned, allowed_names=allowed, today=today)
    if found and not not_about_a_pupil:
        raise IdentifyingText({"note": found})
    reviewed = await _latest_outcome(session, request.id)
    if reviewed is None or reviewed.id is None:
        raise OutcomeRefused(f"{request.ref} has no confirmed outcome to review.")
    if status is RequestStatus.IN_DELIVERY:
        await move(session, clock, actor, request, RequestAction.REVIEW_DUE)
    if continue_until is None:
        after = await move(session, clock, actor, request, RequestAction.CLOSE, review_date=None)
        await release_for_request(  # closed before its funding period ended: the unpaid rest is released
            session,
            clock,
            request.id,
            reason=f"{request.ref} closed at review",
            actor_person_id=actor.person_id,
            unless_ended_by=today,
        )
    else:
        after = await move(session, clock, actor, request, RequestAction.CONTINUE, review_date=continue_until)
    session.add(
        OutcomeReview(
            outcome_id=reviewed.id,
            request_id=request.id,
            meeting_id=meeting_id,
            result=result,
            note=cleaned,
            next_review_date=continue_until,
            recorded_by_person_id=actor.person_id,
            recorded_at=clock.now(),
        )
    )
    audit.record(
        session,
        clock,
        actor_person_id=actor.person_id,
        action="review_recorded",
        entity="request",
        entity_id=request.ref,
        detail={"result": ReviewResult(result).value, "status": after.value, "meeting": meeting_id},
    )
    await session.flush()
    return ReviewRecorded(
        request.ref, ReviewResult(result), after, continue_until, await school_people(session, request)
    )


async def _latest_outcome(session: AsyncSession, request_id: int) -> Outcome | None:
    return (
        await session.exec(
            select(Outcome)
            .where(Outcome.request_id == request_id, Outcome.status == OutcomeStatus.CONFIRMED)
            .order_by(col(Outcome.confirmed_at).desc(), col(Outcome.id).desc())
            .limit(1)
        )
    ).first()
