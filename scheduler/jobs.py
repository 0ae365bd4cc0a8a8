"""The scheduler's jobs: module-level coroutines that APScheduler stores by reference.

A persistent job store pickles a job as "module:function" plus its arguments, so the jobs are
plain functions here with primitive arguments (a meeting id, an academic year), and their
references (``scheduler.jobs:cut_off``...) are stored in deployed databases: keep them. What they
need (database, clock, outbox, the settings) is the :class:`Runtime` the service installs at
start: a module-level registry, since a pickled reference cannot carry objects.

Every meeting job does the same:

1. re-read the meeting and derive its timeline again, now. If the meeting was cancelled, or
   moved so that the step is not due yet, it does nothing: the service re-derives the jobs on
   every change (and its sweep every few minutes), and the re-derived job runs at the new time;
2. skip a step already recorded in ``timeline_run`` (it ran before a restart, or elsewhere);
3. queue its messages (:mod:`scheduler.steps`) and record the run, in one transaction. The
   unique ``(job_id, due_at)`` of the run makes a second runner fail and roll back: a step never
   fires twice in effect.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from typing import Protocol

from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from communities.clock import Clock
from communities.db import Database
from communities.disputes.windows import DisputeWindows
from communities.meetings.rsvp import DEFAULT_QUORUM, QuorumRule
from communities.meetings.tables import LONDON, Meeting
from communities.messaging.outbox import Outbox
from communities.retention.policy import RetentionPolicy
from communities.roster.tables import Community
from communities.terms.calendar import load_calendar
from scheduler import followup
from scheduler.disputes import disputes_daily
from scheduler.renewal import remind_unconfirmed
from scheduler.steps import StepContext, run_step, summary_of
from scheduler.tables import TimelineRun
from scheduler.timeline import StepKind, TimelineOffsets, renewal_for, step_of, timeline_for

log = logging.getLogger(__name__)

#: A job may start this much before its step's time (clocks of replicas, timer jitter).
EARLY = timedelta(seconds=60)
#: The sweeper's job id and function.
SWEEP_JOB_ID = "scheduler:sweep"
SWEEP_FUNC = f"{__name__}:sweep"
RENEWAL_FUNC = f"{__name__}:declarations_renewal"
FOLLOWUP_FUNC = f"{__name__}:outcomes_daily"
TEAM_MEMBERS_JOB_ID = "reach:team_members"
TEAM_MEMBERS_FUNC = f"{__name__}:team_members_daily"


def func_ref(kind: StepKind) -> str:
    """The textual reference APScheduler stores for a meeting step's job."""
    return f"{__name__}:{StepKind(kind).value}"


# ---- the runtime the service installs ----------------------------------------------------------


def runner_name() -> str:
    """``host:pid``, short enough to end a PostgreSQL application name (63 bytes) whole."""
    return f"{socket.gethostname()[:36]}:{os.getpid()}"


class TeamMembersReader(Protocol):
    """Reads every team's members from Teams and matches them to the roster (the bot's connector)."""

    async def sync_all(self) -> int: ...


@dataclass
class Runtime:
    database: Database
    clock: Clock
    outbox: Outbox
    offsets: TimelineOffsets = field(default_factory=TimelineOffsets)
    zone: tzinfo = LONDON
    quorum_rule: QuorumRule = DEFAULT_QUORUM
    bot_app_id: str = ""
    runner: str = field(default_factory=runner_name)
    #: The dispute route's windows (the daily follow-up reminds and closes disputes).
    disputes: DisputeWindows = field(default_factory=DisputeWindows)
    #: The service's re-derivation of every job (the sweep job calls it).
    sweep: Callable[[], Awaitable[object]] | None = None
    #: Reach: the daily read of the teams' members (None where this process has no Bot Connector).
    team_members: TeamMembersReader | None = None
    #: How long each kind of record is kept (the daily purge, scheduler.retention).
    retention: RetentionPolicy = field(default_factory=RetentionPolicy)


