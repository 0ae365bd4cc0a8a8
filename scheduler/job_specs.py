"""What the job store should hold, derived from the meetings and the academic year, and making it so.

The jobs have stable ids (``meeting:{id}:{kind}``, ``declarations:renewal:{year}``,
``scheduler:sweep``). A step already recorded in ``timeline_run`` gets no job; a job whose
definition has not changed is kept as it is (a recurring job keeps its progress).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any

from apscheduler.job import Job
from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from communities.academic_year import academic_year_label, academic_year_of
from communities.meetings.tables import Meeting
from communities.roster.tables import Community
from communities.terms.calendar import load_calendar
from scheduler import followup, retention
from scheduler import jobs as timeline_jobs
from scheduler.tables import TimelineRun
from scheduler.timeline import Renewal, TimelineOffsets, renewal_for, timeline_for


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
class SyncReport:
    added: int = 0
    kept: int = 0
    removed: int = 0


async def meeting_specs(
    session: AsyncSession, meetings: list[Meeting], now: datetime, offsets: TimelineOffsets, zone: tzinfo
) -> list[JobSpec]:
    """The jobs of the meetings' steps still to run."""
    ids = [m.id for m in meetings if m.id is not None]
    if not ids:
        return []
    codes = dict(
        (
            await session.exec(
                select(Community.id, Community.code).where(col(Community.id).in_(_community_ids(meetings)))
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
    calendar = await load_calendar(session)
    specs: list[JobSpec] = []
    for meeting in meetings:
        assert meeting.id is not None
        start = meeting.starts_at.astimezone(zone)
        term = calendar.term_label(start.date())
        said = f"{codes.get(meeting.community_id, '?')} meeting {start:%a %d %b %Y %H:%M}"
        said += f" ({term})" if term else ""
        for step in timeline_for(meeting, offsets, now, zone, calendar):
            if not step.pending(now) or (step.job_id, step.due) in ran:
                continue
            specs.append(
                JobSpec(
                    id=step.job_id,
                    func=timeline_jobs.func_ref(step.kind),
                    args=(meeting.id,),
                    trigger=DateTrigger(run_date=step.at, timezone=zone),
                    next_run=step.at,
                    grace=step.grace,
                    name=f"{said}: {step.kind.description}",
                )
            )
    return specs


async def renewal_specs(
    session: AsyncSession, now: datetime, offsets: TimelineOffsets, zone: tzinfo
) -> list[JobSpec]:
    """The declarations renewals of this academic year and the next."""
    year = academic_year_of(now, zone)
    specs = []
    for renewal in (renewal_for(year, offsets, zone), renewal_for(year + 1, offsets, zone)):
        trigger = renewal_trigger(renewal)
        # A reminder missed while the bot was down (and not recorded as run) runs at once.
        latest = renewal.latest(now)
        missed = (
            latest is not None
            and now - latest <= offsets.grace
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
                grace=offsets.grace,
                name=f"declarations renewal {academic_year_label(renewal.academic_year)}: weekly DM to "
                "members who have not confirmed",
                recurring=True,
            )
        )
    return specs


async def followup_specs(
    session: AsyncSession, now: datetime, offsets: TimelineOffsets, zone: tzinfo
) -> list[JobSpec]:
    """The daily follow-up after meetings (:mod:`scheduler.followup`); a run missed today runs at once."""
    trigger = followup.daily_trigger(offsets, zone)
    latest = followup.latest_due(now, offsets, zone)
    missed = now - latest <= offsets.grace and not await timeline_jobs.has_run(
        session, followup.JOB_ID, latest
    )
    next_run = latest if missed else trigger.get_next_fire_time(None, now)
    if next_run is None:
        return []
    return [
        JobSpec(
            id=followup.JOB_ID,
            func=timeline_jobs.FOLLOWUP_FUNC,
            args=(),
            trigger=trigger,
            next_run=next_run,
            grace=offsets.grace,
            name="outcomes follow-up: daily DMs of reviews due and actions due soon",
            recurring=True,
        )
    ]


async def daily_specs(
    session: AsyncSession, now: datetime, offsets: TimelineOffsets, zone: tzinfo
) -> list[JobSpec]:
    """The daily jobs: the follow-up after meetings, and the retention purge."""
    return [*await followup_specs(session, now, offsets, zone), *await retention_specs(session, now, zone)]


async def retention_specs(session: AsyncSession, now: datetime, zone: tzinfo) -> list[JobSpec]:
    """The daily purge (:mod:`scheduler.retention`); a run missed today (and not claimed) runs at once."""
    trigger = retention.daily_trigger(zone)
    latest = retention.latest_due(now, zone)
    missed = now - latest <= retention.GRACE and not await timeline_jobs.has_run(
        session, retention.JOB_ID, latest
    )
    next_run = latest if missed else trigger.get_next_fire_time(None, now)
    if next_run is None:
        return []
    return [
        JobSpec(
            id=retention.JOB_ID,
            func=retention.FUNC,
            args=(),
            trigger=trigger,
            next_run=next_run,
            grace=retention.GRACE,
            name="retention: the daily purge of what the retention policy no longer keeps",
            recurring=True,
        )
    ]


def team_members_specs(runtime: timeline_jobs.Runtime, now: datetime, zone: tzinfo) -> list[JobSpec]:
    """The daily read of the teams' members, where this process can read them (it has a connector)."""
    return [] if runtime.team_members is None else [team_members_spec(now, zone)]


def team_members_spec(now: datetime, zone: tzinfo) -> JobSpec:
    """Reach: read every team's members again daily, early in the morning (before the day's notices)."""
    trigger = CronTrigger(hour=6, minute=15, timezone=zone)
    next_run = trigger.get_next_fire_time(None, now) or now
    return JobSpec(
        id=timeline_jobs.TEAM_MEMBERS_JOB_ID,
        func=timeline_jobs.TEAM_MEMBERS_FUNC,
        args=(),
        trigger=trigger,
        next_run=next_run,
        grace=timedelta(hours=6),
        name="reach: read the teams' members and match them to the roster",
        recurring=True,
    )


def sweep_spec(now: datetime, every: timedelta, zone: tzinfo) -> JobSpec:
    trigger = IntervalTrigger(seconds=every.total_seconds(), start_date=now + every, timezone=zone)
    return JobSpec(
        id=timeline_jobs.SWEEP_JOB_ID,
        func=timeline_jobs.SWEEP_FUNC,
        args=(),
        trigger=trigger,
        next_run=now + every,
        grace=every,
        name="sweep: derive every job again from the meetings (a safety net)",
        recurring=True,
    )


def apply_specs(
    scheduler: BaseScheduler,
    specs: list[JobSpec],
    scope: list[str] | None,
    keep: set[str] | None,
    now: datetime,
    zone: tzinfo,
) -> SyncReport:
    """Make the store match ``specs`` (blocking: run in a thread).

    ``scope``: the job ids this covers (None: every job, except those in ``keep``).
    """
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
        if job is not None:
            # Removed, then added: a replacing add first tries an insert, and a failed statement
            # would end a batch's transaction on PostgreSQL.
            with contextlib.suppress(JobLookupError):
                scheduler.remove_job(spec.id)
        scheduler.add_job(
            spec.func,
            trigger=spec.trigger,
            args=spec.args,
            id=spec.id,
            name=spec.name,
            misfire_grace_time=max(1, int(spec.grace.total_seconds())),
            next_run_time=spec.next_run.astimezone(zone),
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
