"""Meetings from the personal chat: see a community's meetings; add, move or cancel one.

Everyone sees the meetings of their own communities; an officer gets a summary of every
community (or one community with `meetings CODE`). Officers, and a community's chair or vice
chair, get the forms. Every submit carries a community or meeting id that the domain re-checks
against who pressed it (:mod:`communities.meetings.service`: a forged card is refused and
audited). The London wall-clock times typed in a form become UTC here, refusing a time that
does not exist or happens twice. After the change is committed, the calendar (Graph or the
local feed) is brought up to date outside any session, and the person is told if it could not be.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time
from typing import Any

from botbuilder.core import CardFactory, MessageFactory, TurnContext
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.calendars import calendar_for
from bot.config import Settings
from bot.services import Services
from bot.teams.activity import command_text
from cards.elements import Card
from cards.meeting_admin_cards import (
    FIELDS,
    MAX_SHOWN,
    MEETING_ADD,
    MEETING_CANCEL,
    MEETING_MOVE,
    CommunityMeetings,
    NextMeeting,
    community_meetings_card,
    input_id,
    meeting_view,
    meetings_summary_card,
)
from communities.meetings import service as meeting_service
from communities.meetings.calendar import Calendar, CalendarError
from communities.meetings.calendar_sync import sync_meetings
from communities.meetings.service import MeetingRefused, MeetingTimes
from communities.meetings.tables import LONDON, UPCOMING, Meeting, date_text, london_wall_time, when_text
from communities.permissions import may_manage_meetings
from communities.roster.directory import PersonProfile, community_by_code
from communities.roster.roles import Role
from communities.roster.tables import Community, Person
from dialogs.asked import community_asked

log = logging.getLogger(__name__)

#: Card submits that change a meeting (``data.community_id`` to add, ``data.meeting_id`` otherwise).
MEETING_BUTTONS = frozenset({MEETING_ADD, MEETING_MOVE, MEETING_CANCEL})
OUT_OF_DATE = "That card is out of date; write `meetings` to see the meetings again."

#: One calendar per process and settings (Graph keeps a signed-in client); built on first use.
_CALENDARS: dict[Settings, Calendar] = {}


# ---- showing ---------------------------------------------------------------------------------


def meetings_code(text: str, value: Any) -> str | None:
    """The community asked for: a summary button's, or typed (`meetings CANT1`)."""
    return community_asked("meetings", text, value)