_runtime: Runtime | None = None


def configure(runtime: Runtime, settings: object) -> None:
    """What ``settings`` (``bot.config.Settings``) says of the dispute windows and the retention policy."""
    runtime.disputes = getattr(settings, "disputes", runtime.disputes)
    runtime.retention = getattr(settings, "retention", runtime.retention)


def install(runtime: Runtime) -> None:
    """Make ``runtime`` the one the jobs of this process use."""
    global _runtime
    _runtime = runtime


def uninstall(runtime: Runtime) -> None:
    global _runtime
    if _runtime is runtime:
        _runtime = None


def current() -> Runtime:
    if _runtime is None:
        raise RuntimeError("the scheduler's runtime is not installed (SchedulerService.start installs it)")
    return _runtime


# ---- the jobs -------------------------------------------------------------------------------------


async def requests_open(meeting_id: int) -> int:
    return await run_meeting_step(meeting_id, StepKind.REQUESTS_OPEN)


async def deadline_reminder(meeting_id: int) -> int:
    return await run_meeting_step(meeting_id, StepKind.DEADLINE_REMINDER)


async def triage_reminder(meeting_id: int) -> int:
    return await run_meeting_step(meeting_id, StepKind.TRIAGE_REMINDER)


async def cut_off(meeting_id: int) -> int:
    return await run_meeting_step(meeting_id, StepKind.CUT_OFF)


async def agenda_due(meeting_id: int) -> int:
    return await run_meeting_step(meeting_id, StepKind.AGENDA_DUE)


async def agenda_overdue(meeting_id: int) -> int:
    return await run_meeting_step(meeting_id, StepKind.AGENDA_OVERDUE)


async def meeting_reminder_day_before(meeting_id: int) -> int:
    return await run_meeting_step(meeting_id, StepKind.MEETING_REMINDER_DAY_BEFORE)


async def quorum_check(meeting_id: int) -> int:
    return await run_meeting_step(meeting_id, StepKind.QUORUM_CHECK)


async def meeting_reminder_morning(meeting_id: int) -> int:
    return await run_meeting_step(meeting_id, StepKind.MEETING_REMINDER_MORNING)


async def outcomes_due(meeting_id: int) -> int:
    return await run_meeting_step(meeting_id, StepKind.OUTCOMES_DUE)


async def sweep() -> int:
    """The safety net: derive every job again (a change another process made, a lost update)."""
    runtime = current()
    if runtime.sweep is not None:
        await runtime.sweep()
    return 0


async def run_meeting_step(meeting_id: int, kind: StepKind) -> int:
    """Run one step of a meeting's timeline, if it is still due; the number of messages queued."""
    runtime = current()
    now = runtime.clock.now()
    job_id = f"meeting:{meeting_id}:{kind.value}"
    try:
        async with runtime.database.session() as session:
            meeting = await session.get(Meeting, meeting_id)
            if meeting is None:
                log.info("%s: the meeting is gone; nothing to do", job_id)
                return 0
            calendar = await load_calendar(session)
            step = step_of(timeline_for(meeting, runtime.offsets, now, runtime.zone, calendar), kind)
            if step is None:
                log.info("%s: no longer applies (meeting %s); nothing to do", job_id, meeting.status)
                return 0
            if step.at > now + EARLY:
                log.info("%s: the meeting moved; the step is now due %s", job_id, step.at.isoformat())
                return 0
            if now > step.expires:
                log.warning("%s: too late to be useful (due %s); skipped", job_id, step.due.isoformat())
                return 0
            if await has_run(session, job_id, step.due):
                log.info("%s: already ran for %s", job_id, step.due.isoformat())
                return 0
            community = await session.get(Community, meeting.community_id)
            assert community is not None
            ctx = StepContext(
                meeting=meeting,
                community=community,
                step=step,
                summary=summary_of(meeting, community),
                clock=runtime.clock,
                outbox=runtime.outbox,
                quorum_rule=runtime.quorum_rule,
                bot_app_id=runtime.bot_app_id,
                calendar=calendar,
            )
            messages = await run_step(session, ctx)
            session.add(
                TimelineRun(
                    job_id=job_id,
                    due_at=step.due,
                    meeting_id=meeting_id,
                    sequence=meeting.sequence,
                    messages=messages,
                    runner=runtime.runner,
                    ran_at=now,
                )
            )
            await session.commit()
    except IntegrityError:
        log.info("%s: another runner recorded it first; nothing sent twice", job_id)
        return 0
    log.info("%s ran: messages queued: %d", job_id, messages)
    if messages:
        runtime.outbox.wake()
    return messages


