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
import pickle
import sys
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any

from apscheduler.executors.base import BaseExecutor, run_coroutine_job
from apscheduler.job import Job
from apscheduler.jobstores.base import ConflictingIdError
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import STATE_RUNNING
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger
from apscheduler.util import datetime_to_utc_timestamp
from sqlalchemy import Connection, Engine, create_engine, event, inspect
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


# ---- the store: APScheduler's, with writes that can share one transaction ---------------------


class BatchingJobStore(SQLAlchemyJobStore):  # type: ignore[misc]
    """APScheduler's SQLAlchemy job store, whose writes can share one transaction.

    APScheduler writes each job in a transaction of its own: the 10,000 steps of 200 communities'
    year, derived at start-up, were 10,000 commits (about 10 s on SQLite; ``bench/timeline.py``).
    Inside :meth:`batch`, the calling thread's reads and writes join one transaction, committed at
    its end, or rolled back on an error (the store is then as it was), and its new jobs are
    inserted together (one statement, many rows) just before the commit (until then only
    :meth:`lookup_job` sees them). Other threads (the scheduler's own loop) keep transactions of
    their own and see the batch once it is committed.
    """

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine=engine)
        self.engine = _JoinableEngine(engine)
        self._new_rows = threading.local()
        #: Held by a batch from start to commit (or rollback).
        self._batching = threading.RLock()

    def wait_for_batches(self) -> None:
        """Return once no batch is under way: shut down before a batch ends, its connection would
        go back to a pool already disposed of, and stay open."""
        with self._batching:
            pass

    @contextmanager
    def batch(self) -> Iterator[None]:
        if self._pending() is not None:  # a batch in a batch joins it
            yield
            return
        with self._batching, self.engine.joined() as connection:
            rows: dict[str, dict[str, Any]] = {}
            self._new_rows.rows = rows
            try:
                yield
                if rows:
                    connection.execute(self.jobs_t.insert(), list(rows.values()))
            finally:
                self._new_rows.rows = None
        # Each add woke the scheduler before the batch was committed, so it saw none of the new jobs
        # and may be asleep until a later one: wake it now that they are there.
        scheduler = getattr(self, "_scheduler", None)
        if scheduler is not None and scheduler.state == STATE_RUNNING:
            scheduler.wakeup()

    def _pending(self) -> dict[str, dict[str, Any]] | None:
        rows: dict[str, dict[str, Any]] | None = getattr(self._new_rows, "rows", None)
        return rows

    def _row(self, job: Job) -> dict[str, Any]:
        return {
            "id": job.id,
            "next_run_time": datetime_to_utc_timestamp(job.next_run_time),
            "job_state": pickle.dumps(job.__getstate__(), self.pickle_protocol),
        }

    def add_job(self, job: Job) -> None:
        rows = self._pending()
        if rows is None:
            super().add_job(job)
        elif job.id in rows:
            raise ConflictingIdError(job.id)
        else:
            rows[job.id] = self._row(job)

    def lookup_job(self, job_id: str) -> Job | None:
        rows = self._pending()
        if rows is not None and job_id in rows:
            job: Job = self._reconstitute_job(rows[job_id]["job_state"])
            return job
        return super().lookup_job(job_id)

    def update_job(self, job: Job) -> None:
        rows = self._pending()
        if rows is not None and job.id in rows:
            rows[job.id] = self._row(job)
        else:
            super().update_job(job)

    def remove_job(self, job_id: str) -> None:
        rows = self._pending()
        if rows is not None and job_id in rows:
            del rows[job_id]
        else:
            super().remove_job(job_id)


class _JoinableEngine:
    """Stands in for the store's engine: ``begin()`` joins the thread's batch when there is one."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._local = threading.local()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._engine, name)

    def begin(self) -> AbstractContextManager[Connection]:
        connection: Connection | None = getattr(self._local, "connection", None)
        return self._engine.begin() if connection is None else nullcontext(connection)

    @contextmanager
    def joined(self) -> Iterator[Connection]:
        with self._engine.begin() as connection:
            self._local.connection = connection
            try:
                yield connection
            finally:
                self._local.connection = None


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
