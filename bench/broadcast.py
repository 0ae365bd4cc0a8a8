"""A broadcast of meeting dates to 1,000 channels: messages/s against what Teams' limits allow.

``python bench/broadcast.py`` (``make bench``):

1. creates a SQLite database in a temp directory (migrated with ``bot.migrate.upgrade``)
   holding ``--channels`` communities, each with a meeting and a linked channel in a team
   the app is installed in;
2. starts the test suite's fake Bot Connector (``tests/support/fake_connector.py``) in a
   subprocess of its own (this file with ``--serve-connector``). It enforces Teams' published
   limits (50 requests/s per app, 7/s, 8/2 s, 60/30 s and 1800/h per thread: a breach is
   answered 429 and recorded as a violation) and answers a random ``--fault-rate`` of the
   requests with a fault instead: half 429 with ``Retry-After: 1``, half 500/502/503/504;
3. broadcasts through the real path: :func:`communities.broadcasts.service.plan` and
   :func:`~communities.broadcasts.service.start` queue one card per channel in the outbox, and the
   real :class:`bot.outbox.sender.OutboxSender`, built as ``bot/app.py`` builds it, delivers
   them to the fake connector over HTTP;
4. waits until the broadcast's delivery report is settled (no card pending) and prints what
   arrived at the connector: lost cards (a channel with none), duplicates (a channel with more
   than one), cards in the wrong channel, the faults injected and the retries they caused.

The sender runs at ``--rate`` (default 50: ``OUTBOX_RATE_PER_SECOND``'s maximum; the service's
default is 20, which caps a broadcast at 0.4 of the bound) with every other option as
``bot/app.py`` leaves it. The fake answers after ``--latency`` (default 5 ms, the test fake's;
Teams takes longer, and ``--latency 0.3`` shows what ``max_in_flight`` does then).

The limit-bound rate: Teams allows 50 requests a second per app, and a faulted request counts
against that like any other. A run that made R requests (first attempts and retries, as the
connector counted them) cannot finish in less than R / 50 s, so the bound is
``cards / (R / 50)`` messages a second and the achieved fraction is ``(R / 50) / elapsed``,
where elapsed runs from the commit that queues the cards to the moment the report is settled.
The target is 0.97. The per-thread limits do not bind here (one card per channel), but a
request answered 429 may not be retried before its Retry-After, and the sender backs off before
retrying a 5xx: what is left after the last channel's first request is retries only, and the
report shows that tail apart ("while first attempts went": the request rate until then).

It exits non-zero when a card was lost, duplicated or posted in another community's channel:
never for speed. Breaches of Teams' limits that the connector saw are reported, not failed on
(its arrival times are taken when its handler runs, so a loaded machine can bunch them up).
This is a benchmark, not a timed test. ``--profile`` adds a sampled profile of the event loop
that runs the sender.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import math
import os
import random
import shutil
import signal
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
if str(ROOT) not in sys.path:  # tests.support.fake_connector
    sys.path.insert(0, str(ROOT))

from tests.support.fake_connector import FakeConnector, Fault  # noqa: E402
from tests.support.linked_channels import MEETING_DAY, Channel, seed_linked_communities  # noqa: E402

#: Teams' per-app rate (MicrosoftDocs msteams-docs bots/how-to/rate-limit.md).
APP_RATE = 50.0
TARGET = 0.97
#: The faults injected, besides 429: statuses the sender retries.
SERVER_ERRORS = (500, 502, 503, 504)
START_TIMEOUT = 60.0


class BenchError(Exception):
    """The benchmark could not run; the message says why."""


# ---- the fake connector, in its own process ---------------------------------------------------


class FaultyConnector(FakeConnector):
    """The test suite's fake, answering a random share of the requests with 429 or a 5xx.

    A fault is drawn only for a request the fake would otherwise accept (its own 429s for a
    breach of the limits come first), so ``fault_rate`` is the share of accepted requests.
    """

    def __init__(
        self, *, fault_rate: float, throttle_share: float, retry_after: float, seed: int, latency: float
    ) -> None:
        super().__init__(latency=latency)
        self.fault_rate = fault_rate
        self.throttle_share = throttle_share
        self.retry_after = retry_after
        self.injected: Counter[int] = Counter()
        self._rng = random.Random(seed)

    def _next_fault(self, conversation_id: str) -> Fault:
        scripted = super()._next_fault(conversation_id)
        if scripted != Fault() or self._rng.random() >= self.fault_rate:
            return scripted
        if self._rng.random() < self.throttle_share:
            self.injected[429] += 1
            return Fault.throttle(self.retry_after)
        status = self._rng.choice(SERVER_ERRORS)
        self.injected[status] += 1
        return Fault.error(status)

    def summary(self) -> dict[str, Any]:
        """What reached the connector, as plain JSON for the parent process."""
        cards: dict[str, list[str]] = defaultdict(list)
        for message in self.activities():
            channel = message.conversation_id.split(";messageid=")[0]
            cards[channel].append(str(message.activity.get("summary") or message.text or ""))
        return {
            "cards": cards,
            "requests": [
                {
                    "conversation": r.conversation_id,
                    "operation": r.operation,
                    "status": r.status,
                    "arrived": r.arrived_at,
                    "answered": r.answered_at,
                }
                for r in self.requests
            ],
            "injected": {str(status): n for status, n in self.injected.items()},
            "violations": [f"{v.kind} on {v.thread}: {v.detail}" for v in self.violations],
            "peak_concurrency": self.peak_concurrency(),
        }


async def serve_connector(args: argparse.Namespace) -> dict[str, Any]:
    """Run the faulty fake, print ``READY <serviceUrl>``; on SIGTERM stop and return its summary."""
    fake = FaultyConnector(
        fault_rate=args.fault_rate,
        throttle_share=args.throttle_share,
        retry_after=args.retry_after,
        seed=args.seed,
        latency=args.latency,
    )
    await fake.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print(f"READY {fake.url}", flush=True)
    try:
        await stop.wait()
    finally:
        await fake.close()
    return fake.summary()


@dataclass
class ConnectorProcess:
    proc: asyncio.subprocess.Process
    url: str
    summary: Path
    log: Path

    async def stop(self) -> dict[str, Any]:
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.proc.wait(), 30)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()
                raise BenchError(f"the fake connector did not stop; see {self.log}") from None
        try:
            data: dict[str, Any] = json.loads(self.summary.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise BenchError(f"the fake connector left no summary ({exc}); see {self.log}") from exc
        return data


async def start_connector(args: argparse.Namespace, workdir: Path) -> ConnectorProcess:
    summary, log = workdir / "connector.json", workdir / "connector.log"
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    with log.open("wb") as log_file:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            str(BENCH / "broadcast.py"),
            "--serve-connector",
            "--summary",
            str(summary),
            "--fault-rate",
            str(args.fault_rate),
            "--throttle-share",
            str(args.throttle_share),
            "--retry-after",
            str(args.retry_after),
            "--latency",
            str(args.latency),
            "--seed",
            str(args.seed),
            cwd=ROOT,
            env=env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=log_file,
        )
    assert proc.stdout is not None
    try:
        line = await asyncio.wait_for(proc.stdout.readline(), START_TIMEOUT)
    except TimeoutError:
        proc.kill()
        raise BenchError(f"the fake connector did not start in {START_TIMEOUT:.0f} s; see {log}") from None
    words = line.decode().split()
    if len(words) != 2 or words[0] != "READY":
        raise BenchError(f"the fake connector failed to start: {log.read_text(errors='replace')[-2000:]}")
    return ConnectorProcess(proc, words[1], summary, log)


# ---- the database -------------------------------------------------------------------------------

# ---- the broadcast ------------------------------------------------------------------------------


@dataclass
class Run:
    channels: list[Channel]
    plan_seconds: float = 0.0
    queue_seconds: float = 0.0
    #: From the commit that queued the cards to the report being settled.
    elapsed: float = 0.0
    #: time.monotonic() at that commit (the connector's clock is the same one).
    committed_at: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    attempts: int = 0
    rows: int = 0
    #: CPU seconds of this process (the sender, every thread) from the commit to settled.
    cpu: float = 0.0
    profile: str = ""


async def broadcast(args: argparse.Namespace, url: str, service_url: str) -> Run:
    import aiohttp
    from sqlalchemy import func
    from sqlmodel import col, select

    from bot.cli.broadcast import start_without_officer
    from bot.outbox.sender import OutboxSender
    from bot.teams.connector import BotConnector, NoTokens
    from communities.broadcasts import report as broadcast_report
    from communities.broadcasts import service as broadcasts
    from communities.clock import SystemClock
    from communities.db import Database
    from communities.messaging.outbox import Outbox, OutboxMessage, OutboxStatus

    clock = SystemClock()
    database = Database(url)
    try:
        channels = await seed_linked_communities(database, service_url, args.channels)
        run = Run(channels)
        selection = broadcasts.Selection(first=MEETING_DAY - timedelta(days=7), last=MEETING_DAY)
        # As bot/app.py builds it; the rate is the configurable one (OUTBOX_RATE_PER_SECOND).
        async with aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=30, connect=10),
            connector=aiohttp.TCPConnector(limit=100, limit_per_host=50),
        ) as session:
            sender = OutboxSender(
                database,
                BotConnector(session, NoTokens()),
                clock,
                rate_per_second=args.rate,
                max_attempts=args.max_attempts,
            )
            outbox = Outbox(clock)
            outbox.wake_listeners.append(sender.wake)
            await sender.start()
            sampler: Any = None
            try:
                planning = time.monotonic()
                async with database.session() as db:
                    planned, empty = await broadcasts.plan(
                        db, clock, selection, feed_base_url="https://cosbot.example.org", bot_name="CoS Bot"
                    )
                if empty or len(planned) != len(channels) or any(p.problem for p in planned):
                    raise BenchError(f"the plan is not one card per channel: {empty or planned[:3]}")
                queued = time.monotonic()
                run.plan_seconds = queued - planning
                async with database.session() as db:
                    record = await start_without_officer(db, clock, outbox, selection, planned)
                    await db.commit()
                assert record.id is not None
                run.committed_at = time.monotonic()
                run.queue_seconds = run.committed_at - queued
                cpu = time.process_time()
                sampler = _sampler() if args.profile else None
                outbox.wake()
                batch = f"broadcast:{record.id}"
                # Settled means no card pending. The outbox's count says so in one indexed query;
                # the report (a join over every target) is read once at the end, since polling it
                # would compete with the sender for SQLite's single connection.
                pending = (
                    select(func.count())
                    .select_from(OutboxMessage)
                    .where(OutboxMessage.batch_key == batch, OutboxMessage.status == OutboxStatus.PENDING)
                )
                deadline = run.committed_at + args.timeout
                while True:
                    async with database.session() as db:
                        if (await db.exec(pending)).one() == 0:
                            break
                    if time.monotonic() > deadline:
                        raise BenchError(f"the broadcast was not settled within {args.timeout:g} s")
                    await asyncio.sleep(0.05)
                run.elapsed = time.monotonic() - run.committed_at
                run.cpu = time.process_time() - cpu
            finally:
                if sampler is not None:
                    sampler.stop()
                    run.profile = _profile_text(sampler, args.profile_top)
                await sender.stop()
        async with database.session() as db:
            report = await broadcast_report.report(db, record.id)
            rows = (await db.exec(select(OutboxMessage).where(col(OutboxMessage.batch_key) == batch))).all()
        if not report.settled:
            raise BenchError("the report is not settled after the outbox said so")
        run.counts = {d.value: report.count(d) for d in broadcast_report.Delivery if report.count(d)}
        run.failures = [f"{line.code}: {line.reason}" for line in report.lines if line.reason]
        run.rows = len(rows)
        run.attempts = sum(row.attempts for row in rows)
        return run
    finally:
        await database.dispose()


def _sampler() -> Any:
    sys.path.insert(0, str(BENCH))
    from servers import StackSampler

    sampler = StackSampler()
    sampler.start()
    return sampler


def _profile_text(sampler: Any, top: int) -> str:
    data = sampler.report(top)
    busy = int(data["busy"])
    total = busy + int(data["idle"])
    if not busy:
        return "(profile: no busy samples)"
    lines = [
        f"Sampled profile of the event loop running the sender (1 ms samples): {busy} busy, "
        f"{data['idle']} idle in select ({100 * busy / max(1, total):.0f}% busy), "
        f"{data['overhead']} in the sampler."
    ]
    for title, rows in (
        ("inclusive (the function and everything it calls):", data["inclusive"]),
        ("own code:", data["own"]),
        ("by package:", data["packages"][:top]),
    ):
        lines.append(f"\n{title}\n{'share':>6}  function")
        lines += [f"{100 * count / busy:5.1f}%  {name}" for name, count in rows]
    return "\n".join(lines)


# ---- the report --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Observed:
    lost: list[str]
    duplicated: dict[str, int]
    misplaced: list[str]
    cards: int
    requests: int
    accepted: int
    statuses: Counter[int]
    injected: Counter[int]
    violations: list[str]
    peak_concurrency: int
    first_request: float
    last_card: float
    #: Arrival time (monotonic) of every request, sorted.
    arrivals: list[float]
    card_times: list[float]
    #: When the last channel's first request arrived: after it, only retries were left.
    last_first_attempt: float
    #: (arrival, status) of every request for the channel whose card came last.
    last_chain: list[tuple[float, int]]


def observe(channels: list[Channel], summary: dict[str, Any]) -> Observed:
    cards: dict[str, list[str]] = summary["cards"]
    lost: list[str] = []
    duplicated: dict[str, int] = {}
    misplaced: list[str] = []
    for channel in channels:
        got = cards.get(channel.channel_id, [])
        if not got:
            lost.append(channel.code)
        elif len(got) > 1:
            duplicated[channel.code] = len(got)
        if any(text != f"Meeting dates for {channel.name}" for text in got):
            misplaced.append(channel.code)
    known = {channel.channel_id for channel in channels}
    misplaced += [f"unknown channel {c}" for c in cards if c not in known]
    requests = summary["requests"]
    sends = [r for r in requests if r["operation"] == "create_conversation"]
    statuses = Counter(int(r["status"]) for r in sends)
    arrivals = sorted(float(r["arrived"]) for r in sends)
    firsts: dict[str, float] = {}
    by_channel: dict[str, list[tuple[float, int]]] = defaultdict(list)
    for r in sends:
        firsts[r["conversation"]] = min(float(r["arrived"]), firsts.get(r["conversation"], math.inf))
        by_channel[r["conversation"]].append((float(r["arrived"]), int(r["status"])))
    last = max(
        (r for r in sends if 200 <= int(r["status"]) < 300), key=lambda r: float(r["answered"]), default=None
    )
    card_times = sorted(float(r["answered"]) for r in sends if 200 <= int(r["status"]) < 300)
    return Observed(
        lost=lost,
        duplicated=duplicated,
        misplaced=misplaced,
        cards=sum(len(v) for v in cards.values()),
        requests=len(requests),
        accepted=len(sends),
        statuses=statuses,
        injected=Counter({int(k): int(v) for k, v in summary["injected"].items()}),
        violations=list(summary["violations"]),
        peak_concurrency=int(summary["peak_concurrency"]),
        first_request=arrivals[0] if arrivals else math.nan,
        last_card=card_times[-1] if card_times else math.nan,
        arrivals=arrivals,
        card_times=card_times,
        last_first_attempt=max(firsts.values(), default=math.nan),
        last_chain=sorted(by_channel[last["conversation"]]) if last else [],
    )


def _at(times: list[float], share: float) -> float:
    return times[max(0, math.ceil(share * len(times)) - 1)] if times else math.nan


def print_report(args: argparse.Namespace, run: Run, seen: Observed) -> None:
    delivered = run.counts.get("sent", 0) + run.counts.get("updated", 0)
    requests = seen.requests
    bound_seconds = requests / APP_RATE
    bound_rate = delivered / bound_seconds if bound_seconds else math.nan
    achieved = delivered / run.elapsed if run.elapsed else math.nan
    fraction = bound_seconds / run.elapsed if run.elapsed else math.nan
    injected = sum(seen.injected.values())
    throttled = seen.injected[429]
    server_errors = injected - throttled
    teams_429 = seen.statuses[429] - throttled
    t0 = run.committed_at
    width = 28

    def line(label: str, value: str) -> None:
        print(f"  {label:<{width}} {value}")

    print()
    print(f"Broadcast of meeting dates to {len(run.channels):,} channels")
    line("messages delivered", f"{delivered:,} of {len(run.channels):,} (report: {_counts(run.counts)})")
    line(
        "elapsed",
        f"{run.elapsed:.2f} s from the commit to a settled report (before it, not counted: the preview's "
        f"plan took {run.plan_seconds:.2f} s, queueing the cards {run.queue_seconds:.2f} s)",
    )
    line("achieved", f"{achieved:.1f} messages/s")
    line(
        "limit-bound rate",
        f"{bound_rate:.1f} messages/s: {requests:,} requests at Teams' {APP_RATE:g}/s per app "
        f"take at least {bound_seconds:.2f} s",
    )
    verdict = "met" if fraction >= TARGET else "NOT met"
    line("achieved fraction", f"{fraction:.3f} of the limit-bound rate (target >= {TARGET}: {verdict})")
    line("lost", f"{len(seen.lost)} (channels with no card){_some(seen.lost)}")
    line(
        "duplicated",
        f"{len(seen.duplicated)} (channels with more than one card){_some(list(seen.duplicated))}",
    )
    if seen.misplaced:
        line("wrong card", f"{len(seen.misplaced)} channels{_some(seen.misplaced)}")
    line(
        "faults injected",
        f"{injected} of {seen.accepted:,} requests ({100 * injected / max(1, seen.accepted):.1f}%): "
        f"{throttled} x 429 (Retry-After {args.retry_after:g} s), {server_errors} x 5xx "
        f"({', '.join(f'{n} x {s}' for s, n in sorted(seen.injected.items()) if s != 429) or 'none'})",
    )
    line(
        "retries",
        f"{seen.accepted - seen.cards} (requests beyond one per card, at the connector); "
        f"the outbox rows record {run.attempts - run.rows} retries in {run.attempts:,} attempts",
    )
    line("Teams' own 429s", f"{teams_429} (requests over a limit; 0 is right)")
    line(
        "violations",
        f"{len(seen.violations)} of Teams' rules seen by the connector"
        + (f" (reported, not a failure: {seen.violations[0]})" if seen.violations else ""),
    )
    if run.failures:
        line("report reasons", "; ".join(run.failures[:5]))
    tail = t0 + run.elapsed - seen.last_first_attempt
    line(
        "timeline (from the commit)",
        f"first request +{seen.first_request - t0:.2f} s; cards 50% +{_at(seen.card_times, 0.5) - t0:.2f} s, "
        f"90% +{_at(seen.card_times, 0.9) - t0:.2f} s, 99% +{_at(seen.card_times, 0.99) - t0:.2f} s, "
        f"last +{seen.last_card - t0:.2f} s; settled +{run.elapsed:.2f} s",
    )
    steady = [t for t in seen.arrivals if t <= seen.last_first_attempt]
    span = seen.last_first_attempt - seen.first_request
    line(
        "while first attempts went",
        f"{len(steady) / span if span > 0 else math.nan:.1f} requests/s "
        f"({len(steady) / span / APP_RATE if span > 0 else math.nan:.3f} of {APP_RATE:g}/s) from the first "
        f"request to the last channel's first one (+{seen.last_first_attempt - t0:.2f} s); "
        f"then {tail:.2f} s of retries only",
    )
    chain = ", ".join(f"{status} at +{at - t0:.2f} s" for at, status in seen.last_chain)
    line("the last card's requests", chain or "none")
    line(
        "request rate",
        f"busiest 1 s window {_busiest_second(seen.arrivals)} requests; "
        f"peak concurrency at the connector {seen.peak_concurrency}",
    )
    line("requests per second", _per_second(seen.arrivals, t0))
    line(
        "sender",
        f"OutboxSender(rate_per_second={args.rate:g}) as bot/app.py builds it (OUTBOX_RATE_PER_SECOND; "
        f"the service's default is 20); fake connector latency {1000 * args.latency:g} ms",
    )
    line(
        "sender CPU",
        f"{run.cpu:.1f} s ({100 * run.cpu / run.elapsed:.0f}% of one core; every thread of this process); "
        f"load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs",
    )


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{n:,} {name}" for name, n in counts.items()) or "nothing"


def _some(items: list[str]) -> str:
    return f": {', '.join(items[:8])}{' ...' if len(items) > 8 else ''}" if items else ""


def _busiest_second(times: list[float]) -> int:
    best = start = 0
    for end, at in enumerate(times):
        while at - times[start] >= 1.0:
            start += 1
        best = max(best, end - start + 1)
    return best


def _per_second(times: list[float], t0: float) -> str:
    """Requests in each second from the commit (averaged over a few seconds in a long run)."""
    if not times:
        return "none"
    step = max(1, math.ceil((times[-1] - t0) / 60))
    buckets: Counter[int] = Counter(int((t - t0) // step) for t in times)
    rates = " ".join(f"{buckets[b] / step:.0f}" for b in range(max(buckets) + 1))
    return rates if step == 1 else f"(per second, averaged over {step} s) {rates}"


# ---- main --------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Broadcast meeting dates to many channels through the outbox and a faulty fake "
        "Bot Connector; messages/s against Teams' limits, lost and duplicated cards."
    )
    parser.add_argument("--channels", type=int, default=1000, help="community channels (default 1000)")
    parser.add_argument(
        "--fault-rate", type=float, default=0.1, help="share of requests answered 429/5xx (default 0.1)"
    )
    parser.add_argument("--seed", type=int, default=1, help="seed for the faults (default 1)")
    parser.add_argument(
        "--throttle-share", type=float, default=0.5, help="share of the faults that are 429 (default 0.5)"
    )
    parser.add_argument(
        "--retry-after", type=float, default=1.0, help="Retry-After of an injected 429, s (default 1)"
    )
    parser.add_argument(
        "--latency", type=float, default=0.005, help="the fake connector's answer time, s (default 0.005)"
    )
    parser.add_argument(
        "--rate",
        type=float,
        default=APP_RATE,
        help="the sender's rate_per_second (OUTBOX_RATE_PER_SECOND, at most 50; default 50)",
    )
    parser.add_argument("--max-attempts", type=int, default=8, help="OUTBOX_MAX_ATTEMPTS (default 8)")
    parser.add_argument(
        "--timeout", type=float, default=600.0, help="give up after this many s (default 600)"
    )
    parser.add_argument("--profile", action="store_true", help="sample the sender's event loop meanwhile")
    parser.add_argument("--profile-top", type=int, default=25, help="functions listed (default 25)")
    parser.add_argument("--keep", action="store_true", help="keep the database and the connector's log")
    parser.add_argument("--serve-connector", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--summary", default="", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.channels < 1 or not 0 <= args.fault_rate < 1 or not 0 < args.rate <= APP_RATE:
        parser.error("--channels must be positive, --fault-rate in [0, 1), --rate in (0, 50]")
    return args


async def run(args: argparse.Namespace) -> int:
    from bot.migrate import upgrade

    workdir = Path(tempfile.mkdtemp(prefix="cosbot-bench-broadcast-"))
    # The sender logs every retry: to a file, not over the report.
    logging.basicConfig(
        filename=workdir / "sender.log",
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    url = f"sqlite+aiosqlite:///{workdir / 'broadcast.db'}"
    print(
        f"bench/broadcast.py: {args.channels:,} channels, {100 * args.fault_rate:g}% faults "
        f"({100 * args.throttle_share:g}% of them 429), seed {args.seed}, sender at {args.rate:g}/s, "
        f"{os.cpu_count()} CPUs (load {os.getloadavg()[0]:.1f}), Python {sys.version.split()[0]}"
    )
    problems: list[str] = []
    try:
        await asyncio.to_thread(upgrade, url)
        connector = await start_connector(args, workdir)
        try:
            result = await broadcast(args, url, connector.url)
        finally:
            summary = await connector.stop()
        seen = observe(result.channels, summary)
        print_report(args, result, seen)
        if seen.lost:
            problems.append(f"{len(seen.lost)} channel(s) got no card")
        if seen.duplicated:
            problems.append(f"{len(seen.duplicated)} channel(s) got more than one card")
        if seen.misplaced:
            problems.append(f"{len(seen.misplaced)} channel(s) got a card that is not theirs")
        if result.profile:
            print()
            print(result.profile)
    except BenchError as error:
        problems.append(str(error))
    finally:
        if problems or args.keep:
            print(f"\nthe database and the logs (sender, connector) are in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    if problems:
        print("\nFAILED:", file=sys.stderr)
        for problem in problems:
            print(f"- {problem}", file=sys.stderr)
        return 1
    print("\nOK: every channel got exactly one card, its own (speed is reported, never a failure).")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.serve_connector:
        summary = asyncio.run(serve_connector(args))
        Path(args.summary).write_text(json.dumps(summary), encoding="utf-8")
        return 0
    return asyncio.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