async def declarations_renewal(academic_year: int) -> int:
    """This week's reminder to members who have not confirmed their declarations for the year."""
    runtime = current()
    now = runtime.clock.now()
    renewal = renewal_for(academic_year, runtime.offsets, runtime.zone)
    due = renewal.latest(now)
    if due is None or now > due + runtime.offsets.grace:
        log.info("%s: no reminder due now", renewal.job_id)
        return 0
    day = due.astimezone(runtime.zone).date().isoformat()
    try:
        async with runtime.database.session() as session:
            if await has_run(session, renewal.job_id, due):
                return 0
            messages = await remind_unconfirmed(session, runtime.outbox, academic_year, day)
            session.add(
                TimelineRun(
                    job_id=renewal.job_id, due_at=due, messages=messages, runner=runtime.runner, ran_at=now
                )
            )
            await session.commit()
    except IntegrityError:
        log.info("%s: another runner recorded it first; nothing sent twice", renewal.job_id)
        return 0
    log.info("%s ran for %s: reminders queued: %d", renewal.job_id, day, messages)
    if messages:
        runtime.outbox.wake()
    return messages


async def outcomes_daily() -> int:
    """The day's follow-up after meetings: review questions, action reminders (:mod:`scheduler.followup`)."""
    runtime = current()
    now = runtime.clock.now()
    due = followup.latest_due(now, runtime.offsets, runtime.zone)
    if now > due + runtime.offsets.grace:
        log.info("%s: no run due now", followup.JOB_ID)
        return 0
    today = due.astimezone(runtime.zone).date()
    try:
        async with runtime.database.session() as session:
            if await has_run(session, followup.JOB_ID, due):
                return 0
            days = runtime.offsets.action_reminder_days
            messages = await followup.follow_up(session, runtime.clock, runtime.outbox, today, days)
            messages += await disputes_daily(session, runtime.clock, runtime.outbox, today, runtime.disputes)
            session.add(
                TimelineRun(
                    job_id=followup.JOB_ID, due_at=due, messages=messages, runner=runtime.runner, ran_at=now
                )
            )
            await session.commit()
    except IntegrityError:
        log.info("%s: another runner recorded it first; nothing sent twice", followup.JOB_ID)
        return 0
    log.info("%s ran for %s: messages queued: %d", followup.JOB_ID, today.isoformat(), messages)
    if messages:
        runtime.outbox.wake()
    return messages


async def team_members_daily() -> int:
    """Read the members of every team the bot is in again, so that new people can be reached."""
    reader = current().team_members
    if reader is None:
        log.info(
            "%s: no Bot Connector in this process; the teams are read on install only", TEAM_MEMBERS_JOB_ID
        )
        return 0
    teams = await reader.sync_all()
    log.info("%s: read the members of %d teams", TEAM_MEMBERS_JOB_ID, teams)
    return teams


async def has_run(session: AsyncSession, job_id: str, due: datetime) -> bool:
    found = await session.exec(
        select(TimelineRun.id).where(TimelineRun.job_id == job_id, TimelineRun.due_at == due)
    )
    return found.first() is not None
