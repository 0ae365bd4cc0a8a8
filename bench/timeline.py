"""The meeting timeline at scale: 200 communities with a year of meetings, about 10,000 scheduled steps.

``python bench/timeline.py`` (``make bench``):

1. creates a SQLite database in a temp directory (migrated with ``bot.migrate.upgrade``) holding
   ``--communities`` communities, each with a linked channel and ``--meetings`` meetings spread
   over the academic year 2026-27 (each community on its own days, so steps of different
   communities fall due together only sometimes, as in Kent's calendar);
2. starts the real :class:`scheduler.service.SchedulerService` (as ``cosbot serve`` builds it, on
   an injected clock at 1 September) and times its start-up, which rebuilds every job from the
   meetings into APScheduler's job store (target: at most 2 s);
3. walks the injected clock through the year from one due time to the next, runs what is due
   (:meth:`~scheduler.service.SchedulerService.run_due`, which does what APScheduler's own loop
   does), and measures, for each step, the wall-clock time between its due moment and its run
   (target: every step within 2 s), and counts how often each step ran (target: each once).

The steps do their real work: the database reads, the decisions, the channel posts and DMs
queued in the outbox (nothing sends them here). The periodic jobs (the safety-net sweep, the
daily team-members read) are left out of the counts; the sweep runs weekly here (``cosbot
serve`` runs it every 5 minutes: its cost is a rebuild, reported as such). This is a benchmark,
not a test: it reports, and fails only when a step ran twice or never.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlmodel import select  # noqa: E402

from bot.migrate import upgrade  # noqa: E402
from communities.clock import FixedClock  # noqa: E402
from communities.db import Database  # noqa: E402
from communities.meetings.tables import Meeting, MeetingOffsets, derived_dates, london_wall_time  # noqa: E402
from communities.messaging.outbox import Outbox  # noqa: E402
from communities.roster.tables import Community  # noqa: E402
from communities.school_days import SchoolCalendar  # noqa: E402
from scheduler.service import SchedulerService  # noqa: E402
from tests.support.linked_channels import seed_linked_communities  # noqa: E402

START_TARGET = 2.0
LAG_TARGET = 2.0
YEAR_STARTS = datetime(2026, 9, 1, 6, 0, tzinfo=UTC)
YEAR_ENDS = datetime(2027, 8, 1, tzinfo=UTC)
#: The first Thursday of each half term's meeting fortnight; community n meets n school days later.
MEETING_WEEKS = (date(2026, 10, 1), date(2026, 11, 19), date(2027, 1, 14), date(2027, 3, 4), date(2027, 5, 6))
PERIODIC = ("sweep", "team-members", "renewal", ":daily", "retention:purge")


class BenchError(Exception):
    """The benchmark could not run; the message says why."""


async def seed(database: Database, communities: int, meetings: int) -> int:
    """The communities, their channels and ``meetings`` meetings each; returns the meetings made."""
    await seed_linked_communities(database, "https://connector.invalid", communities, label="Timeline")
    calendar = SchoolCalendar()  # no term dates loaded: weekdays without bank holidays
    now = datetime.now(UTC)
    made = 0
    async with database.session() as session:
        rows = (await session.exec(select(Meeting))).all()
        for meeting in rows:  # the helper's one meeting each; these are replaced by the year's
            await session.delete(meeting)
        ids = [c.id for c in (await session.exec(select(Community).order_by(Community.id))).all()]
        for n, community_id in enumerate(ids):
            assert community_id is not None
            for week in MEETING_WEEKS[:meetings]:
                day = calendar.add_school_days(week, n % 10)
                starts = london_wall_time(datetime(day.year, day.month, day.day, 15 + n % 3, 30))
                deadline, agenda = derived_dates(starts, MeetingOffsets(), calendar)
                session.add(
                    Meeting(
                        community_id=community_id,
                        starts_at=starts,
                        ends_at=starts + timedelta(minutes=90),
                        location="Online",
                        online=True,
                        join_url=f"https://teams.microsoft.com/l/meetup-join/timeline-{n}-{made}",
                        submission_deadline=deadline,
                        agenda_publish_by=agenda,
                        created_at=now,
                        updated_at=now,
                    )
                )
                made += 1
        await session.commit()
    return made


def is_periodic(job_id: str) -> bool:
    return any(word in job_id for word in PERIODIC)


async def run(args: argparse.Namespace) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="cosbot-timeline-"))
    url = f"sqlite+aiosqlite:///{workdir}/timeline.db"
    problems: list[str] = []
    try:
        await asyncio.to_thread(upgrade, url)
        database = Database(url)
        made = await seed(database, args.communities, args.meetings)
        clock = FixedClock(YEAR_STARTS)
        service = SchedulerService(
            database, clock, Outbox(clock), sweep_every=timedelta(days=7), timer=False, runner="bench"
        )
        started = time.perf_counter()
        await service.start()
        await service.until_leading()
        start_seconds = time.perf_counter() - started
        jobs = [job for job in await service.jobs() if not is_periodic(job.id)]
        print(
            f"bench/timeline.py: {args.communities} communities x {args.meetings} meetings = {made:,} "
            f"meetings; {len(jobs):,} timeline steps scheduled; {os.cpu_count()} CPUs, "
            f"Python {sys.version.split()[0]}"
        )
        ran: Counter[str] = Counter()
        lags: list[float] = []
        sweeps: list[float] = []
        batches = 0
        walked = time.perf_counter()
        try:
            while (due := await service.next_run_time()) is not None and due < YEAR_ENDS:
                clock.advance(seconds=max(0.0, (due - clock.now()).total_seconds()))
                reached = time.perf_counter()  # the moment the (injected) time is the due time
                batch = await service.run_due(due)
                finished = time.perf_counter() - reached
                batches += 1
                steps = [job_id for job_id in batch if not is_periodic(job_id)]
                ran.update(steps)
                # run_due runs a batch in order: every step in it ran within the batch's time of its due.
                lags.extend([finished] * len(steps))
                if len(steps) < len(batch):
                    sweeps.append(finished)
        finally:
            await service.stop()
            await database.dispose()
        walk_seconds = time.perf_counter() - walked
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    expected = {job.id for job in jobs}
    never = sorted(expected - set(ran))
    twice = sorted(job_id for job_id, count in ran.items() if count > 1)
    unexpected = sorted(set(ran) - expected)
    if never:
        problems.append(f"{len(never)} steps never ran, e.g. {never[:3]}")
    if twice:
        problems.append(f"{len(twice)} steps ran more than once, e.g. {twice[:3]}")
    if unexpected:
        problems.append(
            f"{len(unexpected)} steps ran that were not scheduled at start-up, e.g. {unexpected[:3]}"
        )

    def verdict(ok: bool) -> str:
        return "met" if ok else "NOT met"

    print()
    print(
        f"  start-up with the rebuild   {start_seconds:.2f} s for {len(jobs):,} steps "
        f"(target <= {START_TARGET:g} s: {verdict(start_seconds <= START_TARGET)})"
    )
    print(
        f"  steps run                   {sum(ran.values()):,} in {batches:,} due times ({walk_seconds:.1f} s)"
    )
    print(f"  each step once              {len(ran):,} of {len(expected):,}: {verdict(not problems)}")
    if lags:
        ordered = sorted(lags)
        p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]
        print(
            f"  due to run (wall clock)     median {1000 * statistics.median(ordered):.0f} ms, "
            f"p99 {1000 * p99:.0f} ms, max {1000 * ordered[-1]:.0f} ms "
            f"(target: every step within {LAG_TARGET:g} s: {verdict(ordered[-1] <= LAG_TARGET)})"
        )
        busiest = Counter(lags).most_common(1)[0]
        print(f"  busiest due time            {busiest[1]} steps together, all run within {busiest[0]:.2f} s")
    if sweeps:
        print(
            f"  with a periodic job         {max(sweeps):.2f} s at most ({len(sweeps)} due times shared "
            "with the daily jobs or the weekly sweep, which rebuilds every job)"
        )
    if problems:
        print("\nFAILED:", file=sys.stderr)
        for problem in problems:
            print(f"- {problem}", file=sys.stderr)
        return 1
    print("\nOK: every scheduled step ran exactly once.")
    return 0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="The meeting timeline with about 10,000 scheduled steps.")
    parser.add_argument("--communities", type=int, default=200, help="communities (default 200)")
    parser.add_argument(
        "--meetings",
        type=int,
        default=5,
        help=f"meetings per community, at most {len(MEETING_WEEKS)} (default 5)",
    )
    args = parser.parse_args(argv)
    if args.communities < 1 or not 1 <= args.meetings <= len(MEETING_WEEKS):
        parser.error(f"--communities must be positive and --meetings between 1 and {len(MEETING_WEEKS)}")
    return args


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.ERROR)
    args = parse_args(argv)
    try:
        return asyncio.run(run(args))
    except BenchError as error:
        print(f"bench/timeline.py: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
