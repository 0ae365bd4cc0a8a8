"""The daily purge of the retention policy (:mod:`communities.retention.purge`) on the scheduler.

Once a day at 03:00 London (before anyone is about) the job ``scheduler.retention:purge_daily``
claims the day in ``timeline_run`` (``retention:purge``, the day's due time) and then purges. The
claim is its own transaction first, because the purge commits record by record: a second replica,
or a restart the same day, finds the day claimed and does nothing. A run that stops part-way is
finished by the next day's (every record is whole or fully anonymised meanwhile).
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta, tzinfo

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy.exc import IntegrityError

from communities.retention.purge import purge
from scheduler import jobs as timeline_jobs
from scheduler.tables import TimelineRun
from scheduler.timeline import wall

log = logging.getLogger(__name__)

JOB_ID = "retention:purge"
FUNC = f"{__name__}:purge_daily"
#: When the daily purge runs, London time.
DAILY_AT = time(3, 0)
#: A run missed (the bot was down) still runs within this time of its due time.
GRACE = timedelta(hours=12)


def purge_time(day: date, zone: tzinfo) -> datetime:
    """The instant the daily purge runs on ``day`` (aware UTC)."""
    return wall(day, DAILY_AT, zone)


def latest_due(now: datetime, zone: tzinfo) -> datetime:
    """Today's run time if it has come, else yesterday's."""
    today = now.astimezone(zone).date()
    due = purge_time(today, zone)
    return due if due <= now else purge_time(today - timedelta(days=1), zone)


def daily_trigger(zone: tzinfo) -> CronTrigger:
    return CronTrigger(hour=DAILY_AT.hour, minute=DAILY_AT.minute, timezone=zone)


async def purge_daily() -> int:
    """Today's purge, once: how many records it changed (0 when the day was already claimed)."""
    runtime = timeline_jobs.current()
    now = runtime.clock.now()
    due = latest_due(now, runtime.zone)
    if now > due + GRACE:
        log.info("%s: no run due now", JOB_ID)
        return 0
    try:
        async with runtime.database.session() as session:
            if await timeline_jobs.has_run(session, JOB_ID, due):
                log.info("%s: already ran for %s", JOB_ID, due.isoformat())
                return 0
            session.add(TimelineRun(job_id=JOB_ID, due_at=due, runner=runtime.runner, ran_at=now))
            await session.commit()
    except IntegrityError:
        log.info("%s: another runner claimed it first; nothing purged twice", JOB_ID)
        return 0
    report = await purge(runtime.database, runtime.clock, runtime.retention, by="scheduler")
    log.info("%s ran for %s: records changed: %s", JOB_ID, due.isoformat(), report.by_kind())
    return report.total
