"""The agenda as the cards show it: the Agenda template's sections, filled in for one meeting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from communities.agendas.access import AgendaRefused, agenda_of, build_draft, load_meeting
from communities.agendas.items import RequestItem, ReviewLine, attached, ordered, request_items, reviews_due
from communities.agendas.tables import Agenda, AgendaStatus
from communities.budget.since import BudgetSince, budget_since
from communities.clock import Clock
from communities.meetings.service import upcoming
from communities.meetings.tables import (
    UPCOMING,
    Meeting,
    MeetingStatus,
    date_text,
    local,
    when_text,
    where_text,
)
from communities.minutes.previous import PreviousMinutes, previous_minutes
from communities.roster.directory import PersonProfile
from communities.roster.tables import Person

# The Agenda template's standard sections, in order.
WELCOME, DECLARATIONS, PREVIOUS_MEETING, FINANCE, REQUESTS, REVIEWS, AOB, NEXT_MEETING = range(1, 9)
SECTION_TITLES: dict[int, str] = {
    WELCOME: "Welcome and apologies",
    DECLARATIONS: "Declarations of interest",
    PREVIOUS_MEETING: "Notes and actions of the previous meeting",
    FINANCE: "Finance: the community budget position",
    REQUESTS: "Requests from schools",
    REVIEWS: "Reviews of earlier outcomes",
    AOB: "Any other business",
    NEXT_MEETING: "Date of the next meeting",
}


@dataclass(frozen=True)
class AgendaView:
    agenda_id: int
    meeting_id: int
    community_code: str
    community_name: str
    when: str
    where: str
    join_url: str | None
    chair: str | None
    publish_by: str
    status: AgendaStatus
    version: int
    published_at: datetime | None
    #: Published, and changed since: the channel shows an older version.
    unpublished_changes: bool
    #: When the previous meeting was, or None for the community's first.
    previous_meeting: str | None
    #: Section 4: the position for the meeting's financial year and the allocations since the last meeting.
    budget: BudgetSince
    items: tuple[RequestItem, ...]
    reviews: tuple[ReviewLine, ...]
    aob: tuple[str, ...]
    #: When and where the community's next meeting after this one is, or None.
    next_meeting: str | None
    #: Section 3: the previous meeting's minutes for approval and the open actions (None: no previous one).
    minutes: PreviousMinutes | None = None

    @property
    def title(self) -> str:
        return f"{self.community_name} ({self.community_code})"


async def view(
    session: AsyncSession, *, agenda_id: int | None = None, meeting_id: int | None = None
) -> AgendaView:
    """The agenda as the cards show it.

    Not permission-checked: it names flagged members, so the chair's copy goes only to someone
    :func:`open_for_review` (or one of the changes below) has let in.
    """
    if (agenda_id is None) == (meeting_id is None):
        raise ValueError("give exactly one of agenda_id and meeting_id")
    agenda = await session.get(Agenda, agenda_id) if agenda_id is not None else None
    if meeting_id is not None:
        agenda = await agenda_of(session, meeting_id)
    if agenda is None or agenda.id is None:
        raise AgendaRefused("That meeting has no agenda yet.")
    meeting, community = await load_meeting(session, agenda.meeting_id)
    items = await request_items(
        session, ordered(agenda.item_order, await attached(session, agenda.meeting_id))
    )
    previous, following = await _neighbours(session, meeting)
    published = AgendaStatus(agenda.status) is AgendaStatus.PUBLISHED
    return AgendaView(
        agenda_id=agenda.id,
        meeting_id=agenda.meeting_id,
        community_code=community.code,
        community_name=community.name,
        when=when_text(meeting),
        where=where_text(meeting.location, meeting.online),
        join_url=meeting.join_url if meeting.online else None,
        chair=await _name(session, meeting.chair_person_id),
        publish_by=date_text(meeting.agenda_publish_by),
        status=AgendaStatus(agenda.status),
        version=agenda.version,
        published_at=agenda.published_at,
        unpublished_changes=published
        and (agenda.published_version != agenda.version or agenda.meeting_sequence != meeting.sequence),
        previous_meeting=date_text(previous.starts_at) if previous else None,
        budget=await budget_since(
            session,
            meeting.community_id,
            local(meeting.starts_at).date(),
            after=previous.starts_at if previous else None,
            until=meeting.starts_at,
            since=f"the meeting on {_day(previous.starts_at)}" if previous else None,
        ),
        items=tuple(items),
        reviews=tuple(await reviews_due(session, meeting)),
        aob=tuple(agenda.aob),
        next_meeting=_when_and_where(following) if following else None,
        minutes=await previous_minutes(session, meeting, previous),
    )


def _day(moment: datetime) -> str:
    at = local(moment)
    return f"{at.day} {at:%B %Y}"


def _when_and_where(meeting: Meeting) -> str:
    return f"{when_text(meeting)}, {where_text(meeting.location, meeting.online)}"


async def open_for_review(
    session: AsyncSession, clock: Clock, actor: PersonProfile, meeting_id: int
) -> AgendaView:
    """The chair's copy: permission-checked, and built first if there is no draft yet."""
    await build_draft(session, clock, meeting_id, actor)
    return await view(session, meeting_id=meeting_id)


async def _name(session: AsyncSession, person_id: int | None) -> str | None:
    person = await session.get(Person, person_id) if person_id else None
    return person.display_name if person else None


async def _neighbours(session: AsyncSession, meeting: Meeting) -> tuple[Meeting | None, Meeting | None]:
    """The community's meeting before this one (not cancelled) and its next one still going ahead."""
    previous = (
        await session.exec(
            select(Meeting)
            .where(
                Meeting.community_id == meeting.community_id,
                col(Meeting.starts_at) < meeting.starts_at,
                col(Meeting.status) != MeetingStatus.CANCELLED,
            )
            .order_by(col(Meeting.starts_at).desc())
            .limit(1)
        )
    ).first()
    return previous, await following(session, meeting)


async def following(session: AsyncSession, meeting: Meeting) -> Meeting | None:
    later = await upcoming(session, [meeting.community_id], meeting.ends_at)
    return next((m for m in later if m.status in UPCOMING and m.starts_at > meeting.starts_at), None)
