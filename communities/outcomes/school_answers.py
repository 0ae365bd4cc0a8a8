"""The school's own answer when a review falls due: how the support went, with a note.

On the review date the school is asked (the scheduler's daily job DMs the requester and the
school's leaders and SENCOs). A school leader or SENCO of the requesting school answers:
achieved, partly achieved or not achieved, and a note, checked for text that may identify a
child as the Request Form's answers are. The answer goes on the next agenda's reviews of
earlier outcomes; the chair then records the review itself (:mod:`communities.outcomes.reviews`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from communities import audit
from communities.agendas.items import school_names
from communities.clock import Clock
from communities.identifying_text import find_identifying_text
from communities.meetings.tables import local
from communities.outcomes.access import OutcomeRefused, refuse
from communities.outcomes.decisions import ReviewResult
from communities.outcomes.recording import IdentifyingText
from communities.outcomes.tables import SchoolReviewAnswer
from communities.permissions import is_school_staff
from communities.requests.identifying_answers import staff_names
from communities.requests.lifecycle import RequestStatus
from communities.requests.tables import Request
from communities.roster.directory import PersonProfile

NO_SUCH_REQUEST = "That request does not exist (the card may be from elsewhere)."
CHOOSE_A_RESULT = "Choose how it went: achieved, partly achieved or not achieved."


def may_not_answer(school: str) -> str:
    return (
        f"Only a school leader or SENCO at {school} can say how the support went. The chair records "
        "the review at the community's next meeting."
    )


@dataclass(frozen=True)
class ReviewQuestion:
    """What the school is asked: the request, its review date, and its answer so far."""

    request_id: int
    ref: str
    school: str
    review_date: date
    result: ReviewResult | None = None
    note: str | None = None


@dataclass(frozen=True)
class SchoolAnswered:
    question: ReviewQuestion
    #: False when the same answer was given before (nothing changed).
    changed: bool


def _due(request: Request, today: date) -> bool:
    status = RequestStatus(request.status)
    return status is RequestStatus.REVIEW_DUE or (
        status is RequestStatus.IN_DELIVERY
        and request.review_date is not None
        and request.review_date <= today
    )


async def answer_of(session: AsyncSession, request_id: int, review_date: date) -> SchoolReviewAnswer | None:
    return (
        await session.exec(
            select(SchoolReviewAnswer).where(
                SchoolReviewAnswer.request_id == request_id, SchoolReviewAnswer.review_date == review_date
            )
        )
    ).first()


async def question_for(session: AsyncSession, request: Request) -> ReviewQuestion:
    """The question for a request due for review, with the school's answer so far."""
    assert request.id is not None and request.review_date is not None
    schools = await school_names(session, {request.school_id})
    found = await answer_of(session, request.id, request.review_date)
    return ReviewQuestion(
        request.id,
        request.ref,
        schools.get(request.school_id, "?"),
        request.review_date,
        ReviewResult(found.result) if found else None,
        found.note if found else None,
    )


async def answer_review(
    session: AsyncSession,
    clock: Clock,
    actor: PersonProfile,
    request_id: int,
    result: str | None,
    note: str,
    *,
    not_about_a_pupil: bool = False,
) -> SchoolAnswered:
    """Save the school's answer for the request's review date (the caller commits)."""
    request = await session.get(Request, request_id)
    if request is None or request.id is None:
        raise OutcomeRefused(NO_SUCH_REQUEST)
    school = (await school_names(session, {request.school_id})).get(request.school_id, "the school")
    if not is_school_staff(actor, request.school_id):
        refusal = OutcomeRefused(may_not_answer(school))
        await refuse(session, clock, actor, "school_review_answer_refused", "request", request.ref)
        raise refusal
    today = local(clock.now()).date()
    if not _due(request, today) or request.review_date is None:
        status = RequestStatus(request.status)
        raise OutcomeRefused(
            f"{request.ref} is not due for review now ({status.label.lower()}), so there is nothing to "
            "answer. My requests shows where it is."
        )
    try:
        chosen = ReviewResult(result or "")
    except ValueError:
        raise OutcomeRefused(CHOOSE_A_RESULT) from None
    cleaned = " ".join(note.split())[:2000] or None
    acknowledged: dict[str, object] = {}
    if cleaned:
        allowed = [actor.display_name, *await staff_names(session, request.community_id)]
        found = find_identifying_text(cleaned, allowed_names=allowed, today=today)
        if found and not not_about_a_pupil:
            raise IdentifyingText({"note": found})
        if found:
            acknowledged = {
                "note": {"kinds": sorted({f.kind for f in found}), "by_person_id": actor.person_id}
            }
    existing = await answer_of(session, request.id, request.review_date)
    if existing is not None and existing.result == chosen and existing.note == cleaned:
        return SchoolAnswered(await question_for(session, request), changed=False)
    row = existing or SchoolReviewAnswer(
        request_id=request.id,
        review_date=request.review_date,
        result=chosen,
        answered_by_person_id=actor.person_id,
        answered_at=clock.now(),
    )
    row.result = chosen
    row.note = cleaned
    row.identifying_text_acknowledged = acknowledged
    row.answered_by_person_id = actor.person_id
    row.answered_at = clock.now()
    session.add(row)
    audit.record(
        session,
        clock,
        actor_person_id=actor.person_id,
        action="school_review_answered",
        entity="request",
        entity_id=request.ref,
        detail={"result": chosen.value, "review_date": request.review_date.isoformat()},
    )
    await session.flush()
    return SchoolAnswered(await question_for(session, request), changed=True)
