"""Meetings in the personal chat: a community's meetings, or an officer's summary of every community.

Everyone sees the meetings of their own communities; an officer gets a summary of every
community (or one community with `meetings CODE`). Officers, and a community's chair or vice
chair, get the forms to add, move or cancel one (:mod:`dialogs.meetings.changing`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from cards.elements import Card
from cards.meetings.admin import (
    MAX_SHOWN,
    CommunityMeetings,
    NextMeeting,
    community_meetings_card,
    meeting_view,
    meetings_summary_card,
)
from communities.meetings import service as meeting_service
from communities.meetings.tables import LONDON, UPCOMING, Meeting, when_text
from communities.permissions import may_manage_meetings
from communities.roster.directory import PersonProfile, community_by_code
from communities.roster.roles import Role
from communities.roster.tables import Community, Person
from communities.terms.calendar import load_calendar
from dialogs.community_code import community_asked
from dialogs.replies import send_card
from dialogs.routing import Turn
from dialogs.services import ChatServices


def meetings_code(text: str, value: Any) -> str | None:
    """The community asked for: a summary button's, or typed (`meetings CANT1`)."""
    return community_asked("meetings", text, value)


async def show_meetings(chat: ChatServices, turn: Turn) -> None:
    ctx, profile = turn.context, turn.profile
    code = meetings_code(turn.text, turn.value)
    now = chat.clock.now()
    cards: list[Card] = []
    refusal: str | None = None
    async with chat.database.session() as session:
        if code is not None:
            community = await community_by_code(session, code)
            refusal = _may_see(profile, community, code)
            if community is not None and refusal is None:
                cards.append(meetings_card(await community_meetings(session, profile, community, now), now))
        elif profile.has_role(Role.OFFICER):
            cards.append(meetings_summary_card(await next_meetings(session, now)))
        else:
            for community in await _own_communities(session, profile):
                cards.append(meetings_card(await community_meetings(session, profile, community, now), now))
    if refusal is not None:
        await ctx.send_activity(f"Sorry: {refusal}")
    elif not cards:
        await ctx.send_activity("You are not in a community yet, so there are no meetings to show.")
    for content in cards:
        await send_card(ctx, content)


def _may_see(profile: PersonProfile, community: Community | None, code: str) -> str | None:
    if community is None:
        return f"I don't know a community with the code “{code}”."
    if profile.has_role(Role.OFFICER) or any(c.id == community.id for c in profile.communities):
        return None
    own = ", ".join(c.code for c in profile.communities)
    if not own:
        return f"You are not in a community, so you cannot see the meetings of {community.code}."
    return f"You can see the meetings of your own community ({own}), not of {community.code}."


async def community_meetings(
    session: AsyncSession, profile: PersonProfile, community: Community, now: datetime
) -> CommunityMeetings:
    """The community's meetings still to come, as ``profile`` may see and change them."""
    assert community.id is not None
    meetings = await meeting_service.upcoming(session, [community.id], now)
    can_manage = may_manage_meetings(profile, community.id, community.code).allowed
    chairs = await _names(session, {m.chair_person_id for m in meetings if m.chair_person_id})
    calendar = await load_calendar(session)
    views = tuple(
        meeting_view(
            m,
            chairs.get(m.chair_person_id or 0),
            show_calendar_problem=can_manage,
            term=calendar.term_label(m.starts_at.astimezone(LONDON).date()),
        )
        for m in meetings[:MAX_SHOWN]
    )
    return CommunityMeetings(
        community_id=community.id,
        code=community.code,
        name=community.name,
        meetings=views,
        can_manage=can_manage,
        more=max(0, len(meetings) - MAX_SHOWN),
    )


async def next_meetings(session: AsyncSession, now: datetime) -> list[NextMeeting]:
    """Every active community with its next meeting going ahead (two queries).

    Calendar problems count every meeting still to come, a cancelled one too: until the calendar
    takes the cancellation, members still see the meeting there.
    """
    communities = (
        await session.exec(select(Community).where(col(Community.active)).order_by(col(Community.code)))
    ).all()
    ahead = (
        await session.exec(select(Meeting).where(col(Meeting.ends_at) > now).order_by(col(Meeting.starts_at)))
    ).all()
    by_community: dict[int, list[Meeting]] = {}
    for meeting in ahead:
        by_community.setdefault(meeting.community_id, []).append(meeting)
    lines = []
    for community in communities:
        own = by_community.get(community.id or 0, [])
        going_ahead = [m for m in own if m.status in UPCOMING]
        lines.append(
            NextMeeting(
                code=community.code,
                name=community.name,
                next_when=when_text(going_ahead[0]) if going_ahead else None,
                upcoming=len(going_ahead),
                calendar_problems=sum(1 for m in own if m.calendar_problem),
            )
        )
    return lines


async def _own_communities(session: AsyncSession, profile: PersonProfile) -> list[Community]:
    ids = [c.id for c in profile.communities]
    query = select(Community).where(col(Community.id).in_(ids), col(Community.active))
    return list((await session.exec(query.order_by(col(Community.code)))).all())


async def _names(session: AsyncSession, person_ids: set[int]) -> dict[int, str]:
    if not person_ids:
        return {}
    rows = await session.exec(select(Person.id, Person.display_name).where(col(Person.id).in_(person_ids)))
    return {person_id: name for person_id, name in rows.all() if person_id is not None}


def meetings_card(view: CommunityMeetings, now: datetime) -> Card:
    return community_meetings_card(view, today=now.astimezone(LONDON).date())
