"""Turns per second, latency and CPU per turn: cosbot against a bare botbuilder echo bot and the floor.

``python bench/turns.py`` (``make bench``) starts a fake Bot Connector and, one after
another, three servers as subprocesses (see ``bench/servers.py``):

* ``cosbot``: the real app answering personal-chat ``help`` from demo-roster people
  with the menu card (roster lookup, state, dialogs, one reply);
* ``echo``: botbuilder's stock CloudAdapter + ActivityHandler echoing the text;
* ``floor``: a bare aiohttp handler doing the same JSON round trip to the connector.

Simulated users (``--users``, default 20) each send a turn, wait for the HTTP answer
(every server posts its reply to the connector before answering), and send the next.
After a warm-up, each server is measured for ``--seconds`` (or ``--turns``). Server CPU
is read inside the server process (``time.process_time``: every thread, so aiosqlite's
and msrest's worker threads count too). At the end every turn must have produced
exactly one reply of the expected shape at the connector; otherwise the run fails
(and keeps the server logs). For cosbot it also counts SQL statements, pool checkouts
and commits per turn.

This is a benchmark, not a test: nothing here asserts timings.
``--profile`` adds a sampled profile of cosbot's event-loop thread after its measurement.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import itertools
import math
import os
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
from request_scenario import AFTER_FIRST_RAISE, CYCLE, RequestUser, Step, check_reply, staff_aad_ids

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
PEOPLE_CSV = ROOT / "communities" / "demo" / "people.csv"
ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
KINDS = ("cosbot", "echo", "floor")
SCENARIOS = ("help", "request")
#: The request scenario's throughput target: cosbot's dialog turns/s against the echo bot's.
THROUGHPUT_TARGET = 4.0
TENANT = "00000000-0000-4000-8000-00000000beef"
BOT_ID = "28:00000000-0000-4000-8000-0000000000b0"
#: How long a server may take to start (cosbot migrates and imports the roster first).
START_TIMEOUT = 120.0


class BenchError(Exception):
    """The benchmark could not run or a turn went wrong; the message says what."""


# ---- the simulated users ---------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    name: str
    aad_object_id: str


@dataclass(frozen=True)
class User:
    """One simulated Teams user in a personal chat with the bot (own Teams id and conversation)."""

    index: int
    person: Person

    @property
    def teams_id(self) -> str:
        return f"29:bench-user-{self.index}"

    @property
    def conversation_id(self) -> str:
        return f"a:bench-personal-chat-{self.index}"


def demo_people() -> list[Person]:
    """The demo-roster people who have an Entra object id (so the bot finds them without a lookup)."""
    seen: dict[str, Person] = {}
    with PEOPLE_CSV.open(newline="", encoding="utf-8") as file:
        for row in csv.DictReader(file):
            aad = (row.get("aad_object_id") or "").strip()
            if aad and aad not in seen:
                seen[aad] = Person(row["name"].strip(), aad)
    if not seen:
        raise BenchError(f"no demo person with an aad_object_id in {PEOPLE_CSV}")
    return list(seen.values())


def activity(
    user: User, activity_id: str, service_url: str, text: str | None = "help", value: Any = None
) -> dict[str, Any]:
    """A personal-chat message as Teams sends it (a card's submit: no text, the value)."""
    message: dict[str, Any] = {
        "type": "message",
        "id": activity_id,
        "timestamp": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        "serviceUrl": service_url,
        "channelId": "msteams",
        "from": {"id": user.teams_id, "name": user.person.name, "aadObjectId": user.person.aad_object_id},
        "conversation": {"conversationType": "personal", "tenantId": TENANT, "id": user.conversation_id},
        "recipient": {"id": BOT_ID, "name": "CoS Bot"},
        "textFormat": "plain",
        "locale": "en-GB",
        "entities": [{"type": "clientInfo", "locale": "en-GB", "country": "GB", "platform": "Web"}],
        "channelData": {"tenant": {"id": TENANT}},
    }
    if text is not None:
        message["text"] = text
    if value is not None:
        message["value"] = value
    return message


# ---- subprocesses ----------------------------------------------------------------------------


@dataclass
class Process:
    kind: str
    proc: asyncio.subprocess.Process
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return "(no log)"
        return "\n".join(text[-lines:]) or "(empty log)"


@asynccontextmanager
async def running(kind: str, workdir: Path) -> AsyncIterator[Process]:
    """Start ``bench/servers.py KIND``, wait for ``READY <port>``, stop it (SIGTERM) afterwards."""
    log = workdir / f"{kind}.log"
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    with log.open("wb") as log_file:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            str(BENCH / "servers.py"),
            kind,
            "--workdir",
            str(workdir),
            cwd=ROOT,
            env=env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=log_file,
        )
    process = Process(kind, proc, 0, log)
    try:
        assert proc.stdout is not None
        try:
            line = await asyncio.wait_for(proc.stdout.readline(), START_TIMEOUT)
        except TimeoutError:
            raise BenchError(
                f"{kind} did not start in {START_TIMEOUT:.0f} s:\n{process.log_tail()}"
            ) from None
        words = line.decode().split()
        if len(words) != 2 or words[0] != "READY":
            raise BenchError(f"{kind} failed to start:\n{process.log_tail()}")
        process.port = int(words[1])
        yield process
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(proc.wait(), 15)
            except TimeoutError:
                proc.kill()
                await proc.wait()