async def show_meetings(services: Services, ctx: TurnContext, profile: PersonProfile) -> None:
    code = meetings_code(command_text(ctx.activity), ctx.activity.value)
    now = services.clock.now()
    cards: list[Card] = []
    refusal: str | None = None
    async with services.database.session() as session:
        if code is not None:
            community = await community_by_code(session, code)
            refusal = _may_see(profile, community, code)
            if community is not None and refusal is None:
                cards.append(_card(await community_meetings(session, profile, community, now), now))
        elif profile.has_role(Role.OFFICER):
            cards.append(meetings_summary_card(await next_meetings(session, now)))
        else:
            for community in await _own_communities(session, profile):
                cards.append(_card(await community_meetings(session, profile, community, now), now))
    if refusal is not None:
        await ctx.send_activity(f"Sorry: {refusal}")
    elif not cards:
        await ctx.send_activity("You are not in a community yet, so there are no meetings to show.")
    for content in cards:
        await _send_card(ctx, content)


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
    views = tuple(
        meeting_view(m, chairs.get(m.chair_person_id or 0), show_calendar_problem=can_manage)
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


# ---- changing --------------------------------------------------------------------------------


async def press(
    services: Services, ctx: TurnContext, profile: PersonProfile, action: str, value: dict[str, Any]
) -> None:
    try:
        if action == MEETING_ADD:
            meeting_id, done = await _add(services, profile, value)
        elif action == MEETING_MOVE:
            meeting_id, done = await _move(services, profile, value)
        elif action == MEETING_CANCEL:
            meeting_id, done = await _cancel(services, profile, value)
        else:
            raise MeetingRefused("I don't know that action.")
    except MeetingRefused as refusal:
        await ctx.send_activity(f"Sorry: {refusal}")
        return
    problem = await _sync_calendar(services, meeting_id)
    if services.scheduler is not None:
        await services.scheduler.sync_meeting(meeting_id)
    if problem is None:
        await ctx.send_activity(f"{done} The calendar is up to date.")
    else:
        await ctx.send_activity(
            f"{done} The meeting is saved, but the calendar could not be updated: {problem}"
        )
    now = services.clock.now()
    async with services.database.session() as session:
        meeting = await session.get(Meeting, meeting_id)
        community = await session.get(Community, meeting.community_id) if meeting else None
        view = await community_meetings(session, profile, community, now) if community else None
    if view is not None:
        await _send_card(ctx, _card(view, now))


async def _add(services: Services, profile: PersonProfile, value: dict[str, Any]) -> tuple[int, str]:
    community_id = _id(value, "community_id")
    form = _form(value)
    times = _times(value, form)
    location, online = _place(value, form)
    try:
        async with services.database.session() as session:
            community = await session.get(Community, community_id)
            if community is None or not community.active:
                raise MeetingRefused("That community does not exist (the card may be from somewhere else).")
            meeting = await meeting_service.schedule(
                session,
                services.clock,
                profile,
                community,
                times,
                location=location,
                online=online,
                offsets=services.settings.meeting_offsets,
            )
            await session.commit()
    except IntegrityError as exc:  # the same meeting added twice at once (a double press)
        raise MeetingRefused("That community already has a meeting at that time.") from exc
    assert meeting.id is not None
    return meeting.id, f"Added a meeting for {community.code}: {when_text(meeting)}. {_deadlines(meeting)}"


async def _move(services: Services, profile: PersonProfile, value: dict[str, Any]) -> tuple[int, str]:
    meeting_id = _id(value, "meeting_id")
    form = _form(value)
    times = _times(value, form)
    location, online = _place(value, form)
    try:
        async with services.database.session() as session:
            meeting = await meeting_service.move(
                session,
                services.clock,
                profile,
                meeting_id,
                times,
                location=location,
                online=online,
                offsets=services.settings.meeting_offsets,
            )
            community = await session.get(Community, meeting.community_id)
            await session.commit()
    except IntegrityError as exc:
        raise MeetingRefused("That community already has a meeting at that time.") from exc
    code = community.code if community else "the community"
    return meeting_id, f"Moved the {code} meeting to {when_text(meeting)}. {_deadlines(meeting)}"


async def _cancel(services: Services, profile: PersonProfile, value: dict[str, Any]) -> tuple[int, str]:
    meeting_id = _id(value, "meeting_id")
    reason = value.get(input_id(_form(value), "reason"))
    async with services.database.session() as session:
        meeting = await meeting_service.cancel(
            session, services.clock, profile, meeting_id, reason if isinstance(reason, str) else ""
        )
        community = await session.get(Community, meeting.community_id)
        await session.commit()
    code = community.code if community else "the community"
    return meeting_id, (
        f"Cancelled the {code} meeting of {when_text(meeting)}. Members see your reason with the "
        "cancellation; accepted requests go to the next meeting."
    )


def _deadlines(meeting: Meeting) -> str:
    return (
        f"Requests close {date_text(meeting.submission_deadline)}; "
        f"the agenda is due by {date_text(meeting.agenda_publish_by)}."
    )


def _id(value: dict[str, Any], key: str) -> int:
    found = value.get(key)
    if not isinstance(found, int) or isinstance(found, bool) or found <= 0:
        raise MeetingRefused(OUT_OF_DATE)
    return found


def _form(value: dict[str, Any]) -> str:
    """The form the submit came from (its inputs' prefix)."""
    form = value.get(FIELDS)
    if not isinstance(form, str) or not form.isalnum() or len(form) > 40:
        raise MeetingRefused(OUT_OF_DATE)
    return form


def _times(value: dict[str, Any], form: str) -> MeetingTimes:
    """The form's London date and times as UTC instants; a time that is not one is refused."""
    try:
        day = date.fromisoformat(_text(value, input_id(form, "date")))
        starts = time.fromisoformat(_text(value, input_id(form, "start")))
        ends = time.fromisoformat(_text(value, input_id(form, "end")))
    except ValueError as exc:
        raise MeetingRefused("Give the date, and the start and end times (such as 16:00).") from exc
    if starts.tzinfo is not None or ends.tzinfo is not None:
        raise MeetingRefused("Give the times as London times, such as 16:00.")
    try:
        starts_at = london_wall_time(datetime.combine(day, starts.replace(second=0, microsecond=0)))
        ends_at = london_wall_time(datetime.combine(day, ends.replace(second=0, microsecond=0)))
    except ValueError as exc:  # the spring-forward gap, or the autumn hour that happens twice
        raise MeetingRefused(f"{exc}; choose another time.") from exc
    return MeetingTimes(starts_at, ends_at)


def _place(value: dict[str, Any], form: str) -> tuple[str | None, bool]:
    location = _text(value, input_id(form, "location"))
    online = value.get(input_id(form, "online"))
    return location or None, online is True or (isinstance(online, str) and online.lower() == "true")


def _text(value: dict[str, Any], key: str) -> str:
    found = value.get(key)
    return found.strip() if isinstance(found, str) else ""


# ---- the calendar ----------------------------------------------------------------------------


def _calendar(settings: Settings) -> Calendar:
    calendar = _CALENDARS.get(settings)
    if calendar is None:
        calendar = _CALENDARS[settings] = calendar_for(settings)
    return calendar


async def close_calendars() -> None:
    """Close the calendars built here (Graph holds an HTTP client); the app calls it on shutdown."""
    calendars = list(_CALENDARS.values())
    _CALENDARS.clear()
    for calendar in calendars:
        await calendar.close()


async def _sync_calendar(services: Services, meeting_id: int) -> str | None:
    """Bring the calendar up to date for the meeting (no session is open); the problem in words."""
    try:
        report = await sync_meetings(services.database, _calendar(services.settings), [meeting_id])
    except (CalendarError, ValueError, OSError) as error:  # e.g. Graph credentials that cannot be used
        log.warning("meeting %s: calendar not brought up to date: %s", meeting_id, error)
        return str(error)
    if report.problems:
        return "; ".join(problem for _, _, problem in report.problems)
    return None


# ---- helpers ---------------------------------------------------------------------------------


def _card(view: CommunityMeetings, now: datetime) -> Card:
    return community_meetings_card(view, today=now.astimezone(LONDON).date())


async def _send_card(ctx: TurnContext, content: Card) -> None:
    await ctx.send_activity(MessageFactory.attachment(CardFactory.adaptive_card(content)))
