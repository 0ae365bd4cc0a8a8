"""The daily follow-up after meetings: reviews falling due, and reminders of agreed actions.

Once a day at the DM time (09:00 London by default) the job ``scheduler.jobs:outcomes_daily``:

1. marks the requests in delivery whose review date has come as due for review, and asks each
   one's school how the support went (the requester, then its leaders and SENCOs), keyed
   ``outcomes:review:{request}:{review date}:{person}``;
2. reminds the owner of each open action of a confirmed outcome due within
   ``action_reminder_days`` (3 by default): the owner person, or the owner school's leaders and
   SENCOs, keyed ``outcomes:action_reminder:{action}:{due date}:{person}``, so each action is
   reminded once for its due date, whichever day the job first sees it.

The run is recorded in ``timeline_run`` as ``outcomes:daily`` with the day's due time, in the same
transaction as its messages, so a second replica (or a restart) never runs the day twice.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo

from apscheduler.triggers.cron import CronTrigger
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from cards.followup.actions import action_card, action_reminder_summary
from cards.followup.reviews import review_question_card, review_question_summary
from communities.clock import Clock
from communities.messaging import notices
from communities.messaging.outbox import Outbox, OutgoingMessage
from communities.outcomes.actions import reminders_due
from communities.outcomes.confirming import school_people
from communities.outcomes.reviews import mark_reviews_due
from communities.outcomes.school_answers import question_for
from communities.requests.tables import Request
from scheduler.timeline import TimelineOffsets, quiet_time, wall

JOB_ID = "outcomes:daily"


def daily_trigger(offsets: TimelineOffsets, zone: tzinfo) -> CronTrigger:
    at = quiet_time(offsets.dm_time)
    return CronTrigger(hour=at.hour, minute=at.minute, timezone=zone)


def latest_due(now: datetime, offsets: TimelineOffsets, zone: tzinfo) -> datetime:
    """Today's run time if it has come, else yesterday's (aware UTC)."""
    today = now.astimezone(zone).date()
    due = wall(today, offsets.dm_time, zone)
    return due if due <= now else wall(today - timedelta(days=1), offsets.dm_time, zone)


async def follow_up(
    session: AsyncSession, clock: Clock, outbox: Outbox, today: date, days_before: int
) -> int:
    """Queue the day's review questions and action reminders (the caller records the run and commits)."""
    queued = 0
    marked = await mark_reviews_due(session, clock)
    if marked:
        rows = await session.exec(
            select(Request).where(col(Request.ref).in_(marked)).order_by(col(Request.id))
        )
        for request in rows.all():
            if request.review_date is None:
                continue
            question = await question_for(session, request)
            message = OutgoingMessage(
                card=review_question_card(question), summary=review_question_summary(question)
            )
            key = f"outcomes:review:{request.id}:{request.review_date.isoformat()}"
            audience = notices.People(await school_people(session, request))
            told = await notices.tell(session, outbox, notices.Notice.to(audience, key, message))
            queued += len(told.rows)
    for reminder in await reminders_due(session, today, days_before):
        if not reminder.owners:
            continue
        message = OutgoingMessage(
            card=action_card(reminder.line), summary=action_reminder_summary(reminder.line)
        )
        notice = notices.Notice.to(notices.People(reminder.owners), reminder.key, message)
        queued += len((await notices.tell(session, outbox, notice)).rows)
    return queued
