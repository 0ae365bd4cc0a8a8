"""The scheduler service: APScheduler 3 with a persistent job store in the bot's database.

The meetings (and the academic year) are the source of truth; the jobs are derived from them
with stable ids (``meeting:{id}:{kind}``, ``declarations:renewal:{year}``). :meth:`sync_meeting`
derives one meeting's jobs again after a change, :meth:`rebuild` derives them all at start-up
(removing orphans), and a sweep job does the same every few minutes as a safety net (a change made
by another process, a lost update). Each job checks again when it runs and records its run, so a
job never fires twice in effect (see :mod:`scheduler.jobs`).

Why a ``BackgroundScheduler`` whose jobs run on the bot's event loop, not an ``AsyncIOScheduler``:
the job store is synchronous SQLAlchemy, and the asyncio scheduler calls it on the event-loop
thread. On SQLite that can deadlock: a turn whose transaction holds the write lock waits for the
loop to commit, while the loop waits in SQLite's busy handler for that lock; after the timeout the
store raises inside APScheduler's wakeup, which then never re-arms its timer. Here the store's
queries run in the scheduler's thread (and in ``asyncio.to_thread`` for the service's own calls),
and the jobs, coroutines, are handed to the loop with ``run_coroutine_threadsafe``.

Job defaults: ``coalesce`` (after downtime a missed job runs once, not once per missed time),
``max_instances=1``, and a misfire grace of 6 hours (the bot back from a deploy or a night's outage
still sends the morning's reminders, but a reminder many hours late confuses more than it helps).
Each meeting step carries its own grace, up to when it stops being useful (:mod:`timeline`).

One scheduler per database. On PostgreSQL every replica runs a service, and the one holding the
advisory lock :data:`LOCK_KEY` is the leader, the only one whose scheduler runs jobs. The lock is
taken on a dedicated connection, never pooled, held for the process's lifetime: a session-level
lock vanishes silently when its connection goes back to a pool and is reset (tech.md §5). The
others try again every ``lock_retry`` and take over when the leader's connection ends (a crash
closes it; the leader checks its connection as often and stands down if it is lost). A standby
still writes jobs (``sync_meeting`` after a change it handled) to the shared store; the leader
runs them at its next wakeup (at the latest its next sweep). On SQLite there is one service
process (SQLite is for one machine and one writer), and it is the leader.

Deterministic runs (tests, ``timer=False``): the scheduler never runs on its own; ``run_due(now)``
runs the jobs whose ``next_run_time`` in the store has come, by the injected clock, the way
APScheduler's own loop does (coalesce, misfire grace, next fire time or removal).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import sys
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import psycopg
from apscheduler.executors.base import BaseExecutor, run_coroutine_job
from apscheduler.job import Job
from apscheduler.jobstores.base import JobLookupError
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import STATE_RUNNING
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from communities.academic_year import academic_year_label, academic_year_of
from communities.clock import Clock
from communities.db import Database, normalise_url
from communities.meetings.tables import LONDON, Meeting, MeetingStatus
from communities.messaging.outbox import Outbox
from communities.roster.tables import Community
from scheduler import jobs as timeline_jobs
from scheduler.tables import JOBS_TABLE, TimelineRun
from scheduler.timeline import (
    Renewal,
    StepKind,
    TimelineOffsets,
    job_id_for,
    renewal_for,
    timeline_for,
)

log = logging.getLogger(__name__)

#: The advisory lock the leader holds ("cosbot" in ASCII, a positive bigint).
LOCK_KEY = int.from_bytes(b"cosbot", "big")
DEFAULT_SWEEP = timedelta(minutes=5)
DEFAULT_LOCK_RETRY = timedelta(seconds=10)
#: How long ``stop`` waits for jobs in flight.
STOP_TIMEOUT = 30.0


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


def libpq_url(database_url: str) -> str:
    """A ``postgresql://`` URL for a plain psycopg connection (the lock's)."""
    return (
        make_url(normalise_url(database_url))
        .set(drivername="postgresql")
        .render_as_string(hide_password=False)
    )


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


class _Scheduler(BackgroundScheduler):  # type: ignore[misc]
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


# ---- what the store should hold ------------------------------------------------------------------------


class BotSettings(Protocol):
    """What the service reads from ``bot.config.Settings``."""

    @property
    def zone(self) -> ZoneInfo: ...

    @property
    def app_id(self) -> str: ...

    @property
    def timeline(self) -> TimelineOffsets: ...


