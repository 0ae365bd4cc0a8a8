"""Who hears about a meeting when the bot speaks of its own accord.

Before the deadline, the school leaders and SENCOs of the schools with requests not yet
submitted (each about their own schools' requests). The chair of a meeting is the one named on
it, else the community's current chair. What is the chair's (the draft agenda at the cut-off, the
nudge when the agenda is due) goes to the council's officers instead when the chair cannot be
reached, with a line saying so; the officers alone hear when an agenda is overdue. (The quorum DM
has its own tiers: :mod:`communities.meetings.quorum`.)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from communities.meetings.service import current_chair
from communities.meetings.tables import Meeting, local
from communities.messaging import notices
from communities.messaging.outbox import OutgoingMessage
from communities.requests.lifecycle import RequestStatus
from communities.requests.tables import Request
from communities.roster.roles import SCHOOL_ROLES
from communities.roster.tables import Membership, Person, School

#: Requests a deadline reminder is about: started, or returned, and not (re)submitted.
UNSUBMITTED = (RequestStatus.DRAFT, RequestStatus.RETURNED_FOR_INFO)


async def meeting_chair(session: AsyncSession, meeting: Meeting) -> int | None:
    """The person who chairs ``meeting``: its own chair, else the community's (None: nobody)."""
    if meeting.chair_person_id is not None:
        return meeting.chair_person_id
    return await current_chair(session, meeting.community_id)


async def to_chair_or_officers(
    session: AsyncSession, meeting: Meeting, key: str, messages: Sequence[OutgoingMessage], passed_on: str
) -> notices.Notice:
    """The meeting's chair; if they cannot be reached, the officers, with ``passed_on`` put first."""
    first = messages[0]
    for_officers = OutgoingMessage(
        text=f"{passed_on}\n\n{first.text}" if first.text else passed_on,
        card=first.card,
        summary=first.summary,
    )
    return notices.Notice.to(
        notices.People.of(await meeting_chair(session, meeting)),
        key,
        *messages,
        fallbacks=(notices.Tier(notices.OFFICERS, (for_officers, *messages[1:])),),
    )


def to_officers(key: str, *messages: OutgoingMessage) -> notices.Notice:
    return notices.Notice.to(notices.OFFICERS, key, *messages)


async def waiting_for_review(session: AsyncSession, community_id: int) -> list[tuple[Request, str, str]]:
    """The community's submitted requests the chair has not yet accepted or returned:
    ``(request, school name, "submitted on 3 November 2026")``, oldest first."""
    rows = (
        await session.exec(
            select(Request, School)
            .join(School, col(School.id) == col(Request.school_id))
            .where(Request.community_id == community_id, Request.status == RequestStatus.SUBMITTED)
            .order_by(col(Request.submitted_at), col(Request.ref))
        )
    ).all()
    return [(request, school.name, _submitted_on(request)) for request, school in rows]


def _submitted_on(request: Request) -> str:
    if request.submitted_at is None:
        return ""
    day = local(request.submitted_at)
    return f"submitted on {day:%A} {day.day} {day:%B %Y}"


async def unsubmitted_by_staff(
    session: AsyncSession, community_id: int
) -> dict[int, list[tuple[Request, str, str]]]:
    """The community's requests not yet submitted, by the active school leader or SENCO of their
    school who hears of them: ``(request, school name, status in words)``, by reference; lowest
    person id first."""
    drafts = (
        await session.exec(
            select(Request, School)
            .join(School, col(School.id) == col(Request.school_id))
            .where(Request.community_id == community_id, col(Request.status).in_(UNSUBMITTED))
            .order_by(col(Request.ref))
        )
    ).all()
    if not drafts:
        return {}
    staff = (
        await session.exec(
            select(Membership.person_id, Membership.school_id)
            .join(Person, col(Person.id) == col(Membership.person_id))
            .where(
                col(Membership.school_id).in_({school.id for _, school in drafts}),
                col(Membership.role).in_(SCHOOL_ROLES),
                col(Membership.active),
                col(Person.active),
            )
        )
    ).all()
    schools_of: dict[int, set[int]] = defaultdict(set)
    for person_id, school_id in staff:
        if school_id is not None:
            schools_of[person_id].add(school_id)
    return {
        person_id: [
            (request, school.name, RequestStatus(request.status).label.lower())
            for request, school in drafts
            if request.school_id in schools_of[person_id]
        ]
        for person_id in sorted(schools_of)
    }
