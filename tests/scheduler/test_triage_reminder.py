"""Two days before requests close, the chair hears of the submitted requests still waiting for them."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import scheduler.tables  # noqa: F401  (registers the scheduler's tables before the db fixture creates them)
from communities.clock import FixedClock
from communities.db import Database
from communities.messaging.outbox import Outbox
from communities.requests.service import save_answers, start_draft, submit
from scheduler.service import SchedulerService
from tests.scheduler.test_term import START, _all_rows, build_world, utc
from tests.support.people import DANIEL, HANNAH, profile_of
from tests.support.requests import COMPLETE, school_id


async def test_the_chair_is_reminded_of_requests_waiting_for_review_and_only_then(
    db: Database, tmp_path: Path
) -> None:
    clock = FixedClock(START)
    world = await build_world(db, clock, tmp_path)
    outbox = Outbox(clock)
    service = SchedulerService(db, clock, outbox, timer=False, sweep_every=timedelta(days=1))
    await service.start()
    await asyncio.wait_for(service.until_leading(), 10)
    cant1_sep, cant1_nov = world.meetings[("CANT1", "09-30")], world.meetings[("CANT1", "11-10")]
    submitted = False
    while (target := await service.next_run_time()) is not None and target < utc(10, 31, 0):
        if not submitted and target > utc(10, 1, 0):  # after the September meeting, Hannah submits one
            hannah = await profile_of(db, HANNAH)
            async with db.session() as session:
                request = await start_draft(session, clock, hannah, await school_id(db, "990101"))
                assert request.id is not None
                await save_answers(session, clock, hannah, request.id, COMPLETE)
                await submit(session, clock, outbox, hannah, request.id)
                await session.commit()
            submitted = True
        clock.advance(seconds=(target - clock.now()).total_seconds())
        await service.run_due()
    await service.stop()

    rows = {r.idempotency_key: r for r in await _all_rows(db)}
    daniel = world.people[DANIEL]
    # September: nothing was submitted, so the chair is not bothered.
    assert not [k for k in rows if k.startswith(f"timeline:{cant1_sep}:triage_reminder")]
    # November: requests close on Tuesday 27 October (10 school days before Tuesday 10 November);
    # two school days before, on Friday 23 October at 09:00 BST, the chair hears.
    reminder = rows[f"timeline:{cant1_nov}:triage_reminder:1:{daniel}"]
    assert reminder.created_at == utc(10, 23, 8)
    shown = str(reminder.payload)
    assert "COS-CANT1-26-001" in shown and "Westgate Meadow Primary School" in shown
    assert "1 request waits for your review" in shown and "Requests queue" in shown
    assert "WM-2026-07" not in shown  # a reference and a school: never what the form says
