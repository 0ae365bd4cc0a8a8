"""The request items of an agenda (section 5) and the reviews due (section 6).

An agenda's items are the requests attached to its meeting (waiting for it, or on its published
agenda), in the chair's order, with any attached since at the end in the fair order (urgent first,
then by submission time). Each item carries only what an agenda shows: the reference, the school,
the type, the kinds of support asked for (labels, never amounts or free text) and the members
flagged for a conflict, whose names are for the chair's copy only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from communities.declarations.conflict_rules import FlaggedMember, Ruling
from communities.meetings.tables import Meeting, local
from communities.outcomes.decisions import ReviewResult
from communities.outcomes.tables import SchoolReviewAnswer
from communities.requests.conflicts import flagged_members
from communities.requests.form import SUPPORT_KINDS
from communities.requests.lifecycle import RequestStatus
from communities.requests.tables import Request, RequestType, Urgency
from communities.roster.tables import School


@dataclass(frozen=True)
class FlaggedLine:
    """A member flagged for a conflict on an item, for the chair's copy only."""

    name: str
    reasons: tuple[str, ...]
    ruling: Ruling

    @property
    def ruling_text(self) -> str:
        return self.ruling.label


@dataclass(frozen=True)
class RequestItem:
    request_id: int
    ref: str
    school: str
    kind: str
    #: The kinds of support asked for (labels only: no amounts, no free text).
    support: tuple[str, ...]
    urgent: bool
    flagged: tuple[FlaggedLine, ...]

    @property
    def declarations_expected(self) -> bool:
        return bool(self.flagged)


@dataclass(frozen=True)
class ReviewLine:
    """An earlier outcome whose review is due by the meeting."""

    ref: str
    school: str
    due: str
    #: The school's own answer when the review fell due ("Partly achieved"), or "" if none yet.
    school_says: str = ""
    #: The school's note with it: for the chair's copy only, never the channel's.
    school_note: str = ""


async def attached(session: AsyncSession, meeting_id: int) -> list[Request]:
    rows = await session.exec(
        select(Request).where(
            Request.meeting_id == meeting_id,
            col(Request.status).in_([RequestStatus.ACCEPTED.value, RequestStatus.SCHEDULED.value]),
        )
    )
    return list(rows.all())


def fair(requests: Sequence[Request]) -> list[Request]:
    """Urgent first, then by submission time (the issue's fair order)."""
    return sorted(
        requests,
        key=lambda r: (r.urgency != Urgency.URGENT, r.submitted_at or r.created_at, r.id or 0),
    )


def ordered(order: Sequence[int], requests: Sequence[Request]) -> list[Request]:
    """The chair's order for the requests still attached, then any attached since, in fair order."""
    by_id = {r.id: r for r in requests}
    kept = [by_id[i] for i in dict.fromkeys(order) if i in by_id]
    placed = set(order)
    return kept + fair([r for r in requests if r.id not in placed])


async def _item(session: AsyncSession, request: Request, schools: dict[int, str]) -> RequestItem:
    assert request.id is not None
    kind = RequestType(request.request_type).label if request.request_type else "Not chosen"
    asked = request.details.get("support")
    support = tuple(SUPPORT_KINDS[s] for s in asked if s in SUPPORT_KINDS) if isinstance(asked, list) else ()
    return RequestItem(
        request_id=request.id,
        ref=request.ref,
        school=schools.get(request.school_id, "?"),
        kind=kind,
        support=support,
        urgent=request.urgency == Urgency.URGENT,
        flagged=tuple(_flagged(f) for f in await flagged_members(session, request)),
    )


def _flagged(flagged: FlaggedMember) -> FlaggedLine:
    return FlaggedLine(
        name=flagged.member.name,
        reasons=tuple(c.reason for c in flagged.conflicts),
        ruling=flagged.ruling,
    )


async def school_names(session: AsyncSession, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = await session.exec(select(School.id, School.name).where(col(School.id).in_(ids)))
    return {school_id: name for school_id, name in rows.all() if school_id is not None}


async def due_for_review(session: AsyncSession, meeting: Meeting) -> list[Request]:
    """The community's requests whose agreed support is due for review by this meeting's date,
    soonest review first: those marked due already, and those in delivery whose review date falls
    on or before the meeting (their review is recorded with
    :func:`communities.outcomes.reviews.record_review`)."""
    day = local(meeting.starts_at).date()
    rows = await session.exec(
        select(Request)
        .where(
            Request.community_id == meeting.community_id,
            (col(Request.status) == RequestStatus.REVIEW_DUE)
            | ((col(Request.status) == RequestStatus.IN_DELIVERY) & (col(Request.review_date) <= day)),
        )
        .order_by(col(Request.review_date), col(Request.id))
    )
    return list(rows.all())


async def reviews_due(session: AsyncSession, meeting: Meeting) -> list[ReviewLine]:
    """The reviews due by the meeting, as its agenda lists them, with the school's answer if given."""
    rows = await due_for_review(session, meeting)
    schools = await school_names(session, {r.school_id for r in rows})
    answers = await _school_answers(session, rows)
    return [
        ReviewLine(
            ref=r.ref,
            school=schools.get(r.school_id, "?"),
            due=f"{r.review_date.day} {r.review_date:%B %Y}" if r.review_date else "now",
            school_says=ReviewResult(answers[r.id].result).label if r.id in answers else "",
            school_note=(answers[r.id].note or "") if r.id in answers else "",
        )
        for r in rows
    ]


async def _school_answers(
    session: AsyncSession, requests: Sequence[Request]
) -> dict[int, SchoolReviewAnswer]:
    """The school's answer for each request's current review date (communities.outcomes.school_answers)."""
    ids = [r.id for r in requests if r.id is not None]
    if not ids:
        return {}
    rows = await session.exec(select(SchoolReviewAnswer).where(col(SchoolReviewAnswer.request_id).in_(ids)))
    dates = {r.id: r.review_date for r in requests}
    return {a.request_id: a for a in rows.all() if dates.get(a.request_id) == a.review_date}


async def request_items(session: AsyncSession, requests: Sequence[Request]) -> list[RequestItem]:
    """The items for ``requests``, in the order given."""
    schools = await school_names(session, {r.school_id for r in requests})
    return [await _item(session, request, schools) for request in requests]