@dataclass(frozen=True)
class JobSpec:
    id: str
    func: str
    args: tuple[int, ...]
    trigger: Any
    next_run: datetime
    grace: timedelta
    name: str
    #: Keep the stored job's next run time if its definition is the same (recurring jobs).
    recurring: bool = False


@dataclass(frozen=True)
class JobInfo:
    """A scheduled job as ``cosbot jobs`` shows it."""

    id: str
    #: Local time of the next run (None: paused).
    next_run: datetime | None
    description: str
    schedule: str


@dataclass(frozen=True)
class SyncReport:
    added: int = 0
    kept: int = 0
    removed: int = 0


@dataclass(frozen=True)
class _Due:
    id: str
    func: Callable[..., Awaitable[object]]
    args: tuple[Any, ...]
    run_time: datetime
    grace: timedelta | None


class SchedulerService:
    """Derives, stores and runs the timeline's jobs; see the module docstring."""

    def __init__(
        self,
        database: Database,
        clock: Clock,
        outbox: Outbox,
        *,
        zone: tzinfo = LONDON,
        offsets: TimelineOffsets | None = None,
        renderers: timeline_jobs.Renderers | None = None,
        bot_app_id: str = "",
        sweep_every: timedelta = DEFAULT_SWEEP,
        lock_retry: timedelta = DEFAULT_LOCK_RETRY,
        run_jobs: bool = True,
        timer: bool = True,
        runner: str | None = None,
    ) -> None:
        """``run_jobs=False``: only write jobs (a command-line import), never run them or seek the lead.
        ``timer=False``: run jobs only when :meth:`run_due` is called (tests)."""
        self.database = database
        self.clock = clock
        self.zone = zone
        self.offsets = offsets or TimelineOffsets()
        self.sweep_every = sweep_every
        self.lock_retry = lock_retry
        self.run_jobs = run_jobs
        self.timer = timer
        self.runtime = timeline_jobs.Runtime(
            database=database,
            clock=clock,
            outbox=outbox,
            offsets=self.offsets,
            zone=zone,
            renderers=renderers or timeline_jobs.Renderers(),
            bot_app_id=bot_app_id,
            runner=runner or timeline_jobs.runner_name(),
            sweep=self.rebuild,
        )
        self._engine: Engine | None = None
        self._store: SQLAlchemyJobStore | None = None
        self._scheduler: _Scheduler | None = None
        self._executor: LoopExecutor | None = None
        self._leader = False
        # Set once this process leads with its jobs rebuilt; cleared when it stops leading.
        self._leading = asyncio.Event()
        self._election: asyncio.Task[None] | None = None
        self._lock_connection: psycopg.AsyncConnection[Any] | None = None
        self._deriving = asyncio.Lock()

    @classmethod
    def from_settings(
        cls, settings: BotSettings, database: Database, clock: Clock, outbox: Outbox, **options: Any
    ) -> SchedulerService:
        """The service as ``bot.config.Settings`` configures it (its zone, the bot's app id)."""
        options.setdefault("offsets", settings.timeline)
        return cls(database, clock, outbox, zone=settings.zone, bot_app_id=settings.app_id, **options)

    # ---- lifecycle -------------------------------------------------------------------------------

    @property
    def is_leader(self) -> bool:
        return self._leader

    @property
    def started(self) -> bool:
        return self._scheduler is not None

    async def start(self) -> None:
        """Open the job store and, unless write-only, become the leader (SQLite) or seek it."""
        if self._scheduler is not None:
            return
        timeline_jobs.install(self.runtime)
        self._engine = job_store_engine(self.database.url)
        self._store = SQLAlchemyJobStore(engine=self._engine)
        self._executor = LoopExecutor(asyncio.get_running_loop())
        scheduler = _Scheduler(
            jobstores={"default": self._store},
            executors={"default": self._executor},
            job_defaults={
                "misfire_grace_time": int(self.offsets.grace.total_seconds()),
                "coalesce": True,
                "max_instances": 1,
            },
            timezone=self.zone,
        )
        # Paused: it runs jobs only once this process is the leader (and its timer is on).
        await asyncio.to_thread(scheduler.start, paused=True)
        self._scheduler = scheduler
        if not self.run_jobs:
            return
        if self.database.is_sqlite:
            await self._lead()
        else:
            self._election = asyncio.create_task(self._elect(), name="scheduler-election")

    async def stop(self) -> None:
        """Stop running jobs, let those in flight finish, release the lead."""
        if self._election is not None:
            self._election.cancel()
            try:
                await self._election
            except asyncio.CancelledError:
                pass
            self._election = None
        self._leader = False
        self._leading.clear()
        scheduler, self._scheduler = self._scheduler, None
        if scheduler is not None:
            await asyncio.to_thread(scheduler.shutdown, False)
        if self._executor is not None and self._executor.in_flight():
            waiting = [asyncio.wrap_future(f) for f in self._executor.in_flight()]
            await asyncio.wait(waiting, timeout=STOP_TIMEOUT)
        await self._close_lock_connection()
        if self._engine is not None:
            self._engine.dispose()
        timeline_jobs.uninstall(self.runtime)

    async def _lead(self) -> None:
        self._leader = True
        log.info("scheduler: %s is the leader", self.runtime.runner)
        try:
            await self.rebuild()
            await self._ensure_sweep()
        except Exception:  # the sweep (or the next election) tries again; the timer runs meanwhile
            log.exception("scheduler: rebuilding the jobs failed")
        if self.timer and self._scheduler is not None:
            self._scheduler.resume()
        self._leading.set()

    async def until_leading(self) -> None:
        """Return once this service leads with its jobs rebuilt: at once on SQLite, and on PostgreSQL
        once its election wins the lock (in the background)."""
        await self._leading.wait()

    def _stand_down(self) -> None:
        if self._leader:
            log.warning("scheduler: %s lost the lead; its scheduler is paused", self.runtime.runner)
        self._leader = False
        self._leading.clear()
        if self._scheduler is not None and self.timer:
            self._scheduler.pause()

    async def _elect(self) -> None:
        """Take the advisory lock when it is free; while holding it, check its connection."""
        while True:
            try:
                connection = self._lock_connection
                if connection is None or connection.closed:
                    connection = self._lock_connection = await psycopg.AsyncConnection.connect(
                        libpq_url(self.database.url),
                        autocommit=True,
                        connect_timeout=10,
                        application_name=f"cosbot-scheduler {self.runtime.runner}"[:63],
                        keepalives=1,
                        keepalives_idle=10,
                        keepalives_interval=5,
                        keepalives_count=3,
                    )
                if self._leader:
                    await connection.execute("SELECT 1")  # the session, and so the lock, is alive
                else:
                    cursor = await connection.execute("SELECT pg_try_advisory_lock(%s)", (LOCK_KEY,))
                    row = await cursor.fetchone()
                    if row is not None and row[0]:
                        await self._lead()
            except (psycopg.Error, OSError) as error:
                log.warning("scheduler: the leader lock's connection failed: %s", type(error).__name__)
                self._stand_down()
                await self._close_lock_connection()
            await asyncio.sleep(self.lock_retry.total_seconds())

    async def _close_lock_connection(self) -> None:
        """Closing the session releases the advisory lock."""
        connection, self._lock_connection = self._lock_connection, None
        if connection is not None and not connection.closed:
            try:
                await connection.close()
            except (psycopg.Error, OSError):
                pass

    # ---- deriving the jobs -----------------------------------------------------------------------

    async def sync_meeting(self, meeting_id: int) -> SyncReport:
        """Derive one meeting's jobs again (after it was added, moved or cancelled)."""
        if self._scheduler is None:
            log.info("scheduler: not started; meeting %s is picked up at the next start", meeting_id)
            return SyncReport()
        async with self._deriving:
            now = self.clock.now()
            async with self.database.session() as session:
                meeting = await session.get(Meeting, meeting_id)
                specs = await self._meeting_specs(session, [meeting] if meeting else [], now)
            ids = [job_id_for(meeting_id, kind) for kind in StepKind]
            report = await asyncio.to_thread(self._apply, specs, ids, None, now)
        log.info("scheduler: meeting %s synced: %s", meeting_id, report)
        return report

    async def rebuild(self) -> SyncReport:
        """Derive every job again from the meetings and the academic year; remove the rest."""
        if self._scheduler is None:
            return SyncReport()
        async with self._deriving:
            now = self.clock.now()
            async with self.database.session() as session:
                meetings = (
                    await session.exec(
                        select(Meeting).where(
                            Meeting.status == MeetingStatus.SCHEDULED,
                            col(Meeting.starts_at) > now - self.offsets.grace,
                        )
                    )
                ).all()
                specs = await self._meeting_specs(session, list(meetings), now)
                specs += await self._renewal_specs(session, now)
            report = await asyncio.to_thread(self._apply, specs, None, {timeline_jobs.SWEEP_JOB_ID}, now)
        log.info("scheduler: rebuilt: %s", report)
        return report

    async def _meeting_specs(
        self, session: AsyncSession, meetings: list[Meeting], now: datetime
    ) -> list[JobSpec]:
        ids = [m.id for m in meetings if m.id is not None]
        if not ids:
            return []
        codes = dict(
            (
                await session.exec(
                    select(Community.id, Community.code).where(
                        col(Community.id).in_(_community_ids(meetings))
                    )
                )
            ).all()
        )
        ran = set(
            (
                await session.exec(
                    select(TimelineRun.job_id, TimelineRun.due_at).where(col(TimelineRun.meeting_id).in_(ids))
                )
            ).all()
        )
        specs: list[JobSpec] = []
        for meeting in meetings:
            assert meeting.id is not None
            start = meeting.starts_at.astimezone(self.zone)
            for step in timeline_for(meeting, self.offsets, now, self.zone):
                if not step.pending(now) or (step.job_id, step.due) in ran:
                    continue
                specs.append(
                    JobSpec(
                        id=step.job_id,
                        func=timeline_jobs.func_ref(step.kind),
                        args=(meeting.id,),
                        trigger=DateTrigger(run_date=step.at, timezone=self.zone),
                        next_run=step.at,
                        grace=step.grace,
                        name=f"{codes.get(meeting.community_id, '?')} meeting {start:%a %d %b %Y %H:%M}: "
                        f"{step.kind.description}",
                    )
                )
        return specs

    async def _renewal_specs(self, session: AsyncSession, now: datetime) -> list[JobSpec]:
        year = academic_year_of(now, self.zone)
        specs = []
        for renewal in (
            renewal_for(year, self.offsets, self.zone),
            renewal_for(year + 1, self.offsets, self.zone),
        ):
            trigger = renewal_trigger(renewal)
            # A reminder missed while the bot was down (and not recorded as run) runs at once.
            latest = renewal.latest(now)
            missed = (
                latest is not None
                and now - latest <= self.offsets.grace
                and not await timeline_jobs.has_run(session, renewal.job_id, latest)
            )
            next_run = latest if missed and latest is not None else trigger.get_next_fire_time(None, now)
            if next_run is None:
                continue
            specs.append(
                JobSpec(
                    id=renewal.job_id,
                    func=timeline_jobs.RENEWAL_FUNC,
                    args=(renewal.academic_year,),
                    trigger=trigger,
                    next_run=next_run,
                    grace=self.offsets.grace,
                    name=f"declarations renewal {academic_year_label(renewal.academic_year)}: weekly DM to "
                    "members who have not confirmed",
                    recurring=True,
                )
            )
        return specs

    async def _ensure_sweep(self) -> None:
        now = self.clock.now()
        trigger = IntervalTrigger(
            seconds=self.sweep_every.total_seconds(), start_date=now + self.sweep_every, timezone=self.zone
        )
        spec = JobSpec(
            id=timeline_jobs.SWEEP_JOB_ID,
            func=timeline_jobs.SWEEP_FUNC,
            args=(),
            trigger=trigger,
            next_run=now + self.sweep_every,
            grace=self.sweep_every,
            name="sweep: derive every job again from the meetings (a safety net)",
            recurring=True,
        )
        await asyncio.to_thread(self._apply, [spec], [timeline_jobs.SWEEP_JOB_ID], None, now)

    def _apply(
        self, specs: list[JobSpec], scope: list[str] | None, keep: set[str] | None, now: datetime
    ) -> SyncReport:
        """Make the store match ``specs`` (blocking: run in a thread).

        ``scope``: the job ids this covers (None: every job, except those in ``keep``).
        """
        scheduler = self._scheduler
        assert scheduler is not None
        if scope is None:
            existing = {job.id: job for job in scheduler.get_jobs() if job.id not in (keep or set())}
        else:
            existing = {job_id: job for job_id in scope if (job := scheduler.get_job(job_id)) is not None}
        added = kept = removed = 0
        for spec in specs:
            job = existing.pop(spec.id, None)
            if job is not None and _same(job, spec, now):
                kept += 1
                continue
            scheduler.add_job(
                spec.func,
                trigger=spec.trigger,
                args=spec.args,
                id=spec.id,
                name=spec.name,
                misfire_grace_time=max(1, int(spec.grace.total_seconds())),
                next_run_time=spec.next_run.astimezone(self.zone),
                replace_existing=True,
            )
            added += 1
        for job_id in existing:
            try:
                scheduler.remove_job(job_id)
                removed += 1
            except JobLookupError:
                pass  # removed meanwhile (it ran, or another process removed it)
        return SyncReport(added, kept, removed)

    # ---- running due jobs by the injected clock ----------------------------------------------------

    async def run_due(self, now: datetime | None = None) -> list[str]:
        """Run every job due by ``now`` (the clock's by default), as APScheduler's loop would.

        For a service started with ``timer=False``; returns the ids of the jobs run, in order.
        """
        if self.timer:
            raise RuntimeError("run_due is for a service started with timer=False")
        if not self._leader:
            return []
        at = now or self.clock.now()
        ran: list[str] = []
        for _ in range(10_000):
            due = await asyncio.to_thread(self._take_due, at)
            if not due:
                return ran
            for item in due:
                if item.grace is not None and at - item.run_time > item.grace:
                    log.warning("scheduler: %s missed by %s", item.id, at - item.run_time)
                    continue
                await item.func(*item.args)
                ran.append(item.id)
        raise RuntimeError("jobs keep falling due")

    def _take_due(self, now: datetime) -> list[_Due]:
        """The jobs due by ``now``, each moved on to its next fire time (or removed)."""
        scheduler, store = self._scheduler, self._store
        assert scheduler is not None and store is not None
        taken = []
        for job in store.get_due_jobs(now):
            run_time = job.next_run_time
            following = job.trigger.get_next_fire_time(run_time, now)
            while following is not None and following <= now:  # coalesce: the last missed time only
                run_time, following = following, job.trigger.get_next_fire_time(following, now)
            if following is None:
                scheduler.remove_job(job.id)
            else:
                scheduler.modify_job(job.id, next_run_time=following)
            grace = None if job.misfire_grace_time is None else timedelta(seconds=job.misfire_grace_time)
            taken.append(_Due(job.id, job.func, tuple(job.args), run_time.astimezone(UTC), grace))
        return taken

    async def next_run_time(self) -> datetime | None:
        """The earliest next run of any job (aware UTC), or None."""
        store = self._store
        if store is None:
            return None
        found = await asyncio.to_thread(store.get_next_run_time)
        return found.astimezone(UTC) if found is not None else None

    async def jobs(self) -> list[JobInfo]:
        """What is scheduled, soonest first (for ``cosbot jobs``)."""
        store = self._store
        if store is None:
            return []
        found = await asyncio.to_thread(store.get_all_jobs)
        return _infos(found, self.zone)