# ---- driving one server ------------------------------------------------------------------------


@dataclass
class Cpu:
    process: float
    loop_thread: float
    counts: dict[str, int]


@dataclass
class Result:
    kind: str
    scenario: str = "help"
    turns: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    server_cpu: float = 0.0
    server_loop_cpu: float = 0.0
    connector_cpu: float = 0.0
    driver_cpu: float = 0.0
    #: Events the server counted during the measurement (SQL statements...).
    counts: dict[str, int] = field(default_factory=dict)
    profile: str = ""
    #: request scenario: measured latencies by step of the cycle.
    steps: dict[str, list[float]] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.turns / self.seconds if self.seconds else 0.0

    def per_turn_ms(self, seconds: float) -> float:
        return 1000.0 * seconds / self.turns if self.turns else math.nan

    def percentile_ms(self, q: float) -> float:
        if not self.latencies:
            return math.nan
        ordered = sorted(self.latencies)
        return 1000.0 * ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


class Budget:
    """Turns left in a phase: a fixed number, or until a deadline (checked before each turn)."""

    def __init__(self, *, turns: int | None = None, seconds: float | None = None) -> None:
        self.turns = turns
        self.deadline = time.perf_counter() + seconds if seconds is not None else math.inf
        self.taken = 0

    def take(self) -> bool:
        if self.turns is not None:
            if self.taken >= self.turns:
                return False
        elif time.perf_counter() >= self.deadline:
            return False
        self.taken += 1
        return True


