"""The daily read of the teams' members: it runs the bot's reader where the process has one, does
nothing where it has none, and is scheduled every morning."""

from __future__ import annotations

from datetime import UTC, datetime

from communities.clock import FixedClock
from communities.db import Database
from communities.meetings.tables import LONDON
from communities.messaging.outbox import Outbox
from scheduler import jobs
from scheduler.job_specs import team_members_spec, team_members_specs


class Reader:
    def __init__(self) -> None:
        self.calls = 0

    async def sync_all(self) -> int:
        self.calls += 1
        return 3


async def test_the_daily_job_reads_every_team_where_the_process_can(db: Database, clock: FixedClock) -> None:
    reader = Reader()
    runtime = jobs.Runtime(database=db, clock=clock, outbox=Outbox(clock), team_members=reader)
    jobs.install(runtime)
    try:
        assert await jobs.team_members_daily() == 3
        runtime.team_members = None
        assert await jobs.team_members_daily() == 0
    finally:
        jobs.uninstall(runtime)
    assert reader.calls == 1
    now = clock.now()
    assert team_members_specs(runtime, now, LONDON) == []  # nothing to schedule without a reader
    runtime.team_members = reader
    assert [spec.id for spec in team_members_specs(runtime, now, LONDON)] == [jobs.TEAM_MEMBERS_JOB_ID]


def test_the_read_is_due_every_morning_at_a_quarter_past_six_london_time() -> None:
    spec = team_members_spec(datetime(2026, 12, 7, 20, 0, tzinfo=UTC), LONDON)
    assert spec.func == "scheduler.jobs:team_members_daily" and spec.recurring
    assert spec.next_run.astimezone(LONDON).isoformat() == "2026-12-08T06:15:00+00:00"
