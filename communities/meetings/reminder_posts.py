"""The meeting-reminder posts of a meeting in its community's channel, and their in-place updates.

The scheduler posts them with keys that start ``timeline:{meeting_id}:meeting_reminder`` (the day
before, and the morning of). After each RSVP every post whose latest version differs from the new
card gets an update, keyed by the post it replaces, the update before it and a digest of the new
card: a repeated click (or a retried turn) with the same result queues nothing, while a count that
goes back to an earlier value is still shown.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from communities.clock import Clock
from communities.meetings import rsvp
from communities.meetings.rsvp import DEFAULT_QUORUM, QuorumRule, ReminderFacts, RsvpTally
from communities.messaging.outbox import DeliveryKind, Outbox, OutboxMessage, OutboxStatus, OutgoingMessage

#: Renders the reminder post from the meeting, the answers so far and the time it is shown
#: (``cards.meetings.rsvp.reminder_post``; the domain renders no cards itself).
RenderReminder = Callable[[ReminderFacts, RsvpTally, datetime], OutgoingMessage]


def reminder_key_prefix(meeting_id: int) -> str:
    """How the scheduler's meeting-reminder posts of a meeting are keyed in the outbox."""
    return f"timeline:{meeting_id}:meeting_reminder"


async def reminder_posts(session: AsyncSession, meeting_id: int) -> list[OutboxMessage]:
    """The meeting's reminder posts the outbox has posted or will post (not failed ones)."""
    rows = await session.exec(
        select(OutboxMessage)
        .where(
            col(OutboxMessage.idempotency_key).startswith(reminder_key_prefix(meeting_id), autoescape=True),
            col(OutboxMessage.kind).in_([DeliveryKind.NEW_THREAD.value, DeliveryKind.SEND.value]),
            col(OutboxMessage.status) != OutboxStatus.FAILED.value,
        )
        .order_by(col(OutboxMessage.id))
    )
    return list(rows.all())


async def queue_card_updates(
    session: AsyncSession, outbox: Outbox, meeting_id: int, message: OutgoingMessage
) -> int:
    """Replace each reminder post that does not show ``message`` yet; how many updates were queued."""
    originals = await reminder_posts(session, meeting_id)
    if not originals:
        return 0
    payload = message.to_payload()
    digest = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]
    queued = 0
    for original in originals:
        latest = (
            await session.exec(
                select(OutboxMessage)
                .where(col(OutboxMessage.update_of_id) == original.id)
                .order_by(col(OutboxMessage.id).desc())
                .limit(1)
            )
        ).first()
        if (latest or original).payload == payload:
            continue
        key = f"rsvp:{meeting_id}:{original.id}:{latest.id if latest else 0}:{digest}"
        await outbox.update(session, key=key, original=original, message=message)
        queued += 1
    return queued


async def reminder_message(
    session: AsyncSession,
    meeting_id: int,
    now: datetime,
    render: RenderReminder,
    rule: QuorumRule = DEFAULT_QUORUM,
) -> OutgoingMessage | None:
    """The reminder post with the answers so far, as it should look at ``now``; None when the
    meeting is gone. The scheduler's first post and every later update are built here, so a
    press and a post show the same card."""
    meeting = await rsvp.reminder_facts(session, meeting_id)
    if meeting is None:
        return None
    return render(meeting, await rsvp.tally(session, meeting_id, rule), now)


async def refresh_reminder_cards(
    session: AsyncSession,
    clock: Clock,
    outbox: Outbox,
    meeting_id: int,
    render: RenderReminder,
    rule: QuorumRule = DEFAULT_QUORUM,
) -> int:
    """Queue an in-place update of each of the meeting's reminder posts that shows an older card.

    Returns how many updates were queued (the caller commits, then wakes the outbox).
    """
    message = await reminder_message(session, meeting_id, clock.now(), render, rule)
    if message is None:
        return 0
    return await queue_card_updates(session, outbox, meeting_id, message)
