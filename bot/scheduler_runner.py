"""``python -m bot.scheduler_runner``: the scheduler as a process of its own.

It reads the bot's settings (``DATABASE_URL``, ``TIMEZONE``, ``MicrosoftAppId``...) and runs a
:class:`~scheduler.service.SchedulerService`, built by :func:`compose` as ``cosbot serve`` builds its
own (so it sends the same messages), until SIGTERM or Ctrl-C. On PostgreSQL several may
run (or run inside every ``cosbot serve`` replica): the advisory lock makes one the leader. The
messages it queues are delivered by the bot's outbox sender (any replica's: it polls the outbox).
It expects the schema to be migrated (``cosbot db upgrade``).

It writes one line to stdout when it starts and whenever it becomes the leader or stands by:
``scheduler <host:pid>: standby`` / ``scheduler <host:pid>: leader``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Sequence
from datetime import timedelta

from bot.config import ConfigError, Settings
from communities.clock import Clock, SystemClock
from communities.db import Database
from communities.messaging.outbox import Outbox
from scheduler.service import DEFAULT_LOCK_RETRY, DEFAULT_SWEEP, SchedulerService


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def compose(
    settings: Settings,
    clock: Clock,
    *,
    lock_retry: timedelta = DEFAULT_LOCK_RETRY,
    sweep_every: timedelta = DEFAULT_SWEEP,
    timer: bool = True,
) -> tuple[Database, SchedulerService]:
    """This process's database and scheduler, built as ``cosbot serve`` builds its own
    (:meth:`SchedulerService.from_settings`). ``timer=False`` (tests): jobs run on ``run_due``."""
    database = Database(settings.database_url)
    service = SchedulerService.from_settings(
        settings, database, clock, Outbox(clock), lock_retry=lock_retry, sweep_every=sweep_every, timer=timer
    )
    return database, service


async def run(settings: Settings, lock_retry: float, sweep: float) -> None:
    database, service = compose(
        settings,
        SystemClock(),
        lock_retry=timedelta(seconds=lock_retry),
        sweep_every=timedelta(seconds=sweep),
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await service.start()
    name = service.runtime.runner
    leading: bool | None = None
    try:
        while not stop.is_set():
            if service.is_leader != leading:
                leading = service.is_leader
                _say(f"scheduler {name}: {'leader' if leading else 'standby'}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 0.1)
    finally:
        await service.stop()
        await database.dispose()
        _say(f"scheduler {name}: stopped")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot.scheduler_runner", description="Run the meeting timeline's scheduler."
    )
    parser.add_argument(
        "--lock-retry",
        type=float,
        default=DEFAULT_LOCK_RETRY.total_seconds(),
        help="seconds between tries for the leader lock (and checks of it while leading)",
    )
    parser.add_argument(
        "--sweep",
        type=float,
        default=DEFAULT_SWEEP.total_seconds(),
        help="seconds between sweeps (every job derived again)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )
    for quiet in ("aiosqlite", "sqlalchemy.engine", "psycopg"):  # they log statement parameters
        logging.getLogger(quiet).setLevel(logging.WARNING)
    try:
        settings = Settings.from_env()
    except ConfigError as error:
        sys.stderr.write(f"scheduler: error: {error}\n")
        return 2
    asyncio.run(run(settings, args.lock_retry, args.sweep))
    return 0


if __name__ == "__main__":
    sys.exit(main())
