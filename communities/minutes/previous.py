"""What the next agenda's section 3 shows: the previous meeting's minutes for approval, and the
community's open actions, overdue when their date is before the meeting.

An action is open until it is done or cancelled; an open action whose due date falls before the
day of the meeting the agenda is for is overdue at that meeting. Each line names the request's
reference and school, the action and its owner (the chair's copy shows the action; the channel's
copy shows only the reference, the school, the date and whether it is overdue).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from communities.meetings.tables import Meeting, local
from communities.minutes.tables import MinutesStatus
from communities.minutes.view import day_text, minutes_of
from communities.outcomes.tables import ActionStatus, Outcome, OutcomeAction, OutcomeStatus
from communities.requests.tables import Request
from communities.retention.words import removed_text
from communities.roster.tables import Person, School


@dataclass(frozen=True)
class ActionLine:
    ref: str
    school: str
    description: str
    owner: str
    due: date
    overdue: bool

    @property
    def due_text(self) -> str:
        return f"{self.due.day} {self.due:%B %Y}"


@dataclass(frozen=True)
class PreviousMinutes:
    """The previous meeting's minutes (None: not drafted yet) and the open actions."""

    when: str
    status: MinutesStatus | None
    actions: tuple[ActionLine, ...]

    @property
    def overdue(self) -> int:
        return sum(1 for action in self.actions if action.overdue)


async def previous_minutes(
    session: AsyncSession, meeting: Meeting, previous: Meeting | None
) -> PreviousMinutes | None:
    """The minutes of ``previous`` and the open actions, as the agenda of ``meeting`` shows them."""
    if previous is None or previous.id is None:
        return None
    minutes = await minutes_of(session, previous.id)
    return PreviousMinutes(
        when=day_text(previous.starts_at),
        status=MinutesStatus(minutes.status) if minutes else None,
        actions=tuple(await open_actions(session, meeting)),
    )


async def open_actions(session: AsyncSession, meeting: Meeting) -> list[ActionLine]:
    """The open actions agreed at the community's meetings before ``meeting``, soonest due first."""
    day = local(meeting.starts_at).date()
    rows = (
        await session.exec(
            select(OutcomeAction, Request)
            .join(Outcome, col(Outcome.id) == col(OutcomeAction.outcome_id))
            .join(Meeting, col(Meeting.id) == col(Outcome.meeting_id))
            .join(Request, col(Request.id) == col(Outcome.request_id))
            .where(
                col(Meeting.community_id) == meeting.community_id,
                col(Meeting.starts_at) < meeting.starts_at,
                col(Outcome.status) == OutcomeStatus.CONFIRMED.value,
                col(OutcomeAction.status) == ActionStatus.OPEN.value,
            )
            .order_by(col(OutcomeAction.due_date), col(OutcomeAction.id))
        )
    ).all()
    lines = []
    for action, request in rows:
        school = await session.get(School, request.school_id)
        lines.append(
            ActionLine(
                ref=request.ref,
                school=school.name if school else "?",
                description=removed_text(action.description, request.outcome_text_removed_at is not None),
                owner=await _owner(session, action),
                due=action.due_date,
                overdue=action.due_date < day,
            )
        )
    return lines


async def _owner(session: AsyncSession, action: OutcomeAction) -> str:
    if action.owner_school_id is not None and (school := await session.get(School, action.owner_school_id)):
        return school.name
    if action.owner_person_id is not None and (person := await session.get(Person, action.owner_person_id)):
        return person.display_name
    return "Not known"
