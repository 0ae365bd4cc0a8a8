"""Publishing an agenda to the community's channel, and republishing it in place."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from communities.agendas.access import AgendaRefused, audit_meeting, editable, save
from communities.agendas.tables import AgendaStatus
from communities.agendas.view import AgendaView, view
from communities.clock import Clock
from communities.messaging.channel_posts import editable_posts, queue_post, row_id
from communities.messaging.outbox import (
    DeliveryKind,
    Outbox,
    OutboxMessage,
    OutgoingMessage,
    conversation_key,
)
from communities.messaging.teams_links import ChannelLink, TeamInstallation
from communities.requests.placement import schedule_published
from communities.roster.directory import PersonProfile
from communities.roster.tables import Community
from communities.wording import counted

#: Turns the agenda into the channel's cards (one, or several for a long agenda).
ChannelRenderer = Callable[[AgendaView], Sequence[dict[str, Any]]]


@dataclass(frozen=True)
class Published:
    view: AgendaView
    #: The outbox rows added now (new threads or in-place edits); empty when nothing had changed.
    queued: tuple[OutboxMessage, ...]
    parts: int
    #: The channel's earlier post was edited rather than a new one started.
    edited_in_place: bool

    @property
    def unchanged(self) -> bool:
        return not self.queued


async def publish(
    session: AsyncSession,
    clock: Clock,
    outbox: Outbox,
    actor: PersonProfile,
    meeting_id: int,
    render_channel_card: ChannelRenderer,
    *,
    version: int | None = None,
) -> Published:
    """Post the agenda to the community's channel, or edit the earlier post in place (republish).

    Outbox keys are ``agenda:{meeting_id}:v{version}`` (``:part{n}`` for later cards), so
    publishing a version twice queues nothing the second time.
    """
    agenda, meeting, community = await editable(session, clock, actor, meeting_id, version, "publish")
    link = await _channel(session, community)
    if agenda.meeting_sequence != meeting.sequence:  # moved since: what the cards say has changed
        await save(session, clock, agenda, meeting_sequence=meeting.sequence)
    current = await view(session, meeting_id=meeting_id)
    channel = conversation_key(DeliveryKind.NEW_THREAD, link.reference)
    posts = [agenda.channel_message_id, *agenda.channel_part_ids] if agenda.channel_message_id else []
    await schedule_published(session, clock, actor, meeting_id)  # its requests are on it for good
    earlier = await editable_posts(session, posts, channel)
    if agenda.published_version == agenda.version and posts and len(earlier) == len(posts):
        return Published(current, (), len(posts), edited_in_place=False)  # the channel shows this already
    cards = list(render_channel_card(current))
    if not cards:
        raise ValueError("the renderer gave no card")
    summary = f"Agenda for {community.name}, {current.when}"
    queued: list[OutboxMessage] = []
    originals: list[int] = []
    for index, content in enumerate(cards):
        key = f"agenda:{meeting_id}:v{agenda.version}" + (f":part{index + 1}" if index else "")
        message = OutgoingMessage(card=dict(content), summary=summary)
        before = earlier[index] if index < len(earlier) else None
        row = await queue_post(session, outbox, key, message, before, link.reference, f"agenda:{meeting_id}")
        queued.append(row)
        originals.append(row_id(before if before is not None else row))
    for index, leftover in enumerate(earlier[len(cards) :], start=len(cards) + 1):
        retired = OutgoingMessage(
            text=f"Part {index} of an earlier version of this agenda is no longer needed: the agenda for "
            f"{current.when} now has {counted(len(cards), 'part')}, posted in this channel.",
        )
        key = f"agenda:{meeting_id}:v{agenda.version}:part{index}"
        queued.append(
            await queue_post(session, outbox, key, retired, leftover, link.reference, f"agenda:{meeting_id}")
        )
        originals.append(row_id(leftover))
    republished = AgendaStatus(agenda.status) is AgendaStatus.PUBLISHED
    await save(
        session,
        clock,
        agenda,
        bump=False,
        status=AgendaStatus.PUBLISHED.value,
        published_at=clock.now(),
        published_version=agenda.version,
        channel_message_id=originals[0],
        channel_part_ids=originals[1:],
    )
    action = "agenda_republished" if republished else "agenda_published"
    audit_meeting(session, clock, actor, action, meeting, {"version": agenda.version, "parts": len(cards)})
    return Published(
        view=await view(session, meeting_id=meeting_id),
        queued=tuple(queued),
        parts=len(cards),
        edited_in_place=bool(earlier),
    )


async def _channel(session: AsyncSession, community: Community) -> ChannelLink:
    link = (await session.exec(select(ChannelLink).where(ChannelLink.community_id == community.id))).first()
    if link is None:
        raise AgendaRefused(
            f"{community.name} ({community.code}) has no channel linked yet, so the agenda cannot be "
            f"posted. Its chair or an officer mentions the bot with `link {community.code}` in the "
            "community's channel; then publish again."
        )
    team = (
        await session.exec(select(TeamInstallation).where(TeamInstallation.team_id == link.team_id))
    ).first()
    if team is not None and not team.installed:
        raise AgendaRefused(
            f"The bot is no longer installed in the team of {community.code}'s channel, so the agenda "
            "cannot be posted. Add the app to the team again, then publish again."
        )
    return link