def _community_ids(meetings: Iterable[Meeting]) -> list[int]:
    return sorted({m.community_id for m in meetings})


def renewal_trigger(renewal: Renewal) -> CronTrigger:
    return CronTrigger(
        day_of_week=renewal.cron_day_of_week,
        hour=renewal.local_time.hour,
        minute=renewal.local_time.minute,
        start_date=renewal.first.astimezone(renewal.zone),
        end_date=(renewal.until - timedelta(seconds=1)).astimezone(renewal.zone),
        timezone=renewal.zone,
    )


def _same(job: Job, spec: JobSpec, now: datetime) -> bool:
    if (job.func_ref, tuple(job.args), job.name) != (spec.func, spec.args, spec.name):
        return False
    if spec.recurring:
        # The store owns a recurring job's progress: only a changed definition replaces it.
        if isinstance(
            spec.trigger, IntervalTrigger
        ):  # its start date is "now" each time: compare the interval
            return isinstance(job.trigger, IntervalTrigger) and job.trigger.interval == spec.trigger.interval
        return repr(job.trigger) == repr(spec.trigger)
    stored = job.next_run_time
    if stored is None:
        return False
    if stored <= now and spec.next_run <= now:  # both due now: running it is what matters
        return True
    grace = timedelta(seconds=job.misfire_grace_time or 0)
    return stored == spec.next_run and abs(grace - spec.grace) < timedelta(seconds=1)


def _infos(found: list[Job], zone: tzinfo) -> list[JobInfo]:
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
        return _infos(SQLAlchemyJobStore(engine=engine).get_all_jobs(), zone)
    finally:
        engine.dispose()


def leader_status(database_url: str) -> str | None:
    """Who holds the scheduler's lock (PostgreSQL): the holder's application name, or None."""
    if make_url(normalise_url(database_url)).get_backend_name() != "postgresql":
        return None
    high, low = LOCK_KEY >> 32, LOCK_KEY & 0xFFFFFFFF
    with psycopg.connect(libpq_url(database_url), autocommit=True, connect_timeout=10) as connection:
        row = connection.execute(
            "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND l.granted AND l.classid = %s AND l.objid = %s "
            "AND l.objsubid = 1 "
            "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            (high, low),
        ).fetchone()
    return str(row[0]) if row else ""
