"""APScheduler's job store in the bot's database, the executor that runs the jobs on the bot's loop,
and what ``cosbot jobs`` reads without a scheduler.

Why a ``BackgroundScheduler`` whose jobs run on the bot's event loop, not an ``AsyncIOScheduler``:
the job store is synchronous SQLAlchemy, and the asyncio scheduler calls it on the event-loop
thread. On SQLite that can deadlock: a turn whose transaction holds the write lock waits for the
loop to commit, while the loop waits in SQLite's busy handler for that lock; after the timeout the
store raises inside APScheduler's wakeup, which then never re-arms its timer. Here the store's
queries run in the scheduler's thread (and in ``asyncio.to_thread`` for the service's own calls),
and the jobs, coroutines, are handed to the loop with ``run_coroutine_threadsafe``.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any

from apscheduler.executors.base import BaseExecutor, run_coroutine_job
from apscheduler.job import Job
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import STATE_RUNNING
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url

from communities.db import normalise_url
from communities.meetings.tables import LONDON
from scheduler.tables import JOBS_TABLE

# ---- the job store's synchronous engine ------------------------------------------------------------


def job_store_url(database_url: str) -> str:
    """The bot's database URL with a synchronous driver, for APScheduler's job store.

    ``sqlite+aiosqlite:///x`` becomes ``sqlite:///x``; ``postgresql+psycopg://`` stays (psycopg 3
    is both sync and async).
    """
    url = make_url(normalise_url(database_url))
    if url.get_backend_name() == "sqlite":
        url = url.set(drivername="sqlite")
    return url.render_as_string(hide_password=False)


def job_store_engine(database_url: str) -> Engine:
    url = job_store_url(database_url)
    if make_url(url).get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=2, max_overflow=2)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


# ---- the executor: coroutine jobs on the bot's loop -----------------------------------------------


class LoopExecutor(BaseExecutor):  # type: ignore[misc]
    """Runs coroutine jobs on an asyncio loop, from the scheduler's own thread."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__()
        self._loop = loop
        self._futures: set[concurrent.futures.Future[Any]] = set()

    def _do_submit_job(self, job: Job, run_times: list[datetime]) -> None:
        coro = run_coroutine_job(job, job._jobstore_alias, run_times, self._logger.name)
        future = asyncio.run_coroutine_threadsafe(coro, self._loop)
        self._futures.add(future)

        def done(finished: concurrent.futures.Future[Any]) -> None:
            self._futures.discard(finished)
            try:
                events = finished.result()
            except BaseException:
                self._run_job_error(job.id, *sys.exc_info()[1:])
            else:
                self._run_job_success(job.id, events)

        future.add_done_callback(done)

    def in_flight(self) -> list[concurrent.futures.Future[Any]]:
        return list(self._futures)


class LeaderOnlyScheduler(BackgroundScheduler):  # type: ignore[misc]
    """APScheduler's background scheduler that processes jobs only while running.

    ``shutdown`` sets the state to stopped and wakes the thread, whose loop then processes the due
    jobs once more before it looks at the state (3.11's ``BlockingScheduler._main_loop``); paused
    is checked, stopped is not. A standby replica, or a leader stopping, would run jobs then.
    """

    def _process_jobs(self) -> float | None:
        if self.state != STATE_RUNNING:
            return None
        result: float | None = super()._process_jobs()
        return result


# ---- what is scheduled, read by ``cosbot jobs`` ----------------------------------------------


@dataclass(frozen=True)
class JobInfo:
    """A scheduled job as ``cosbot jobs`` shows it."""

    id: str
    #: Local time of the next run (None: paused).
    next_run: datetime | None
    description: str
    schedule: str


def job_infos(found: list[Job], zone: tzinfo) -> list[JobInfo]:
    infos = [
        JobInfo(
            id=job.id,
            next_run=job.next_run_time.astimezone(zone) if job.next_run_time else None,
            description=job.name,
            schedule=describe_trigger(job.trigger),
        )
        for job in found
    ]
    far = datetime.max.replace(tzinfo=UTC)
    return sorted(infos, key=lambda i: (i.next_run or far, i.id))


def describe_trigger(trigger: Any) -> str:
    if isinstance(trigger, DateTrigger):
        return "once"
    if isinstance(trigger, CronTrigger):
        fields = {f.name: str(f) for f in trigger.fields}
        day = fields.get("day_of_week", "*")
        if day == "*":
            return f"daily at {int(fields['hour']):02d}:{int(fields['minute']):02d}"
        return f"weekly on {day.capitalize()} at {int(fields['hour']):02d}:{int(fields['minute']):02d}"
    if isinstance(trigger, IntervalTrigger):
        minutes = trigger.interval.total_seconds() / 60
        return f"every {minutes:g} minutes"
    return str(trigger)


def list_jobs(database_url: str, zone: tzinfo = LONDON) -> list[JobInfo] | None:
    """The jobs in the store, read without a scheduler; None if the job table does not exist yet."""
    engine = job_store_engine(database_url)
    try:
        if not inspect(engine).has_table(JOBS_TABLE):
            return None
        return job_infos(SQLAlchemyJobStore(engine=engine).get_all_jobs(), zone)
    finally:
        engine.dispose()
