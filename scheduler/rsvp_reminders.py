"""The meeting-reminder card with the answers so far: rendered for the scheduler's post the day
before and the morning of a meeting, and again, as an in-place update of every such post, after
each RSVP button press. Both paths call these, so a press and a post show the same card."""

from __future__ import annotations

from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from cards.rsvp_cards import day_label, meeting_reminder_card
from communities.clock import Clock
from communities.meetings import rsvp
from communities.meetings.reminder_posts import queue_card_updates
from communities.meetings.rsvp import DEFAULT_QUORUM, QuorumRule
from communities.messaging.outbox import Outbox, OutgoingMessage


async def reminder_message(
    session: AsyncSession, meeting_id: int, now: datetime, rule: QuorumRule = DEFAULT_QUORUM
) -> OutgoingMessage | None:
    """The reminder card as it should look at ``now`` ("Tomorrow" or "Today" is told from it);
    None when the meeting is gone."""
    meeting = await rsvp.reminder_facts(session, meeting_id)
    if meeting is None:
        return None
    label = day_label(meeting.starts_at, now)
    return OutgoingMessage(
        card=meeting_reminder_card(meeting, await rsvp.tally(session, meeting_id, rule), label),
        summary=f"{label}: {meeting.community_code} meeting, {meeting.when}",
    )


async def refresh_reminder_cards(
    session: AsyncSession, clock: Clock, outbox: Outbox, meeting_id: int, rule: QuorumRule = DEFAULT_QUORUM
) -> int:
    """Queue an in-place update of each of the meeting's reminder posts that shows an older card.

    Returns how many updates were queued (the caller commits, then wakes the outbox).
    """
    message = await reminder_message(session, meeting_id, clock.now(), rule)
    if message is None:
        return 0
    return await queue_card_updates(session, outbox, meeting_id, message)
