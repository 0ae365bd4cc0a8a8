"""Two scheduler processes on one real PostgreSQL database: each step fires once, only the leader
runs jobs, and when the leader is killed the other takes over.

The processes are real (``python -m bot.scheduler_runner``, real clocks and timers). Two
meetings have their submission deadline (the cut-off step) a few seconds ahead; their "requests
open" posts are due at once, since they were just added. The leader runs the first three steps;
then it is killed (SIGKILL: no clean-up, its lock goes with its connection), the standby takes
the lock, and runs the second cut-off.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine
from sqlmodel import Session, SQLModel, select

from communities.db import Database
from communities.meetings.tables import Meeting
from communities.messaging.outbox import OutboxMessage
from communities.messaging.teams_links import ChannelLink
from communities.roster.tables import Community, Person
from scheduler.job_store import job_store_url
from scheduler.leader_lock import leader_status
from scheduler.tables import TimelineRun, apscheduler_jobs
from tests.support.people import DANIEL, PRIYA, TOM, personal_chat

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]


def awake_zone() -> str:
    """A time zone where it is now between 04:00 and 22:00, so that no step of the test falls in
    that zone's 01:00–02:59 (where the timeline moves it to 03:00, hours away)."""
    for name in ("Europe/London", "Asia/Tokyo", "America/New_York", "Pacific/Auckland"):
        if 4 <= datetime.now(ZoneInfo(name)).hour < 22:
            return name
    raise AssertionError("some zone is always awake")


class Runner:
    def __init__(self, name: str, url: str, zone: str, directory: Path) -> None:
        self.out = directory / f"{name}.out"
        self.err = directory / f"{name}.err"
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("PG", "Microsoft"))},
            "DATABASE_URL": url,
            "TIMEZONE": zone,
        }
        with open(self.out, "wb") as out, open(self.err, "wb") as err:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot.scheduler_runner", "--lock-retry", "0.3", "--sweep", "600"],
                cwd=directory,  # no .env there
                env={**env, "PYTHONPATH": str(ROOT)},
                stdout=out,
                stderr=err,
            )

    @property
    def pid(self) -> int:
        return self.process.pid

    def lines(self) -> list[str]:
        return self.out.read_text().splitlines()

    def became_leader(self) -> bool:
        return any(line.endswith(": leader") for line in self.lines())

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log(self) -> str:
        out, err = self.out.read_text(), self.err.read_text()[-4000:]
        return f"--- {self.out.name}\n{out}\n--- {self.err.name}\n{err}"


def wait_for(what: str, check: Callable[[], bool], runners: list[Runner], timeout: float = 40.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}\n" + "\n".join(r.log() for r in runners))


@pytest.fixture
def runners() -> Iterator[list[Runner]]:
    started: list[Runner] = []
    yield started
    for runner in started:
        runner.stop()


def test_two_replicas_fire_each_step_once_and_the_standby_takes_over(
    pg_url: str, pg_demo_db: Database, tmp_path: Path, runners: list[Runner]
) -> None:
    engine = create_engine(job_store_url(pg_url))
    # The scheduler's tables, until the migration that adds them exists (a no-op after it).
    SQLModel.metadata.create_all(engine, tables=[TimelineRun.__table__, apscheduler_jobs])  # type: ignore[list-item]
    now = datetime.now(UTC)
    with Session(engine) as session:
        people = {p.email: p.id for p in session.exec(select(Person)).all()}
        communities = {c.code: c.id for c in session.exec(select(Community)).all()}
        for email in (DANIEL, TOM, PRIYA):
            session.add(personal_chat(people[email], email, now))
        for code in ("CANT1", "THAN2"):
            community_id = communities[code]
            assert community_id is not None
            session.add(
                ChannelLink(
                    community_id=community_id,
                    team_id=f"19:team-{code}",
                    channel_id=f"19:{code}@thread.tacv2",
                    service_url="https://smba.example/uk/",
                    reference={
                        "serviceUrl": "https://smba.example/uk/",
                        "conversation": {"id": f"19:{code}"},
                    },
                    linked_by_person_id=people[PRIYA],
                    linked_at=now,
                )
            )
        session.commit()
        meeting_ids = {}
        for code, deadline in (
            ("CANT1", now + timedelta(seconds=10)),
            ("THAN2", now + timedelta(seconds=25)),
        ):
            community_id = communities[code]
            assert community_id is not None
            meeting = Meeting(
                community_id=community_id,
                starts_at=now + timedelta(days=12),
                ends_at=now + timedelta(days=12, hours=1),
                submission_deadline=deadline,
                agenda_publish_by=now + timedelta(days=10),
                created_at=now,
                updated_at=now,
            )
            session.add(meeting)
            session.commit()
            meeting_ids[code] = meeting.id
    engine.dispose()

    zone = awake_zone()
    runners += [Runner("a", pg_url, zone, tmp_path), Runner("b", pg_url, zone, tmp_path)]
    wait_for("a leader", lambda: any(r.became_leader() for r in runners), runners)
    [leader] = [r for r in runners if r.became_leader()]
    [standby] = [r for r in runners if r is not leader]
    holder = leader_status(pg_url)
    assert holder is not None and holder.endswith(f":{leader.pid}"), holder

    def runs() -> list[TimelineRun]:
        check = create_engine(job_store_url(pg_url))
        try:
            with Session(check) as session:
                return list(session.exec(select(TimelineRun)).all())
        finally:
            check.dispose()

    cant1, than2 = meeting_ids["CANT1"], meeting_ids["THAN2"]
    first_three = {
        f"meeting:{cant1}:requests_open",
        f"meeting:{than2}:requests_open",
        f"meeting:{cant1}:cut_off",
    }
    wait_for("the first cut-off", lambda: first_three <= {r.job_id for r in runs()}, runners)
    assert not standby.became_leader()

    leader.process.kill()  # no clean shutdown: the lock goes with the dead connection
    leader.process.wait()
    wait_for("the standby to take over", standby.became_leader, runners)
    wait_for("the second cut-off", lambda: f"meeting:{than2}:cut_off" in {r.job_id for r in runs()}, runners)
    time.sleep(1.0)  # anything doubled would show by now

    found = runs()
    by_job = {r.job_id: r for r in found if r.job_id.startswith("meeting:")}
    assert sorted(r.job_id for r in found if r.job_id.startswith("meeting:")) == sorted(by_job)  # once each
    assert set(by_job) == first_three | {f"meeting:{than2}:cut_off"}
    assert {by_job[j].runner.rsplit(":", 1)[1] for j in first_three} == {str(leader.pid)}
    assert by_job[f"meeting:{than2}:cut_off"].runner.rsplit(":", 1)[1] == str(standby.pid)
    assert by_job[f"meeting:{than2}:cut_off"].messages == 1  # Tom's DM
    assert all(r.runner.endswith((f":{leader.pid}", f":{standby.pid}")) for r in found)

    check = create_engine(job_store_url(pg_url))
    with Session(check) as session:
        keys = [m.idempotency_key for m in session.exec(select(OutboxMessage)).all()]
    check.dispose()
    timeline = sorted(k for k in keys if k.startswith("timeline:"))
    assert timeline == sorted(
        [
            f"timeline:{cant1}:requests_open:1",
            f"timeline:{than2}:requests_open:1",
            f"timeline:{cant1}:cut_off:1:{people[DANIEL]}",
            f"timeline:{than2}:cut_off:1:{people[TOM]}",
        ]
    )
    holder = leader_status(pg_url)
    assert holder is not None and holder.endswith(f":{standby.pid}"), holder
