"""Linking a Teams channel to a community, so the bot knows where to post for it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from communities import audit
from communities.clock import Clock
from communities.messaging import notices
from communities.messaging.outbox import Outbox, OutgoingMessage
from communities.messaging.teams_links import ChannelLink
from communities.permissions import may_link_channel
from communities.roster.directory import PersonProfile, community_by_code
from communities.roster.tables import Community


@dataclass(frozen=True)
class ChannelSeen:
    """The channel a command was written in, as the Teams edge saw it."""

    team_id: str
    channel_id: str
    channel_name: str | None
    service_url: str
    tenant_id: str | None
    #: Reference to the channel itself (new threads), plain JSON.
    channel_reference: dict[str, Any]
    #: Reference to the thread the command was written in (the reply goes there).
    thread_reference: dict[str, Any]
    #: The incoming message id: one confirmation per command, however often it is redelivered.
    message_id: str


@dataclass(frozen=True)
class LinkOutcome:
    """``reply`` is said at once in the thread; a confirmation, when queued, comes via the outbox."""

    changed: bool
    reply: str | None = None


async def link_channel(
    session: AsyncSession, clock: Clock, outbox: Outbox, actor: PersonProfile, code: str, channel: ChannelSeen
) -> LinkOutcome:
    code = code.strip().upper()
    if not code:
        return LinkOutcome(False, "Tell me which community: for example `link CANT1`.")
    community = await community_by_code(session, code)
    if community is None:
        return LinkOutcome(
            False,
            f"I can't find a community with the code {code}. Check the code in the roster "
            "(it looks like CANT1) and try again.",
        )
    decision = may_link_channel(actor, community)
    if not decision.allowed:
        return LinkOutcome(False, f"Sorry, {actor.display_name}: {decision.reason}")
    assert community.id is not None

    here = (
        await session.exec(select(ChannelLink).where(ChannelLink.channel_id == channel.channel_id))
    ).first()
    if here is not None and here.community_id != community.id:
        other = await session.get(Community, here.community_id)
        other_code = other.code if other else "another community"
        return LinkOutcome(
            False,
            f"This channel is already the channel of {other.name if other else other_code} ({other_code}). "
            f"A council officer or the chair of {other_code} can write `unlink` here first.",
        )
    if here is not None:
        return LinkOutcome(
            False, f"This channel is already the channel of {community.name} ({community.code})."
        )

    previous = (
        await session.exec(select(ChannelLink).where(ChannelLink.community_id == community.id))
    ).first()
    moved_from = previous.channel_name if previous else None
    if previous is not None:
        await session.delete(previous)
        await session.flush()
    session.add(
        ChannelLink(
            community_id=community.id,
            team_id=channel.team_id,
            channel_id=channel.channel_id,
            channel_name=channel.channel_name,
            service_url=channel.service_url,
            tenant_id=channel.tenant_id,
            reference=channel.channel_reference,
            linked_by_person_id=actor.person_id,
            linked_at=clock.now(),
        )
    )
    audit.record(
        session,
        clock,
        actor_person_id=actor.person_id,
        action="channel_linked",
        entity="community",
        entity_id=community.code,
        detail={"team_id": channel.team_id, "channel_id": channel.channel_id, "moved": previous is not None},
    )
    text = (
        f"✅ This channel is now the channel of {community.name} ({community.code}). "
        f"Meeting dates, agendas and reminders for {community.code} will be posted here."
    )
    if previous is not None:
        text += f" It was {('“' + moved_from + '”') if moved_from else 'another channel'} before."
    confirmation = notices.Conversation(channel.thread_reference)
    await notices.tell(
        session,
        outbox,
        notices.Notice.to(
            confirmation, f"link-confirmation:{channel.message_id}", OutgoingMessage(text=text)
        ),
    )
    return LinkOutcome(True)


async def unlink_channel(
    session: AsyncSession, clock: Clock, actor: PersonProfile, channel_id: str
) -> LinkOutcome:
    link = (await session.exec(select(ChannelLink).where(ChannelLink.channel_id == channel_id))).first()
    if link is None:
        return LinkOutcome(
            False, "This channel is not linked to any community, so there is nothing to unlink."
        )
    community = await session.get(Community, link.community_id)
    assert community is not None
    decision = may_link_channel(actor, community)
    if not decision.allowed:
        return LinkOutcome(False, f"Sorry, {actor.display_name}: {decision.reason}")
    await session.delete(link)
    audit.record(
        session,
        clock,
        actor_person_id=actor.person_id,
        action="channel_unlinked",
        entity="community",
        entity_id=community.code,
        detail={"channel_id": channel_id},
    )
    return LinkOutcome(
        True,
        f"This channel is no longer the channel of {community.name} ({community.code}). "
        f"Write `link {community.code}` in the channel that should have its posts.",
    )
