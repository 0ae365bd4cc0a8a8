"""The job store's batches: many jobs written in one transaction, all or nothing."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from apscheduler.jobstores.base import ConflictingIdError
from apscheduler.schedulers.background import BackgroundScheduler

from scheduler.job_store import BatchingJobStore, job_store_engine

DUE = datetime(2027, 1, 14, 9, 0, tzinfo=UTC)


async def a_step(n: int) -> None:
    """What the jobs here would run (never: the scheduler stays paused)."""


@pytest.fixture
def scheduler(tmp_path: Path) -> Iterator[tuple[BackgroundScheduler, BatchingJobStore]]:
    store = BatchingJobStore(job_store_engine(f"sqlite+aiosqlite:///{tmp_path}/jobs.db"))
    scheduler = BackgroundScheduler(jobstores={"default": store}, timezone=UTC)
    scheduler.start(paused=True)
    try:
        yield scheduler, store
    finally:
        scheduler.shutdown(wait=False)


def add(scheduler: BackgroundScheduler, n: int) -> None:
    scheduler.add_job(a_step, "date", run_date=DUE + timedelta(minutes=n), args=(n,), id=f"step:{n}")


def test_a_batch_writes_every_job_at_its_end(scheduler: tuple[BackgroundScheduler, BatchingJobStore]) -> None:
    jobs, store = scheduler
    add(jobs, 0)
    with store.batch():
        for n in range(1, 200):
            add(jobs, n)
        jobs.remove_job("step:0")
        jobs.remove_job("step:7")  # added in this batch, then dropped
        jobs.modify_job("step:8", next_run_time=DUE + timedelta(days=1))

    found = {job.id: job for job in store.get_all_jobs()}
    assert set(found) == {f"step:{n}" for n in range(1, 200)} - {"step:7"}
    assert found["step:8"].next_run_time == DUE + timedelta(days=1)
    assert found["step:9"].args == (9,)


def test_a_batch_that_fails_half_way_leaves_the_store_as_it_was(
    scheduler: tuple[BackgroundScheduler, BatchingJobStore],
) -> None:
    jobs, store = scheduler
    add(jobs, 0)
    with pytest.raises(RuntimeError), store.batch():
        for n in range(1, 50):
            add(jobs, n)
        jobs.remove_job("step:0")
        raise RuntimeError("the rebuild failed half-way")

    assert [job.id for job in store.get_all_jobs()] == ["step:0"]


def test_a_job_added_twice_in_a_batch_is_refused_as_outside_one(
    scheduler: tuple[BackgroundScheduler, BatchingJobStore],
) -> None:
    jobs, store = scheduler
    with pytest.raises(ConflictingIdError), store.batch():
        add(jobs, 1)
        add(jobs, 1)  # replace_existing is off: APScheduler's own error, as without a batch

    assert store.get_all_jobs() == []


RAN = threading.Event()


def mark_ran() -> None:
    RAN.set()


def test_a_job_due_soon_added_in_a_batch_runs_though_the_scheduler_was_asleep(tmp_path: Path) -> None:
    store = BatchingJobStore(job_store_engine(f"sqlite+aiosqlite:///{tmp_path}/jobs.db"))
    scheduler = BackgroundScheduler(jobstores={"default": store}, timezone=UTC)
    scheduler.start()  # nothing scheduled: it sleeps until woken
    RAN.clear()
    try:
        with store.batch():
            scheduler.add_job(
                mark_ran, "date", run_date=datetime.now(UTC) + timedelta(seconds=0.3), id="soon"
            )
        assert RAN.wait(timeout=30), "the scheduler slept through a job the batch added"
        # Ran once, then the scheduler removes it (a date job): let it, before shutting it down.
        deadline = time.monotonic() + 30
        while store.get_all_jobs() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert store.get_all_jobs() == []
    finally:
        scheduler.shutdown(wait=False)
