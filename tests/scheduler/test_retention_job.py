"""The daily purge on the scheduler: scheduled at 03:00 London, run once a day however many times
it is called or however many replicas call it, and finishing on its next run what a crash left."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlmodel import select

from communities.audit import AuditEvent
from communities.clock import FixedClock
from communities.db import Database
from communities.meetings.tables import LONDON
from communities.messaging.outbox import Outbox
from communities.retention.policy import RetentionPolicy
from scheduler import jobs, retention
from scheduler.job_specs import retention_specs
from scheduler.service import SchedulerService
from scheduler.tables import TimelineRun
from tests.support.retention import closed_requests, request_row


async def purge_runs(db: Database) -> list[AuditEvent]:
    async with db.session() as session:
        return list(
            (await session.exec(select(AuditEvent).where(AuditEvent.action == "retention_purge"))).all()
        )


async def test_the_purge_is_due_every_night_at_three_london_time(db: Database) -> None:
    async with db.session() as session:
        [spec] = await retention_specs(session, datetime(2026, 12, 7, 20, 0, tzinfo=UTC), LONDON)
    assert spec.id == "retention:purge" and spec.func == "scheduler.retention:purge_daily" and spec.recurring
    assert spec.next_run.astimezone(LONDON).isoformat() == "2026-12-08T03:00:00+00:00"


async def test_two_runs_the_same_day_purge_once(demo_db: Database, clock: FixedClock) -> None:
    closed = await closed_requests(demo_db, clock)
    clock.advance(days=400)
    runtime = jobs.Runtime(database=demo_db, clock=clock, outbox=Outbox(clock), retention=RetentionPolicy())
    jobs.install(runtime)
    try:
        first, second = await asyncio.gather(retention.purge_daily(), retention.purge_daily())
        assert sorted([first, second]) == [0, 3]  # two replicas at once: one purges
        assert await retention.purge_daily() == 0  # later the same day: nothing
        clock.advance(days=1)
        assert await retention.purge_daily() == 0  # the next day: runs, nothing left to do
    finally:
        jobs.uninstall(runtime)
    assert [e.detail["counts"]["request_detail"] for e in await purge_runs(demo_db)] == [3, 0]
    async with demo_db.session() as session:
        days = (
            await session.exec(select(TimelineRun.due_at).where(TimelineRun.job_id == "retention:purge"))
        ).all()
    assert len(days) == 2
    for request_id in closed.request_ids:
        assert (await request_row(demo_db, request_id)).detail_removed_at is not None


async def test_the_service_schedules_and_runs_the_purge_with_the_settings_policy(
    demo_db: Database, clock: FixedClock
) -> None:
    closed = await closed_requests(demo_db, clock)
    clock.advance(days=300)  # two requests closed 14 months ago, one 10 months ago

    class Settings:
        zone = LONDON
        app_id = ""
        timeline = jobs.TimelineOffsets()
        quorum_rule = jobs.DEFAULT_QUORUM
        retention = RetentionPolicy(request_detail=200)  # the council chose a shorter time

    service = SchedulerService.from_settings(
        Settings(), demo_db, clock, Outbox(clock), timer=False, sweep_every=timedelta(days=1)
    )
    await service.start()
    await asyncio.wait_for(service.until_leading(), 10)
    try:
        assert "retention:purge" in [job.id for job in await service.jobs()]
        night = retention.purge_time((clock.now() + timedelta(days=1)).astimezone(LONDON).date(), LONDON)
        clock.advance(seconds=(night - clock.now()).total_seconds())
        assert "retention:purge" in await service.run_due()
    finally:
        await service.stop()
    for request_id in closed.request_ids:  # 200 days: all three
        assert (await request_row(demo_db, request_id)).detail_removed_at is not None
    [run] = await purge_runs(demo_db)
    assert run.detail["by"] == "scheduler" and run.detail["counts"]["request_detail"] == 3
