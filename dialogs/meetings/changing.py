"""Meetings in the personal chat: add, move or cancel one.

Every submit carries a community or meeting id that the domain re-checks against who pressed
it (:mod:`communities.meetings.service`: a forged card is refused and audited). The London
wall-clock times typed in a form become UTC here, refusing a time that does not exist or
happens twice. After the change is committed, the calendar (Graph or the local feed) is brought
up to date outside any session, and the person is told if it could not be.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time
from typing import Any

from sqlalchemy.exc import IntegrityError

from cards.elements import Card
from cards.meetings.admin import (
    FIELDS,
    MEETING_ADD,
    MEETING_CANCEL,
    MEETING_MOVE,
    CommunityMeetings,
    input_id,
)
from cards.meetings.cancelling import (
    MEETING_CANCEL_CONFIRM,
    MEETING_CANCEL_KEEP,
    MEETINGS_CARD,
    REASON,
    cancel_confirm_card,
    cancel_outcome_card,
)
from communities.meetings import service as meeting_service
from communities.meetings.calendar import CalendarError
from communities.meetings.calendar_sync import sync_meetings
from communities.meetings.service import MeetingRefused, MeetingTimes
from communities.meetings.tables import Meeting, date_text, london_wall_time, when_text
from communities.roster.directory import PersonProfile
from communities.roster.tables import Community
from dialogs.meetings.showing import community_meetings, meetings_card
from dialogs.replies import pressed_card, replace_card, send_card, show_card
from dialogs.routing import Turn
from dialogs.services import ChatServices

log = logging.getLogger(__name__)

#: Card submits that change a meeting (``data.community_id`` to add, ``data.meeting_id`` otherwise).
MEETING_BUTTONS = (MEETING_ADD, MEETING_MOVE, MEETING_CANCEL, MEETING_CANCEL_CONFIRM, MEETING_CANCEL_KEEP)
OUT_OF_DATE = "That card is out of date; write `meetings` to see the meetings again."


async def press(chat: ChatServices, turn: Turn) -> None:
    ctx, profile, action, value = turn.context, turn.profile, turn.action, turn.value or {}
    if action in (MEETING_CANCEL_CONFIRM, MEETING_CANCEL_KEEP):
        await _answer_cancel_confirmation(chat, turn)
        return
    try:
        if action == MEETING_ADD:
            meeting_id, done = await _add(chat, profile, value)
        elif action == MEETING_MOVE:
            meeting_id, done = await _move(chat, profile, value)
        elif action == MEETING_CANCEL:
            await send_card(ctx, await _ask_cancel(chat, turn))
            return
        else:
            raise MeetingRefused("I don't know that action.")
    except MeetingRefused as refusal:
        await ctx.send_activity(f"Sorry: {refusal}")
        return
    await ctx.send_activity(await _bring_up_to_date(chat, meeting_id, done))
    view = await _meetings_view(chat, profile, meeting_id)
    if view is not None:
        await send_card(ctx, meetings_card(view, chat.clock.now()))


async def _bring_up_to_date(chat: ChatServices, meeting_id: int, done: str) -> str:
    """The calendar and the timeline follow the change; ``done`` with whether the calendar did."""
    problem = await _sync_calendar(chat, meeting_id)
    if chat.timelines is not None:
        await chat.timelines.sync_meeting(meeting_id)
    if problem is None:
        return f"{done} The calendar is up to date."
    return f"{done} The meeting is saved, but the calendar could not be updated: {problem}"


async def _meetings_view(
    chat: ChatServices, profile: PersonProfile, meeting_id: int
) -> CommunityMeetings | None:
    async with chat.database.session() as session:
        meeting = await session.get(Meeting, meeting_id)
        community = await session.get(Community, meeting.community_id) if meeting else None
        return await community_meetings(session, profile, community, chat.clock.now()) if community else None


async def _ask_cancel(chat: ChatServices, turn: Turn) -> Card:
    """Cancelling cannot be undone: the domain checks it may happen, then the person is asked."""
    value = turn.value or {}
    meeting_id = _id(value, "meeting_id")
    reason = value.get(input_id(_form(value), "reason"))
    async with chat.database.session() as session:
        meeting, community, tidied = await meeting_service.may_cancel(
            session, chat.clock, turn.profile, meeting_id, reason if isinstance(reason, str) else ""
        )
    return cancel_confirm_card(
        community.code,
        when_text(meeting),
        tidied,
        meeting_id,
        in_calendar=meeting.calendar_event_id is not None,
        meetings_card=pressed_card(turn.context),
    )


async def _answer_cancel_confirmation(chat: ChatServices, turn: Turn) -> None:
    """ "Yes, cancel the meeting" or "Keep it": the confirmation pressed becomes what happened,
    read-only, and that is the one message; the meetings card it came from is brought up to date
    in place. A meeting cancelled already, or a press the domain refuses, changes nothing."""
    ctx, profile, value = turn.context, turn.profile, turn.value or {}
    try:
        if turn.action == MEETING_CANCEL_KEEP:
            meeting_id = _id(value, "meeting_id")
            async with chat.database.session() as session:
                meeting, community, _ = await meeting_service.may_cancel(
                    session, chat.clock, profile, meeting_id, "kept"
                )
            kept = f"Nothing was changed: the {community.code} meeting of {when_text(meeting)} is still on."
            await show_card(ctx, cancel_outcome_card("The meeting is kept", [kept]))
            return
        reason = value.get(REASON)
        meeting_id, done = await _cancel(chat, profile, value, reason if isinstance(reason, str) else "")
    except MeetingRefused as refusal:
        await show_card(ctx, cancel_outcome_card("Nothing was changed", [f"Sorry: {refusal}"]))
        return
    said = await _bring_up_to_date(chat, meeting_id, done)
    await show_card(ctx, cancel_outcome_card("Meeting cancelled", [said]))
    listed = value.get(MEETINGS_CARD)
    view = await _meetings_view(chat, profile, meeting_id) if isinstance(listed, str) and listed else None
    if view is not None and isinstance(listed, str):
        await replace_card(ctx, listed, meetings_card(view, chat.clock.now()))


async def _add(chat: ChatServices, profile: PersonProfile, value: dict[str, Any]) -> tuple[int, str]:
    community_id = _id(value, "community_id")
    form = _form(value)
    times = _times(value, form)
    location, online = _place(value, form)
    try:
        async with chat.database.session() as session:
            community = await session.get(Community, community_id)
            if community is None or not community.active:
                raise MeetingRefused("That community does not exist (the card may be from somewhere else).")
            meeting = await meeting_service.schedule(
                session,
                chat.clock,
                profile,
                community,
                times,
                location=location,
                online=online,
                offsets=chat.meeting_offsets,
            )
            odd = await meeting_service.odd_day_warning(session, meeting)
            await session.commit()
    except IntegrityError as exc:  # the same meeting added twice at once (a double press)
        raise MeetingRefused("That community already has a meeting at that time.") from exc
    assert meeting.id is not None
    said = f"Added a meeting for {community.code}: {when_text(meeting)}. {_deadlines(meeting)}"
    return meeting.id, said + _odd_day(odd)


async def _move(chat: ChatServices, profile: PersonProfile, value: dict[str, Any]) -> tuple[int, str]:
    meeting_id = _id(value, "meeting_id")
    form = _form(value)
    times = _times(value, form)
    location, online = _place(value, form)
    try:
        async with chat.database.session() as session:
            meeting = await meeting_service.move(
                session,
                chat.clock,
                profile,
                meeting_id,
                times,
                location=location,
                online=online,
                offsets=chat.meeting_offsets,
            )
            community = await session.get(Community, meeting.community_id)
            odd = await meeting_service.odd_day_warning(session, meeting)
            await session.commit()
    except IntegrityError as exc:
        raise MeetingRefused("That community already has a meeting at that time.") from exc
    code = community.code if community else "the community"
    said = f"Moved the {code} meeting to {when_text(meeting)}. {_deadlines(meeting)}"
    return meeting_id, said + _odd_day(odd)


def _odd_day(warning: str | None) -> str:
    """The warning for a meeting on a day that is not a school day (it is kept all the same)."""
    return f" Please note: {warning}; the meeting is kept as you set it." if warning else ""


async def _cancel(
    chat: ChatServices, profile: PersonProfile, value: dict[str, Any], reason: str
) -> tuple[int, str]:
    meeting_id = _id(value, "meeting_id")
    async with chat.database.session() as session:
        meeting = await meeting_service.cancel(session, chat.clock, profile, meeting_id, reason)
        community = await session.get(Community, meeting.community_id)
        await session.commit()
    code = community.code if community else "the community"
    told = (
        "The calendar invitation is cancelled with your reason."
        if meeting.calendar_event_id
        else "It was not in anyone's calendar, so no calendar cancellation is sent."
    )
    return meeting_id, (
        f"Cancelled the {code} meeting of {when_text(meeting)}. {told} I post nothing in the "
        "channel and message nobody in Teams about it; accepted requests go to the next meeting."
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


async def _sync_calendar(chat: ChatServices, meeting_id: int) -> str | None:
    """Bring the calendar up to date for the meeting (no session is open); the problem in words."""
    try:
        report = await sync_meetings(chat.database, chat.calendar(), [meeting_id])
    except (CalendarError, ValueError, OSError) as error:  # e.g. Graph credentials that cannot be used
        log.warning("meeting %s: calendar not brought up to date: %s", meeting_id, error)
        return str(error)
    if report.problems:
        return "; ".join(problem for _, _, problem in report.problems)
    return None