@dataclass
class Driver:
    session: aiohttp.ClientSession
    kind: str
    bot_url: str
    service_url: str
    users: list[User]
    scenario: str = "help"
    #: Every activity id answered 2xx, across all phases: each must get exactly one reply.
    sent: list[str] = field(default_factory=list)
    #: request scenario: the step each sent activity was, i.e. the reply it must get.
    expect: dict[str, Step] = field(default_factory=dict)
    #: request scenario: where each user is in the cycle.
    states: dict[int, RequestUser] = field(default_factory=dict)
    #: request scenario: latencies by step, while ``record_steps`` is set.
    step_latencies: dict[str, list[float]] = field(default_factory=dict)
    record_steps: bool = False
    errors: list[str] = field(default_factory=list)
    error_count: int = 0
    _seq: Iterator[int] = field(default_factory=itertools.count)

    def __post_init__(self) -> None:
        # The echo bot and the floor never see a request id; they get a made-up one.
        fake_id = 0 if self.kind == "cosbot" else 1
        self.states = {user.index: RequestUser(request_id=fake_id) for user in self.users}

    def _error(self, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < 10:
            self.errors.append(message)

    async def turn(self, user: User, phase: str) -> float | None:
        if self.scenario == "request":
            return await self.request_turn(user, phase)
        activity_id = f"{self.kind}.{phase}.{user.index}.{next(self._seq)}"
        return await self.post(activity_id, activity(user, activity_id, self.service_url))

    async def request_turn(self, user: User, phase: str) -> float | None:
        """The user's next step of the cycle in ``bench/request_scenario.py``."""
        state = self.states[user.index]
        step = state.step
        activity_id = f"{self.kind}.request.{phase}.{user.index}.{next(self._seq)}"
        text, value = state.message()
        elapsed = await self.post(activity_id, activity(user, activity_id, self.service_url, text, value))
        if elapsed is None:
            state.advance()
            return None
        if self.record_steps:
            self.step_latencies.setdefault(step.name, []).append(elapsed)
        if self.kind == "cosbot" and step.name in ("raise", "new"):
            # The next submit must carry the new request's id: read it off the reply's card.
            entry = await get_json(self.session, f"{self.service_url}/__bench/reply?id={activity_id}")
            summary = entry[1] if entry else {}
            if step.name == "raise" and summary.get("section") == "type":
                # The person had no draft yet, so the request was started at once.
                step = Step("raise", "type", "I've started request")
                state.position = AFTER_FIRST_RAISE - 1
            if summary.get("section") == "type" and isinstance(summary.get("request_id"), int):
                state.request_id = summary["request_id"]
        self.expect[activity_id] = step
        state.advance()
        return elapsed

    async def post(self, activity_id: str, body: dict[str, Any]) -> float | None:
        started = time.perf_counter()
        try:
            async with self.session.post(f"{self.bot_url}/api/messages", json=body) as response:
                detail = await response.read()
                status = response.status
        except (aiohttp.ClientError, TimeoutError) as exc:
            self._error(f"{activity_id}: {type(exc).__name__}: {exc}")
            return None
        elapsed = time.perf_counter() - started
        if status not in (200, 201):
            self._error(f"{activity_id}: HTTP {status} {detail[:200]!r}")
            return None
        self.sent.append(activity_id)
        return elapsed

    async def phase(self, phase: str, budget: Budget, *, each_user_once: bool = False) -> list[float]:
        latencies: list[float] = []

        async def one_user(user: User) -> None:
            first = each_user_once
            while first or budget.take():
                first = False
                elapsed = await self.turn(user, phase)
                if elapsed is not None:
                    latencies.append(elapsed)

        await asyncio.gather(*(one_user(user) for user in self.users))
        return latencies


async def get_json(session: aiohttp.ClientSession, url: str, method: str = "GET") -> Any:
    async with session.request(method, url) as response:
        if response.status >= 400:
            raise BenchError(f"{method} {url}: HTTP {response.status}")
        return await response.json()


async def cpu_of(session: aiohttp.ClientSession, process: Process) -> Cpu:
    data = await get_json(session, f"{process.url}/__bench/cpu")
    return Cpu(float(data["process"]), float(data["loop_thread"]), dict(data.get("counts", {})))


def reply_is_expected(kind: str, summary: dict[str, Any], step: Step | None = None) -> bool:
    if step is not None:
        return check_reply(kind, step, summary) is None
    if kind == "cosbot":
        return summary.get("type") == "message" and summary.get("attachments") == [ADAPTIVE_CARD]
    return summary.get("type") == "message" and summary.get("text") == "Echo: help"


async def verify_replies(
    session: aiohttp.ClientSession, connector: Process, driver: Driver, problems: list[str]
) -> None:
    """Every turn answered 2xx got exactly one reply, of the expected shape; nothing else arrived."""
    data = await get_json(session, f"{connector.url}/__bench/replies")
    replies: dict[str, list[Any]] = data["replies"]
    kind = driver.kind
    missing = [i for i in driver.sent if i not in replies]
    doubled = [f"{i} x{replies[i][0]}" for i in driver.sent if i in replies and replies[i][0] != 1]
    wrong = [
        f"{i}: {replies[i][1]}"
        for i in driver.sent
        if i in replies and not reply_is_expected(kind, replies[i][1], driver.expect.get(i))
    ]
    extra = sorted(set(replies) - set(driver.sent))
    for label, items in (
        ("turns without a reply", missing),
        ("turns with more than one reply", doubled),
        ("replies of the wrong shape (an error path?)", wrong),
        ("replies to activities never answered 2xx", extra),
        ("unexpected connector calls", data["unexpected"]),
    ):
        if items:
            problems.append(f"{kind} ({driver.scenario}): {len(items)} {label}, e.g. {items[:3]}")
    if driver.error_count:
        problems.append(
            f"{kind} ({driver.scenario}): {driver.error_count} failed turns, e.g. {driver.errors[:3]}"
        )


async def bench_server(
    kind: str,
    args: argparse.Namespace,
    workdir: Path,
    session: aiohttp.ClientSession,
    connector: Process,
    users: dict[str, list[User]],
    problems: list[str],
) -> list[Result]:
    """Start server ``kind`` once and run each of ``args.scenarios`` against it in turn."""
    results: list[Result] = []
    print(f"  {kind}: starting...", end="", flush=True)
    async with running(kind, workdir) as server:
        for scenario in args.scenarios:
            result = await bench_scenario(
                kind, scenario, args, session, server, connector, users[scenario], problems
            )
            if result is not None:
                results.append(result)
        if server.proc.returncode is not None:
            problems.append(f"{kind} exited during the run:\n{server.log_tail()}")
    print(" done")
    return results


async def bench_scenario(
    kind: str,
    scenario: str,
    args: argparse.Namespace,
    session: aiohttp.ClientSession,
    server: Process,
    connector: Process,
    users: list[User],
    problems: list[str],
) -> Result | None:
    await get_json(session, f"{connector.url}/__bench/reset", "POST")
    result = Result(kind, scenario)
    driver = Driver(session, kind, server.url, connector.url, users, scenario)
    print(f" {scenario}: warming up...", end="", flush=True)
    if scenario == "request":
        # Each user's first turn one at a time: it may start the community's first draft of
        # the year, and two of those at once fail (both insert the sequence row in
        # communities/requests/service.py:_next_ref, one gets an IntegrityError).
        for user in users:
            await driver.turn(user, "setup")
    await driver.phase("warm", Budget(seconds=args.warmup), each_user_once=True)
    if driver.error_count:
        print(" failed", end="")
        problems.append(
            f"{kind} ({scenario}): warm-up turns failed, e.g. {driver.errors[:3]}\n{server.log_tail()}"
        )
        return None
    print(" measuring...", end="", flush=True)
    server_before = await cpu_of(session, server)
    connector_before = await cpu_of(session, connector)
    driver_before = time.process_time()
    started = time.perf_counter()
    budget = Budget(turns=args.turns) if args.turns else Budget(seconds=args.seconds)
    driver.record_steps = True
    result.latencies = await driver.phase("run", budget)
    driver.record_steps = False
    result.seconds = time.perf_counter() - started
    result.driver_cpu = time.process_time() - driver_before
    server_after = await cpu_of(session, server)
    connector_after = await cpu_of(session, connector)
    result.turns = len(result.latencies)
    result.server_cpu = server_after.process - server_before.process
    result.server_loop_cpu = server_after.loop_thread - server_before.loop_thread
    result.connector_cpu = connector_after.process - connector_before.process
    result.counts = {
        name: count - server_before.counts.get(name, 0) for name, count in server_after.counts.items()
    }
    result.steps = driver.step_latencies
    if kind in args.profile:
        print(" profiling...", end="", flush=True)
        result.profile = await profile(session, server, driver, args, result)
    known = len(problems)
    await verify_replies(session, connector, driver, problems)
    if len(problems) > known:
        problems.append(f"{kind} log, last lines:\n{server.log_tail(40)}")
    return result


async def profile(
    session: aiohttp.ClientSession, server: Process, driver: Driver, args: argparse.Namespace, result: Result
) -> str:
    """Sample the server's event-loop thread for ``--profile-seconds`` of load; a readable report."""
    spy = await start_py_spy(server, driver.scenario, args) if args.py_spy else None
    await get_json(session, f"{server.url}/__bench/profile/start", "POST")
    before = await cpu_of(session, server)
    latencies = await driver.phase("profile", Budget(seconds=args.profile_seconds))
    after = await cpu_of(session, server)
    data = await get_json(session, f"{server.url}/__bench/profile/stop?top={args.profile_top}", "POST")
    spied = await finish_py_spy(*spy) if spy else ""
    turns = len(latencies)
    busy = int(data["busy"])
    if not turns or not busy:
        return f"(profile of {server.kind}: no samples)"
    # Scale by the loop thread's CPU per turn measured without the profiler.
    loop_ms = result.per_turn_ms(result.server_loop_cpu)
    profiled_ms = 1000.0 * (after.loop_thread - before.loop_thread) / turns
    lines = [
        f"Sampled profile of {server.kind}'s event-loop thread, {driver.scenario} scenario "
        f"({args.profile_seconds:g} s, {turns} turns, "
        f"1 ms wall-clock samples): {busy} busy, {data['idle']} idle in select, {data['overhead']} in the "
        f"sampler. Loop-thread CPU/turn {profiled_ms:.2f} ms while sampled, {loop_ms:.2f} ms without; "
        f"ms/turn below = share of busy samples x {loop_ms:.2f} ms.",
    ]

    def section(title: str, rows: list[list[Any]]) -> None:
        lines.append(f"\n{title}")
        lines.append(f"{'share':>6}  {'ms/turn':>7}  function")
        for name, count in rows:
            share = count / busy
            lines.append(f"{100 * share:5.1f}%  {share * loop_ms:7.3f}  {name}")

    section("inclusive (the function and everything it calls):", data["inclusive"])
    section("own code (C calls it makes included):", data["own"])
    section("own code by line:", data["lines"])
    section("own code by package:", data["packages"][: args.profile_top])
    if spied:
        lines.append(f"\n{spied}")
    return "\n".join(lines)


async def start_py_spy(
    server: Process, scenario: str, args: argparse.Namespace
) -> tuple[asyncio.subprocess.Process, Path]:
    """py-spy records the whole server process (every thread, native frames too) meanwhile."""
    out = Path(args.py_spy) / f"{server.kind}-{scenario}.svg"
    out.parent.mkdir(parents=True, exist_ok=True)
    spy = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).with_name("py-spy")),
        "record",
        "--pid",
        str(server.proc.pid),
        "--duration",
        str(max(1, int(args.profile_seconds))),
        "--rate",
        "250",
        "--threads",
        "--output",
        str(out),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    return spy, out


