"""The scheduler service: APScheduler 3 with a persistent job store in the bot's database.

The meetings (and the academic year) are the source of truth; the jobs are derived from them
(:mod:`scheduler.job_specs`). :meth:`sync_meeting` derives one meeting's jobs again after a change,
:meth:`rebuild` derives them all at start-up (removing orphans), and a sweep job does the same every
few minutes as a safety net (a change made by another process, a lost update). Each job checks
again when it runs and records its run, so a job never fires twice in effect (see
:mod:`scheduler.jobs`). The store and the executor are :mod:`scheduler.job_store`'s.

Job defaults: ``coalesce`` (after downtime a missed job runs once, not once per missed time),
``max_instances=1``, and a misfire grace of 6 hours (the bot back from a deploy or a night's outage
still sends the morning's reminders, but a reminder many hours late confuses more than it helps).
Each meeting step carries its own grace, up to when it stops being useful (:mod:`timeline`).

One scheduler per database. On PostgreSQL every replica runs a service, and the one holding the
advisory lock :data:`~scheduler.leader_lock.LOCK_KEY` is the leader, the only one whose scheduler
runs jobs. The lock is taken on a dedicated connection, never pooled, held for the process's
lifetime: a session-level lock vanishes silently when its connection goes back to a pool and is
reset (tech.md §5). The others try again every ``lock_retry`` and take over when the leader's
connection ends (a crash closes it; the leader checks its connection as often and stands down if
it is lost). A standby still writes jobs (``sync_meeting`` after a change it handled) to the
shared store; the leader runs them at its next wakeup (at the latest its next sweep). On SQLite
there is one service process (SQLite is for one machine and one writer), and it is the leader.

``cosbot serve`` and ``python -m bot.scheduler_runner`` both build it with :meth:`from_settings`.

Deterministic runs (tests, ``timer=False``): ``run_due(now)`` runs the jobs due by the injected clock,
as APScheduler's own loop does (coalesce, misfire grace, next fire time or removal).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlmodel import col, select

from communities.clock import Clock
from communities.db import Database
from communities.meetings.rsvp import DEFAULT_QUORUM, QuorumRule
from communities.meetings.tables import LONDON, Meeting, MeetingStatus
from communities.messaging.outbox import Outbox
from scheduler import jobs as timeline_jobs
from scheduler.job_specs import (
    SyncReport,
    apply_specs,
    daily_specs,
    meeting_specs,
    renewal_specs,
    sweep_spec,
    team_members_specs,
)
from scheduler.job_store import (
    BatchingJobStore,
    JobInfo,
    LeaderOnlyScheduler,
    LoopExecutor,
    job_infos,
    job_store_engine,
    list_jobs,
)
from scheduler.leader_lock import LeaderLock, leader_status, lock_errors
from scheduler.timeline import StepKind, TimelineOffsets, job_id_for

__all__ = ["JobInfo", "SchedulerService", "SyncReport", "leader_status", "list_jobs"]

log = logging.getLogger(__name__)

DEFAULT_SWEEP = timedelta(minutes=5)
DEFAULT_LOCK_RETRY = timedelta(seconds=10)
#: How long ``stop`` waits for jobs in flight.
STOP_TIMEOUT = 30.0


class BotSettings(Protocol):
    """What the service reads from ``bot.config.Settings``."""

    @property
    def zone(self) -> ZoneInfo: ...

    @property
    def app_id(self) -> str: ...

    @property
    def timeline(self) -> TimelineOffsets: ...

    @property
    def quorum_rule(self) -> QuorumRule: ...


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
        quorum_rule: QuorumRule = DEFAULT_QUORUM,
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
            quorum_rule=quorum_rule,
            bot_app_id=bot_app_id,
            runner=runner or timeline_jobs.runner_name(),
            sweep=self.rebuild,
        )
        self._engine: Engine | None = None
        self._store: BatchingJobStore | None = None
        self._scheduler: LeaderOnlyScheduler | None = None
        self._executor: LoopExecutor | None = None
        self._leader = False
        # Set once this process leads with its jobs rebuilt; cleared when it stops leading.
        self._leading = asyncio.Event()
        self._election: asyncio.Task[None] | None = None
        self._lock = LeaderLock(database.url, self.runtime.runner)
        self._deriving = asyncio.Lock()

    @classmethod
    def from_settings(
        cls,
        settings: BotSettings,
        database: Database,
        clock: Clock,
        outbox: Outbox,
        *,
        sweep_every: timedelta = DEFAULT_SWEEP,
        lock_retry: timedelta = DEFAULT_LOCK_RETRY,
        run_jobs: bool = True,
        timer: bool = True,
        runner: str | None = None,
    ) -> SchedulerService:
        """The service as ``bot.config.Settings`` configures it: its zone, timeline offsets, quorum rule
        and the bot's app id. Every process that runs a scheduler builds it here; the options are
        how it runs, never what it sends."""
        service = cls(
            database,
            clock,
            outbox,
            zone=settings.zone,
            offsets=settings.timeline,
            quorum_rule=settings.quorum_rule,
            bot_app_id=settings.app_id,
            sweep_every=sweep_every,
            lock_retry=lock_retry,
            run_jobs=run_jobs,
            timer=timer,
            runner=runner,
        )
        timeline_jobs.configure(service.runtime, settings)
        return service

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
        self._store = BatchingJobStore(self._engine)
        self._executor = LoopExecutor(asyncio.get_running_loop())
        scheduler = LeaderOnlyScheduler(
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
            with contextlib.suppress(asyncio.CancelledError):
                await self._election
            self._election = None
        self._leader = False
        self._leading.clear()
        scheduler, self._scheduler = self._scheduler, None
        if scheduler is not None and self._store is not None:
            await asyncio.to_thread(self._store.wait_for_batches)  # a rebuild under way commits first
            await asyncio.to_thread(scheduler.shutdown, False)
        if self._executor is not None and self._executor.in_flight():
            waiting = [asyncio.wrap_future(f) for f in self._executor.in_flight()]
            await asyncio.wait(waiting, timeout=STOP_TIMEOUT)
        await self._lock.release()
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
        errors = lock_errors()
        while True:
            try:
                if self._leader:
                    await self._lock.check()
                elif await self._lock.take():
                    await self._lead()
            except errors as error:
                log.warning("scheduler: the leader lock's connection failed: %s", type(error).__name__)
                self._stand_down()
                await self._lock.release()
            await asyncio.sleep(self.lock_retry.total_seconds())

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
                found = [meeting] if meeting else []
                specs = await meeting_specs(session, found, now, self.offsets, self.zone)
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
                specs = await meeting_specs(session, list(meetings), now, self.offsets, self.zone)
                specs += await renewal_specs(session, now, self.offsets, self.zone)
                specs += await daily_specs(session, now, self.offsets, self.zone)
            specs += team_members_specs(self.runtime, now, self.zone)
            report = await asyncio.to_thread(self._apply, specs, None, {timeline_jobs.SWEEP_JOB_ID}, now)
        log.info("scheduler: rebuilt: %s", report)
        return report

    async def _ensure_sweep(self) -> None:
        now = self.clock.now()
        spec = sweep_spec(now, self.sweep_every, self.zone)
        await asyncio.to_thread(self._apply, [spec], [timeline_jobs.SWEEP_JOB_ID], None, now)

    def _apply(self, specs: Any, scope: list[str] | None, keep: set[str] | None, now: datetime) -> SyncReport:
        assert self._scheduler is not None and self._store is not None
        with self._store.batch():  # one transaction, not one per job
            return apply_specs(self._scheduler, specs, scope, keep, now, self.zone)

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
        """The jobs due by ``now``, each moved on to its next fire time (or removed), in one transaction."""
        scheduler, store = self._scheduler, self._store
        assert scheduler is not None and store is not None
        with store.batch():
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
        return job_infos(found, self.zone)
