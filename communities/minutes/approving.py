"""Approving the minutes: once, then the members get the full minutes and the channel a short post.

Approval is idempotent: a second approval (a second press, an old card, two chairs at once)
approves nothing and tells nobody. The full minutes go to each of the community's members in their
personal chat (the chair, the vice chair, and the school leaders and SENCOs of its schools), keyed
``minutes:{meeting}:{person}``; the channel gets one post, keyed ``minutes-approved:{meeting}``,
saying only that the minutes of that meeting are approved and were sent to the members: no pupil
detail, no outcome (domain.md §5). The caller commits, then wakes the outbox.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from communities.clock import Clock
from communities.messaging import notices
from communities.messaging.notices import CommunityChannel, Notice, People
from communities.messaging.outbox import Outbox, OutgoingMessage
from communities.minutes.access import MinutesChanged, audit_meeting, check_may_write, load_meeting, save
from communities.minutes.drafting import writable
from communities.minutes.tables import MinutesStatus
from communities.minutes.view import MinutesView, day_text, minutes_of, view
from communities.outcomes.attendance import attendance
from communities.roster.directory import PersonProfile

#: Turns the approved minutes into a card: the members' full copy, or the channel's short post.
Renderer = Callable[[MinutesView], dict[str, Any]]


@dataclass(frozen=True)
class Approved:
    view: MinutesView
    #: Approved by this call (False: they had been approved before, and nobody was told again).
    newly: bool
    #: The members told, and those who could not be (no chat with the bot).
    told: tuple[int, ...] = ()
    unreachable: tuple[int, ...] = ()
    #: The channel post was queued (False: the community has no linked channel).
    posted_in_channel: bool = False


async def approve(
    session: AsyncSession,
    clock: Clock,
    outbox: Outbox,
    actor: PersonProfile,
    meeting_id: int,
    *,
    version: int | None,
    render_members: Renderer,
    render_channel: Renderer,
) -> Approved:
    """Approve the draft minutes and queue them for the members and the channel (the caller commits)."""
    existing = await minutes_of(session, meeting_id)
    if existing is not None and MinutesStatus(existing.status) is MinutesStatus.APPROVED:
        meeting, community = await load_meeting(session, meeting_id)
        await check_may_write(session, clock, actor, meeting, community, "approve")
        return Approved(await view(session, existing), newly=False)
    minutes, meeting, community = await writable(session, clock, actor, meeting_id, version, "approve")
    now = clock.now()
    if not await save(
        session,
        clock,
        minutes,
        status=MinutesStatus.APPROVED.value,
        approved_by_person_id=actor.person_id,
        approved_at=now,
        members_told_at=now,
    ):
        await session.rollback()
        raise MinutesChanged("Someone else changed the minutes just now. Here are the latest.")
    shown = await view(session, minutes)
    assert community.id is not None and meeting.id is not None
    summary = f"Minutes of {community.name}, {day_text(meeting.starts_at)}"
    members = [line.person_id for line in await attendance(session, meeting.id)]
    told = await notices.tell(
        session,
        outbox,
        Notice.to(
            People.of(*members),
            f"minutes:{meeting.id}",
            OutgoingMessage(card=render_members(shown), summary=summary),
        ),
    )
    posted = await notices.tell(
        session,
        outbox,
        Notice.to(
            CommunityChannel(community.id),
            f"minutes-approved:{meeting.id}",
            OutgoingMessage(card=render_channel(shown), summary=f"{summary}: approved"),
            keyed_by_person=False,
        ),
    )
    audit_meeting(
        session,
        clock,
        actor,
        "minutes_approved",
        meeting.id,
        {"members_told": len(told.people), "unreachable": len(told.unreachable), "channel": posted.anyone},
    )
    return Approved(shown, True, told.people, told.unreachable, posted.anyone)