async def finish_py_spy(spy: asyncio.subprocess.Process, out: Path) -> str:
    _, stderr = await spy.communicate()
    if spy.returncode != 0:
        return f"py-spy failed ({spy.returncode}): {stderr.decode(errors='replace').strip()[-300:]}"
    return f"py-spy flame graph (all threads): {out}"


# ---- report ------------------------------------------------------------------------------------


def table(results: list[Result]) -> str:
    header = (
        "scenario",
        "server",
        "turns",
        "turns/s",
        "p50 ms",
        "p99 ms",
        "CPU ms/turn",
        "loop+threads",
        "busy",
        "client ms",
        "connector ms",
    )
    rows = [header]
    for r in results:
        loop = r.per_turn_ms(r.server_loop_cpu)
        rows.append(
            (
                r.scenario,
                r.kind,
                f"{r.turns}",
                f"{r.rate:.1f}",
                f"{r.percentile_ms(0.50):.2f}",
                f"{r.percentile_ms(0.99):.2f}",
                f"{r.per_turn_ms(r.server_cpu):.3f}",
                f"{loop:.2f}+{r.per_turn_ms(r.server_cpu) - loop:.2f}",
                f"{100 * r.server_cpu / r.seconds:.0f}%" if r.seconds else "-",
                f"{r.per_turn_ms(r.driver_cpu):.3f}",
                f"{r.per_turn_ms(r.connector_cpu):.3f}",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = []
    for n, row in enumerate(rows):
        cells = [row[0].ljust(widths[0]), row[1].ljust(widths[1])] + [
            cell.rjust(width) for cell, width in zip(row[2:], widths[2:], strict=True)
        ]
        lines.append("  ".join(cells))
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def ratios(results: list[Result]) -> list[str]:
    """cosbot against the echo bot and the floor, per scenario; the request scenario's targets."""
    lines: list[str] = []
    for scenario in SCENARIOS:
        by_kind = {r.kind: r for r in results if r.turns and r.scenario == scenario}
        cosbot = by_kind.get("cosbot")
        if cosbot is None:
            continue
        for other in ("echo", "floor"):
            base = by_kind.get(other)
            if base is None:
                continue
            cpu = (
                cosbot.server_cpu / cosbot.turns / (base.server_cpu / base.turns)
                if base.server_cpu
                else math.nan
            )
            p50 = cosbot.percentile_ms(0.5) / base.percentile_ms(0.5)
            p99 = cosbot.percentile_ms(0.99) / base.percentile_ms(0.99)
            lines.append(
                f"{scenario}: cosbot/{other}: turns/s {cosbot.rate / base.rate:.2f}x, "
                f"CPU/turn {cpu:.2f}x, p50 {p50:.2f}x, p99 {p99:.2f}x"
            )
        echo = by_kind.get("echo")
        if scenario == "request" and echo is not None:
            speed = cosbot.rate / echo.rate
            ours, theirs = cosbot.percentile_ms(0.99), echo.percentile_ms(0.99)
            lines.append(
                f"request targets: turns/s >= {THROUGHPUT_TARGET:g}x echo: "
                f"{'met' if speed >= THROUGHPUT_TARGET else 'NOT met'} ({speed:.2f}x); "
                f"p99 below echo's: {'met' if ours < theirs else 'NOT met'} ({ours:.1f} vs {theirs:.1f} ms)"
            )
    return lines


def step_table(result: Result) -> str:
    """The request scenario's latency by step of the cycle."""
    lines = [f"{result.kind} request turns by step:  {'step':<14} {'turns':>6} {'p50 ms':>7} {'p99 ms':>7}"]
    pad = " " * len(f"{result.kind} request turns by step:  ")
    for step in CYCLE:
        latencies = sorted(result.steps.get(step.name, []))
        if not latencies:
            continue
        p50 = 1000 * latencies[max(0, math.ceil(0.5 * len(latencies)) - 1)]
        p99 = 1000 * latencies[max(0, math.ceil(0.99 * len(latencies)) - 1)]
        lines.append(f"{pad}{step.name:<14} {len(latencies):>6} {p50:>7.2f} {p99:>7.2f}")
    return "\n".join(lines)


# ---- main --------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark cosbot `help` turns against a botbuilder echo bot and a bare aiohttp floor."
    )
    parser.add_argument("--users", type=int, default=20, help="concurrent simulated users (default 20)")
    parser.add_argument(
        "--seconds", type=float, default=10.0, help="measured seconds per server (default 10)"
    )
    parser.add_argument("--turns", type=int, default=None, help="measure this many turns per server instead")
    parser.add_argument("--warmup", type=float, default=2.0, help="warm-up seconds per server (default 2)")
    parser.add_argument(
        "--scenario",
        choices=(*SCENARIOS, "both"),
        default="both",
        help="help: `help` turns answered with the menu; request: the request dialog's cycle "
        "(bench/request_scenario.py); default both",
    )
    parser.add_argument(
        "--servers",
        default=",".join(KINDS),
        help=f"comma-separated subset of {','.join(KINDS)} (default all)",
    )
    parser.add_argument(
        "--profile",
        nargs="?",
        const="cosbot",
        default="",
        help="after measuring, sample the event-loop thread's stacks of these servers (default cosbot)",
    )
    parser.add_argument("--profile-seconds", type=float, default=10.0, help="profiled seconds (default 10)")
    parser.add_argument(
        "--profile-top", type=int, default=30, help="functions listed per ordering (default 30)"
    )
    parser.add_argument(
        "--py-spy",
        metavar="DIR",
        default="",
        help="with --profile, also record each profiled server with py-spy into DIR/<server>-<scenario>.svg",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the server logs and database (kept on failure)"
    )
    args = parser.parse_args(argv)
    args.servers = [s.strip() for s in args.servers.split(",") if s.strip()]
    args.profile = [s.strip() for s in args.profile.split(",") if s.strip()]
    args.scenarios = list(SCENARIOS) if args.scenario == "both" else [args.scenario]
    unknown = sorted(set(args.servers + args.profile) - set(KINDS))
    if unknown:
        parser.error(f"unknown server(s): {', '.join(unknown)}; choose from {', '.join(KINDS)}")
    if args.users < 1 or (args.turns is not None and args.turns < 1) or args.seconds <= 0:
        parser.error("--users, --turns and --seconds must be positive")
    return args


async def run(args: argparse.Namespace) -> int:
    people = demo_people()
    staff_ids = staff_aad_ids(PEOPLE_CSV)
    staff = [p for p in people if p.aad_object_id in staff_ids]
    if not staff:
        raise BenchError(f"no school leader or SENCO with an aad_object_id in {PEOPLE_CSV}")
    # help: anyone on the roster; request: only those who may raise requests.
    users = {
        "help": [User(i, people[i % len(people)]) for i in range(args.users)],
        "request": [User(i, staff[i % len(staff)]) for i in range(args.users)],
    }
    measure = f"{args.turns} turns" if args.turns else f"{args.seconds:g} s"
    load = os.getloadavg()[0]
    cpus = os.cpu_count() or 1
    print(
        f"bench/turns.py: scenarios {', '.join(args.scenarios)}; {args.users} users ({len(people)} demo "
        f"people, {len(staff)} of them school staff for requests), {args.warmup:g} s warm-up + "
        f"{measure} per server and scenario, {cpus} CPUs (load {load:.1f}), Python {sys.version.split()[0]}"
    )
    if load > cpus / 2:
        print("  note: the machine is busy; turns/s and latency will be low and noisy, CPU ms/turn less so")
    problems: list[str] = []
    results: list[Result] = []
    workdir = Path(tempfile.mkdtemp(prefix="cosbot-bench-"))
    try:
        limits = aiohttp.TCPConnector(limit=args.users + 10)
        timeout = aiohttp.ClientTimeout(total=60)
        async with (
            aiohttp.ClientSession(connector=limits, timeout=timeout) as session,
            running("connector", workdir) as connector,
        ):
            for kind in args.servers:
                try:
                    results += await bench_server(kind, args, workdir, session, connector, users, problems)
                except BenchError as error:
                    print(" failed")
                    problems.append(str(error))
    except BenchError as error:  # the connector did not start
        problems.append(str(error))
    finally:
        if problems:
            problems.append(f"server logs and the database are kept in {workdir}")
        elif args.keep:
            print(f"server logs and the database are in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    print()
    if results:
        print(table(results))
        print()
        for line in ratios(results):
            print(line)
        for r in results:
            if r.counts and r.turns:
                per_turn = ", ".join(f"{n / r.turns:.1f} {name}" for name, n in sorted(r.counts.items()))
                print(f"{r.kind} ({r.scenario}) per turn: {per_turn}")
        for r in results:
            if r.kind == "cosbot" and r.steps:
                print(step_table(r))
        print(
            "CPU ms/turn: server process, all threads; loop+threads splits it into the event-loop thread "
            "and worker threads (aiosqlite, executors). busy: server CPU / wall time (100% = one core). "
            "client/connector: the benchmark's own CPU per turn."
        )
    for result in results:
        if result.profile:
            print()
            print(result.profile)
    if problems:
        print("\nFAILED:", file=sys.stderr)
        for problem in problems:
            print(f"- {problem}", file=sys.stderr)
        return 1
    total = sum(r.turns for r in results)
    print(f"\nOK: every turn got exactly one reply of the expected shape ({total} measured turns).")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        return asyncio.run(run(args))
    except BenchError as error:
        print(f"bench/turns.py: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
