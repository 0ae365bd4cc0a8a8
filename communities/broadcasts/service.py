"""Broadcasts of meeting dates: one card per community channel, and what became of each.

A broadcast is a selection of meetings (a date range, all communities or an area). Each
community in it is a target: a new thread in its linked channel, an edit of the card an
earlier broadcast posted there, nothing when its dates have not changed since, or a failure
recorded at once (no channel linked). Delivery itself is the outbox's; the report joins the
targets with their outbox rows, so it is exact after a crash and a restart.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import astuple, dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from communities.broadcasts.report import messages_by_id
from communities.broadcasts.selection import BroadcastRefused, Selection
from communities.broadcasts.tables import Broadcast, BroadcastTarget, TargetState
from communities.clock import Clock
from communities.meetings.tables import (
    LONDON,
    Meeting,
    MeetingStatus,
    date_text,
    feed_path,
    feed_tokens,
    when_text,
    where_text,
)
from communities.messaging import notices
from communities.messaging.outbox import (
    DeliveryKind,
    Outbox,
    OutboxMessage,
    OutboxStatus,
    OutgoingMessage,
    conversation_key,
)
from communities.messaging.teams_links import ChannelLink, TeamInstallation
from communities.roster.tables import Area, Community, Person
from communities.school_days import SchoolCalendar
from communities.terms.calendar import load_calendar

# ---- the selection --------------------------------------------------------------------------------


# ---- what each community gets --------------------------------------------------------------------


@dataclass(frozen=True)
class MeetingLine:
    """One meeting as a channel card shows it (no personal data beyond the chair's name)."""

    when: str
    status: MeetingStatus
    where: str
    join_url: str | None
    deadline: str
    agenda_due: str
    chair: str | None
    cancel_reason: str | None
    #: "Term 3, 2026-27" when term dates are loaded for the meeting's day, else None.
    term: str | None = None


@dataclass(frozen=True)
class CommunityDates:
    community_id: int
    code: str
    name: str
    meetings: tuple[MeetingLine, ...]
    #: The community's channel reference, or None when no channel is linked.
    channel_reference: dict[str, Any] | None
    #: Why the card cannot go to the channel (no channel linked, the app removed from the team).
    problem: str | None
    #: "Add to my calendar": the community's ICS feed URL (local calendar), else None.
    calendar_url: str | None
    #: True when members get each meeting as an Outlook invitation (the Graph calendar).
    invitations: bool = False

    @property
    def digest(self) -> str:
        """Changes exactly when what the card says changes."""
        meetings = [astuple(m) for m in self.meetings]
        data = json.dumps([self.code, self.name, self.calendar_url, self.invitations, meetings])
        return hashlib.sha256(data.encode()).hexdigest()


#: Turns a community's dates into the card (``updated``: marked as an update of an earlier card).
Render = Callable[[CommunityDates, bool], dict[str, Any]]


async def plan(
    session: AsyncSession,
    clock: Clock,
    selection: Selection,
    *,
    feed_base_url: str | None,
    bot_name: str,
    invitations: bool = False,
) -> tuple[list[CommunityDates], list[str]]:
    """What each community in the selection would get, and the codes of those with no meetings."""
    communities = await _communities(session, selection)
    if not communities:
        raise BroadcastRefused(_no_communities(selection))
    ids = [c.id for c in communities if c.id is not None]
    start = datetime.combine(selection.first, time(0), LONDON).astimezone(UTC)
    end = datetime.combine(selection.last + timedelta(days=1), time(0), LONDON).astimezone(UTC)
    meetings = (
        await session.exec(
            select(Meeting)
            .where(col(Meeting.community_id).in_(ids), Meeting.starts_at >= start, Meeting.starts_at < end)
            .order_by(col(Meeting.starts_at))
        )
    ).all()
    chairs = await _names(session, {m.chair_person_id for m in meetings if m.chair_person_id})
    links = {
        link.community_id: link
        for link in (
            await session.exec(select(ChannelLink).where(col(ChannelLink.community_id).in_(ids)))
        ).all()
    }
    removed = await _removed_teams(session, {link.team_id for link in links.values()})
    feeds = await feed_tokens(session, clock, ids) if feed_base_url and not invitations else {}
    by_community: dict[int, list[Meeting]] = {}
    for meeting in meetings:
        by_community.setdefault(meeting.community_id, []).append(meeting)
    calendar = await load_calendar(session)
    planned: list[CommunityDates] = []
    empty: list[str] = []
    for community in communities:
        assert community.id is not None
        own = by_community.get(community.id)
        if not own:
            empty.append(community.code)
            continue
        link = links.get(community.id)
        problem = _channel_problem(community, link, removed, bot_name)
        feed = feeds.get(community.id)
        planned.append(
            CommunityDates(
                community_id=community.id,
                code=community.code,
                name=community.name,
                meetings=tuple(_line(m, chairs, calendar) for m in own),
                channel_reference=link.reference if link and problem is None else None,
                problem=problem,
                calendar_url=f"{feed_base_url}{feed_path(feed)}" if feed_base_url and feed else None,
                invitations=invitations,
            )
        )
    return planned, empty


async def start(
    session: AsyncSession,
    clock: Clock,
    outbox: Outbox,
    *,
    actor_person_id: int | None,
    selection: Selection,
    planned: list[CommunityDates],
    render: Render,
    confirm_key: str | None = None,
) -> Broadcast:
    """Record the broadcast and queue one card per community channel (the caller commits).

    With a ``confirm_key`` already used, the broadcast made then is returned instead.
    """
    if confirm_key is not None:
        made = (await session.exec(select(Broadcast).where(Broadcast.confirm_key == confirm_key))).first()
        if made is not None:
            return made
    broadcast = Broadcast(
        confirm_key=confirm_key,
        created_by_person_id=actor_person_id,
        description=selection.describe(),
        selection=selection.to_json(),
        created_at=clock.now(),
    )
    session.add(broadcast)
    await session.flush()
    assert broadcast.id is not None
    for dates in planned:
        session.add(await _target(session, outbox, broadcast.id, dates, render))
    await session.flush()
    return broadcast


async def retry_failed(
    session: AsyncSession,
    clock: Clock,
    outbox: Outbox,
    broadcast_id: int,
    *,
    feed_base_url: str | None,
    bot_name: str,
    render: Render,
    invitations: bool = False,
) -> int:
    """Send again what failed or could not be sent; returns how many were queued again."""
    broadcast = await session.get(Broadcast, broadcast_id)
    if broadcast is None:
        raise BroadcastRefused("That broadcast does not exist.")
    targets = (
        await session.exec(select(BroadcastTarget).where(BroadcastTarget.broadcast_id == broadcast_id))
    ).all()
    messages = await messages_by_id(session, [t.message_id for t in targets if t.message_id])
    failed = [
        t
        for t in targets
        if t.state == TargetState.NOT_SENT
        or (t.message_id and messages[t.message_id].status == OutboxStatus.FAILED)
    ]
    if not failed:
        return 0
    selection = Selection.from_json(broadcast.selection)
    planned, _ = await plan(
        session, clock, selection, feed_base_url=feed_base_url, bot_name=bot_name, invitations=invitations
    )
    by_id = {dates.community_id: dates for dates in planned}
    again = 0
    attempt = sum(1 for t in targets if t.message_id) + len(targets)  # a fresh key for each retry
    for target in failed:
        dates = by_id.get(target.community_id)
        if dates is None:
            continue
        fresh = await _target(session, outbox, broadcast_id, dates, render, retry=attempt)
        target.state, target.message_id, target.problem = fresh.state, fresh.message_id, fresh.problem
        target.edits_earlier, target.card_digest = fresh.edits_earlier, fresh.card_digest
        session.add(target)
        again += fresh.state == TargetState.QUEUED
    broadcast.settled_at = None
    session.add(broadcast)
    await session.flush()
    return again


# ---- the delivery report -------------------------------------------------------------------------


# ---- helpers -------------------------------------------------------------------------------------


async def _target(
    session: AsyncSession,
    outbox: Outbox,
    broadcast_id: int,
    dates: CommunityDates,
    render: Render,
    *,
    retry: int = 0,
) -> BroadcastTarget:
    target = BroadcastTarget(
        broadcast_id=broadcast_id, community_id=dates.community_id, state=TargetState.NOT_SENT
    )
    if dates.channel_reference is None:
        target.problem = dates.problem
        return target
    key = f"broadcast:{broadcast_id}:community:{dates.community_id}" + (f":retry:{retry}" if retry else "")
    earlier = await _earlier_card(session, broadcast_id, dates)
    target.card_digest = dates.digest
    if earlier is not None and earlier[0].card_digest == dates.digest:
        target.state = TargetState.UNCHANGED
        return target
    batch = f"broadcast:{broadcast_id}"
    if earlier is not None and earlier[1].activity_id:
        row = await outbox.update(
            session, key=key, original=earlier[1], message=_message(dates, render, True)
        )
        row.batch_key = batch
        target.edits_earlier = True
    else:
        told = await notices.tell(
            session,
            outbox,
            notices.Notice.to(
                notices.Conversation(dates.channel_reference, new_thread=True),
                key,
                _message(dates, render, earlier is not None),
                batch_key=batch,
            ),
        )
        row = told.rows[0]
    target.state, target.message_id = TargetState.QUEUED, row.id
    return target


def _message(dates: CommunityDates, render: Render, updated: bool) -> OutgoingMessage:
    summary = f"{'Updated meeting dates' if updated else 'Meeting dates'} for {dates.name}"
    return OutgoingMessage(card=render(dates, updated), summary=summary)


async def _earlier_card(
    session: AsyncSession, broadcast_id: int, dates: CommunityDates
) -> tuple[BroadcastTarget, OutboxMessage] | None:
    """The newest card an earlier broadcast delivered to this community's current channel.

    An edit of that card is itself a target whose row points at the original thread's message,
    so edits chain back to the one new thread a channel got.
    """
    assert dates.channel_reference is not None
    rows = (
        await session.exec(
            select(BroadcastTarget, OutboxMessage)
            .join(OutboxMessage, col(OutboxMessage.id) == col(BroadcastTarget.message_id))
            .where(
                BroadcastTarget.community_id == dates.community_id,
                BroadcastTarget.broadcast_id != broadcast_id,
                OutboxMessage.status == OutboxStatus.SENT,
            )
            .order_by(col(BroadcastTarget.id).desc())
        )
    ).all()
    channel = conversation_key(DeliveryKind.NEW_THREAD, dates.channel_reference)
    for target, message in rows:
        if message.kind == DeliveryKind.UPDATE and message.update_of_id is not None:
            original = await session.get(OutboxMessage, message.update_of_id)
            if original is None:
                continue
            message = original
        if message.conversation_key == channel and message.kind == DeliveryKind.NEW_THREAD:
            return target, message
    return None


async def _communities(session: AsyncSession, selection: Selection) -> list[Community]:
    query = select(Community).where(col(Community.active)).order_by(col(Community.code))
    if selection.community_codes:
        query = query.where(col(Community.code).in_(selection.community_codes))
    if selection.area:
        query = query.join(Area, col(Area.id) == col(Community.area_id)).where(
            func.lower(Area.name) == selection.area.lower()
        )
    return list((await session.exec(query)).all())


def _no_communities(selection: Selection) -> str:
    if selection.community_codes:
        return f"No active community has the code {', '.join(selection.community_codes)}."
    if selection.area:
        return f"There is no area called {selection.area!r} with active communities."
    return "There are no active communities in the roster yet."


async def _names(session: AsyncSession, person_ids: set[int]) -> dict[int, str]:
    if not person_ids:
        return {}
    rows = await session.exec(select(Person.id, Person.display_name).where(col(Person.id).in_(person_ids)))
    return {person_id: name for person_id, name in rows.all() if person_id is not None}


async def _removed_teams(session: AsyncSession, team_ids: set[str]) -> set[str]:
    """Teams the app was removed from (Teams told the bot); posting there would get a 403."""
    if not team_ids:
        return set()
    rows = await session.exec(
        select(TeamInstallation.team_id).where(
            col(TeamInstallation.team_id).in_(team_ids), ~col(TeamInstallation.installed)
        )
    )
    return set(rows.all())


def _channel_problem(
    community: Community, link: ChannelLink | None, removed: set[str], bot_name: str
) -> str | None:
    if link is None:
        return (
            f"No channel is linked to {community.code}: its chair or an officer writes "
            f"@{bot_name} link {community.code} in the community's channel."
        )
    if link.team_id in removed:
        return (
            f"The app is not installed in the team of {community.code}'s channel any more: "
            "add it to the team again, then retry."
        )
    return None


def _line(meeting: Meeting, chairs: dict[int, str], calendar: SchoolCalendar) -> MeetingLine:
    return MeetingLine(
        when=when_text(meeting),
        status=MeetingStatus(meeting.status),
        where=where_text(meeting.location, meeting.online),
        join_url=meeting.join_url if meeting.online else None,
        deadline=date_text(meeting.submission_deadline),
        agenda_due=date_text(meeting.agenda_publish_by),
        chair=chairs.get(meeting.chair_person_id) if meeting.chair_person_id else None,
        cancel_reason=meeting.cancel_reason if meeting.status == MeetingStatus.CANCELLED else None,
        term=calendar.term_label(meeting.starts_at.astimezone(LONDON).date()),
    )
