"""Memory of the bot service: its RSS once started and idle, and whether it grows over many turns.

``python bench/memory.py`` (``make bench``) starts the fake Bot Connector and the real app
(``bench/servers.py cosbot``: :func:`bot.app.create_app` on a migrated SQLite with the demo
roster, as ``bench/turns.py`` does), waits until it is idle, and reads its resident set size
(``VmRSS`` in ``/proc/<pid>/status``). Then ``--users`` simulated users drive ``--turns`` turns
of the request dialog (``bench/request_scenario.py``: raising, answering, editing, cancelling,
continuing) in ``--chunks`` equal parts, reading the RSS after each. Every turn must get
exactly one reply of the expected shape, or the run fails.

Targets (issue 16): at most 150 MB idle after start-up, and no growth over 10,000 turns. The
first chunk fills caches (SQLAlchemy's statement cache, botbuilder's, the allocator's arenas),
so growth is measured from the end of the first chunk to the end of the last. This is a
benchmark, not a test: it reports, and fails only when a turn went wrong.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import tempfile
from pathlib import Path

import aiohttp
from request_scenario import staff_aad_ids
from turns import PEOPLE_CSV, BenchError, Budget, Driver, User, demo_people, get_json, running, verify_replies

IDLE_TARGET_MB = 150.0
#: What counts as "does not grow": allocator noise stays well below this over the run.
GROWTH_TARGET_MB = 5.0


def rss_mb(pid: int) -> float:
    """The process's resident set size in MB (Linux ``/proc``)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise BenchError(f"no VmRSS for process {pid}")


async def run(args: argparse.Namespace) -> int:
    staff_ids = staff_aad_ids(PEOPLE_CSV)
    staff = [p for p in demo_people() if p.aad_object_id in staff_ids]
    users = [User(i, staff[i % len(staff)]) for i in range(args.users)]
    per_chunk = max(1, args.turns // args.chunks)
    print(
        f"bench/memory.py: the bot service's RSS idle, then over {per_chunk * args.chunks:,} request-dialog "
        f"turns by {args.users} users in {args.chunks} parts; {os.cpu_count()} CPUs, "
        f"Python {sys.version.split()[0]}"
    )
    problems: list[str] = []
    readings: list[tuple[str, float]] = []
    workdir = Path(tempfile.mkdtemp(prefix="cosbot-memory-"))
    try:
        timeout = aiohttp.ClientTimeout(total=60)
        async with (
            aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=args.users + 10), timeout=timeout
            ) as session,
            running("connector", workdir) as connector,
            running("cosbot", workdir) as server,
        ):
            await asyncio.sleep(args.settle)  # start-up's background work (scheduler rebuild, sweeps) ends
            readings.append(("idle after start-up", rss_mb(server.proc.pid)))
            await get_json(session, f"{connector.url}/__bench/reset", "POST")
            driver = Driver(session, "cosbot", server.url, connector.url, users, "request")
            for user in users:  # one at a time: the first draft of the year creates the sequence row
                await driver.turn(user, "setup")
            for n in range(1, args.chunks + 1):
                await driver.phase(f"chunk{n}", Budget(turns=per_chunk))
                readings.append((f"after {n * per_chunk:,} turns", rss_mb(server.proc.pid)))
            await verify_replies(session, connector, driver, problems)
            if server.proc.returncode is not None:
                problems.append(f"the service exited during the run:\n{server.log_tail()}")
    finally:
        if problems:
            problems.append(f"server logs and the database are kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    print()
    for label, mb in readings:
        print(f"  {label:<28} {mb:7.1f} MB")
    if len(readings) >= 3:
        idle = readings[0][1]
        growth = readings[-1][1] - readings[1][1]
        met = "met" if idle <= IDLE_TARGET_MB else "NOT met"
        print(f"  idle RSS                     {idle:.1f} MB (target <= {IDLE_TARGET_MB:g} MB: {met})")
        met = "met" if growth <= GROWTH_TARGET_MB else "NOT met"
        print(
            f"  growth after the first part  {growth:+.1f} MB over {(len(readings) - 2) * per_chunk:,} turns "
            f"(target: none, below {GROWTH_TARGET_MB:g} MB of allocator noise: {met})"
        )
    if problems:
        print("\nFAILED:", file=sys.stderr)
        for problem in problems:
            print(f"- {problem}", file=sys.stderr)
        return 1
    print(f"\nOK: every turn got exactly one reply of the expected shape ({len(driver.sent):,} turns).")
    return 0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="The bot service's RSS idle and over many turns.")
    parser.add_argument("--turns", type=int, default=10_000, help="turns in all (default 10,000)")
    parser.add_argument("--chunks", type=int, default=5, help="parts, with a reading after each (default 5)")
    parser.add_argument("--users", type=int, default=20, help="concurrent simulated users (default 20)")
    parser.add_argument("--settle", type=float, default=3.0, help="idle seconds before the first reading")
    args = parser.parse_args(argv)
    if args.turns < 1 or args.chunks < 2 or args.users < 1 or args.settle < 0:
        parser.error("--turns and --users must be positive, --chunks at least 2, --settle not negative")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        return asyncio.run(run(args))
    except BenchError as error:
        print(f"bench/memory.py: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
