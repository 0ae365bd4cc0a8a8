"""The dispute route's daily step, run inside the daily follow-up (``outcomes:daily``).

Each day it closes the decided disputes whose time to escalate has passed (telling the school),
reminds the handlers of a deadline coming up, and tells the council's officers of a deadline
missed (:mod:`communities.disputes.reminders`). Every message goes to a personal chat, keyed so
that it is sent once; nothing about a dispute goes to a channel.
"""

from __future__ import annotations

from datetime import date

from sqlmodel.ext.asyncio.session import AsyncSession

from cards.disputes.dispute import handler_card, school_card
from communities.clock import Clock
from communities.disputes import words
from communities.disputes.access import handlers
from communities.disputes.reminders import deadlines_due
from communities.disputes.service import close_expired
from communities.disputes.telling import tell_school
from communities.disputes.views import dispute_view
from communities.disputes.windows import DisputeWindows
from communities.messaging import notices
from communities.messaging.outbox import Outbox, OutgoingMessage


async def disputes_daily(
    session: AsyncSession, clock: Clock, outbox: Outbox, today: date, windows: DisputeWindows
) -> int:
    """Queue the day's dispute messages (the caller records the run and commits); how many were new."""
    now = clock.now()
    queued = 0
    for dispute in await close_expired(session, clock):
        told = await tell_school(session, outbox, dispute, today, school_card)
        queued += sum(1 for row in told.rows if row.created_at == now)
    for due in await deadlines_due(session, today, windows):
        view = await dispute_view(session, due.dispute, today)
        if due.missed:
            text = words.missed_text(view.ref, due.stage, due.what, due.by)
            notice = notices.Notice.to(
                notices.OFFICERS, due.key, OutgoingMessage(text=text, card=handler_card(view), summary=text)
            )
        else:
            text = words.reminder_text(view.ref, due.stage, due.what, due.by)
            notice = notices.Notice.to(
                notices.People.of(*await handlers(session, due.dispute)),
                due.key,
                OutgoingMessage(text=text, card=handler_card(view), summary=text),
                fallbacks=(notices.Tier(notices.OFFICERS, key_suffix=":officers"),),
            )
        told = await notices.tell(session, outbox, notice)
        queued += sum(1 for row in told.rows if row.created_at == now)
    return queued
