"""The processes ``bench/turns.py`` measures, one per subprocess.

``python bench/servers.py KIND [--workdir DIR]`` listens on a free
loopback port, prints ``READY <port>`` on stdout and serves until SIGTERM. KIND is

* ``connector``: a fake Bot Connector that answers replies at once and records them
  (no rate limits, unlike the test fake: a benchmark must not be throttled);
* ``cosbot``: the real app from :func:`bot.app.create_app`, on a migrated SQLite
  database holding the demo roster;
* ``echo``: a stock botbuilder ``CloudAdapter`` + ``ActivityHandler`` echo bot;
* ``floor``: a bare aiohttp handler doing the same JSON round trip with one shared
  ``ClientSession``.

Every kind also answers ``GET /__bench/cpu`` (process and event-loop-thread CPU
seconds), ``POST /__bench/profile/{start,stop}`` (a sampled profile of the loop thread)
and ``GET /__bench/tasks`` (every task's and thread's stack, for a stuck server).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import logging
import os
import signal
import sys
import sysconfig
import time
import traceback
from collections import Counter
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from types import CodeType, FrameType
from typing import Any
from urllib.parse import quote

import greenlet
from aiohttp import web

ROOT = Path(__file__).resolve().parent.parent
DEMO_ROSTER = ROOT / "communities" / "demo"

_PROFILER = web.AppKey("bench_profiler", dict)


# ---- measurement routes, added to every server ------------------------------------------------


#: Events counted in the server (cosbot: SQL statements, pool checkouts, new connections, commits).
COUNTS: Counter[str] = Counter()


async def _cpu(request: web.Request) -> web.Response:
    # Runs on the event loop thread, so thread_time() is that thread's CPU alone.
    return web.json_response(
        {"process": time.process_time(), "loop_thread": time.thread_time(), "counts": dict(COUNTS)}
    )


def count_database_work() -> None:
    """Count SQL statements, pool checkouts, new connections and commits of every engine here."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine
    from sqlalchemy.pool import Pool

    def statement(*args: Any) -> None:
        COUNTS["SQL statements"] += 1

    def checkout(*args: Any) -> None:
        COUNTS["pool checkouts"] += 1

    def commit(*args: Any) -> None:
        COUNTS["commits"] += 1

    def connect(*args: Any) -> None:
        COUNTS["new connections"] += 1

    event.listen(Engine, "before_cursor_execute", statement)
    event.listen(Pool, "checkout", checkout)
    event.listen(Engine, "commit", commit)
    event.listen(Pool, "connect", connect)


class StackSampler:
    """A sampling profiler for the event-loop thread (the main thread here).

    cProfile's cumulative times are wrong here: SQLAlchemy's async layer runs its sync
    code in greenlets, whose stacks do not link back to the coroutine that awaited them,
    and coroutines count a call per resumption. A sampling thread is no better: it only
    gets the GIL when the loop thread releases it, i.e. in socket calls. So a SIGALRM
    timer fires every ``interval`` seconds and its handler, which Python runs on the main
    thread at the next bytecode, records the interrupted stack; while a SQLAlchemy
    greenlet runs, the stack continues at the frame that switched into it (tracked with
    ``greenlet.settrace``). Samples in ``selector.select`` count as idle, samples in this
    class as overhead. asyncio's signal wake-up fd is switched off meanwhile, so the timer
    does not wake the loop.
    """

    def __init__(self, interval: float = 0.001) -> None:
        self.interval = interval
        self.busy = 0
        self.idle = 0
        self.overhead = 0
        self.inclusive: Counter[str] = Counter()
        self.own: Counter[str] = Counter()
        self.packages: Counter[str] = Counter()
        self.lines: Counter[tuple[str, int]] = Counter()
        self._names: dict[CodeType, tuple[str, str]] = {}
        self._greenlet_caller: FrameType | None = None
        self._previous_trace: Any = None
        self._previous_handler: Any = None
        self._previous_wakeup_fd = -1
        paths = sysconfig.get_paths()
        # Longest first: site-packages lives under the stdlib directory.
        self._prefixes = sorted(
            {
                str(ROOT) + os.sep,
                paths["purelib"] + os.sep,
                paths["platlib"] + os.sep,
                paths["stdlib"] + os.sep,
            },
            key=len,
            reverse=True,
        )

    def start(self) -> None:
        """Call on the main thread, which runs the event loop."""
        self._previous_trace = greenlet.settrace(self._on_switch)
        self._previous_wakeup_fd = signal.set_wakeup_fd(-1)
        self._previous_handler = signal.signal(signal.SIGALRM, self._sample)
        signal.setitimer(signal.ITIMER_REAL, self.interval, self.interval)

    def stop(self) -> None:
        signal.setitimer(signal.ITIMER_REAL, 0, 0)
        signal.signal(signal.SIGALRM, self._previous_handler or signal.SIG_DFL)
        signal.set_wakeup_fd(self._previous_wakeup_fd)
        greenlet.settrace(self._previous_trace)

    def _on_switch(self, event: str, args: Any) -> None:
        origin, target = args
        # Runs in the target's context, once the origin is suspended. Into a child greenlet:
        # remember the origin's stack (greenlet_spawn, with the awaiting task below it).
        self._greenlet_caller = origin.gr_frame if target.parent is not None else None
        if self._previous_trace is not None:
            self._previous_trace(event, args)

    def _name(self, code: CodeType) -> tuple[str, str]:
        name = self._names.get(code)
        if name is None:
            path = code.co_filename
            for prefix in self._prefixes:
                if path.startswith(prefix):
                    path = path[len(prefix) :]
                    break
            package = path.split(os.sep, 1)[0].removesuffix(".py")
            name = (f"{path}:{code.co_qualname}", package)
            self._names[code] = name
        return name

    def _sample(self, signum: int, frame: FrameType | None) -> None:
        if frame is None:
            return
        code = frame.f_code
        if code.co_name == "select" and code.co_filename.endswith("selectors.py"):
            self.idle += 1
            return
        if code.co_filename == __file__:
            self.overhead += 1
            return
        self.busy += 1
        leaf, package = self._name(frame.f_code)
        self.own[leaf] += 1
        self.lines[(leaf, frame.f_lineno)] += 1
        self.packages[package] += 1
        seen: set[str] = set()
        caller = self._greenlet_caller
        current: FrameType | None = frame
        while current is not None:
            seen.add(self._name(current.f_code)[0])
            current = current.f_back
            if current is None and caller is not None:
                current, caller = caller, None
        self.inclusive.update(seen)

    def report(self, top: int) -> dict[str, Any]:
        return {
            "busy": self.busy,
            "idle": self.idle,
            "overhead": self.overhead,
            "inclusive": self.inclusive.most_common(top),
            "own": self.own.most_common(top),
            "packages": self.packages.most_common(),
            "lines": [[f"{name} line {line}", n] for (name, line), n in self.lines.most_common(top)],
        }


async def _profile_start(request: web.Request) -> web.Response:
    if request.app[_PROFILER].get("sampler") is not None:
        return web.json_response({"error": "already profiling"}, status=409)
    sampler = StackSampler()
    sampler.start()
    request.app[_PROFILER]["sampler"] = sampler
    return web.json_response({"profiling": True})


async def _profile_stop(request: web.Request) -> web.Response:
    sampler: StackSampler | None = request.app[_PROFILER].pop("sampler", None)
    if sampler is None:
        return web.json_response({"error": "not profiling"}, status=409)
    sampler.stop()
    return web.json_response(sampler.report(int(request.query.get("top", "30"))))


async def _tasks(request: web.Request) -> web.Response:
    """Every asyncio task's stack and every thread's: for finding what a stuck server waits on."""
    out = io.StringIO()
    for task in asyncio.all_tasks():
        out.write(f"--- {task.get_name()}\n")
        awaited: Any = task.get_coro()
        while awaited is not None:  # down the await chain, outermost first
            frame = getattr(awaited, "cr_frame", None) or getattr(awaited, "gi_frame", None)
            if frame is None:
                out.write(f"  awaiting {awaited!r}\n")
                break
            out.write(f"  {frame.f_code.co_filename}:{frame.f_lineno} {frame.f_code.co_qualname}\n")
            awaited = getattr(awaited, "cr_await", None) or getattr(awaited, "gi_yieldfrom", None)
    for thread_id, frame in sys._current_frames().items():
        out.write(f"--- thread {thread_id}\n{''.join(traceback.format_stack(frame))}")
    return web.Response(text=out.getvalue())


def add_bench_routes(app: web.Application) -> None:
    app[_PROFILER] = {}
    app.router.add_get("/__bench/cpu", _cpu)
    app.router.add_get("/__bench/tasks", _tasks)
    app.router.add_post("/__bench/profile/start", _profile_start)
    app.router.add_post("/__bench/profile/stop", _profile_stop)


# ---- the fake Bot Connector ------------------------------------------------------------------


def connector_app() -> web.Application:
    """Answers ``POST /v3/conversations/{id}/activities[/{replyTo}]`` and records what came; counts
    ``PUT`` edits of a card."""
    app = web.Application(client_max_size=1024 * 1024)
    # replies[replyTo] = [count, summary of the first reply]; "unexpected" lists other calls.
    state: dict[str, Any] = {"replies": {}, "unexpected": [], "next_id": 0, "updates": 0}

    def summary(body: Any) -> dict[str, Any]:
        if not isinstance(body, dict):
            return {"invalid": True}
        attachments = [a for a in body.get("attachments") or [] if isinstance(a, dict)]
        # A card's first button's data says which step it is (the request form's section) and
        # carries the request id: what bench/turns.py checks and needs for the next submit.
        data: Any = {}
        for attachment in attachments:
            content = attachment.get("content")
            actions = content.get("actions") if isinstance(content, dict) else None
            if actions and isinstance(actions[0], dict) and isinstance(actions[0].get("data"), dict):
                data = actions[0]["data"]
                break
        text = body.get("text")
        return {
            "type": body.get("type"),
            "text": text[:500] if isinstance(text, str) else text,
            "attachments": [a.get("contentType") for a in attachments],
            "section": data.get("section"),
            "request_id": data.get("request_id"),
        }

    async def reply(request: web.Request) -> web.Response:
        body = json.loads(await request.read())
        reply_to = request.match_info["reply_to"]
        state["next_id"] += 1
        entry = state["replies"].get(reply_to)
        if entry is None:
            state["replies"][reply_to] = [1, summary(body)]
        else:
            entry[0] += 1
        return web.json_response({"id": f"reply-{state['next_id']}"})

    async def update(request: web.Request) -> web.Response:
        """An edit of a card the bot sent (the request form makes its earlier card read-only)."""
        await request.read()
        state["updates"] += 1
        return web.json_response({"id": request.match_info["activity"]})

    async def unexpected(request: web.Request) -> web.Response:
        await request.read()
        state["unexpected"].append(f"{request.method} {request.path}")
        return web.json_response({"error": {"code": "NotInBench", "message": "not handled"}}, status=404)

    async def replies(request: web.Request) -> web.Response:
        return web.json_response({"replies": state["replies"], "unexpected": state["unexpected"]})

    async def one_reply(request: web.Request) -> web.Response:
        """``[count, summary]`` of the reply to activity ``id``, or null."""
        return web.json_response(state["replies"].get(request.query.get("id", "")))

    async def reset(request: web.Request) -> web.Response:
        state["replies"] = {}
        state["unexpected"] = []
        return web.json_response({"reset": True})

    app.router.add_post("/v3/conversations/{conversation}/activities/{reply_to}", reply)
    app.router.add_put("/v3/conversations/{conversation}/activities/{activity}", update)
    app.router.add_get("/__bench/replies", replies)
    app.router.add_get("/__bench/reply", one_reply)
    app.router.add_post("/__bench/reset", reset)
    add_bench_routes(app)
    app.router.add_route("*", "/{tail:.*}", unexpected)
    return app


# ---- the three bots ----------------------------------------------------------------------------


def cosbot_app(workdir: Path) -> web.Application:
    """The real app, as ``cosbot serve`` builds it, on a fresh database with the demo roster."""
    from bot.app import create_app
    from bot.config import Settings
    from bot.migrate import upgrade
    from communities.clock import SystemClock
    from communities.db import Database
    from communities.roster.importing import import_roster

    url = f"sqlite+aiosqlite:///{workdir / 'cosbot.db'}"
    upgrade(url)

    async def load_roster() -> None:
        database = Database(url)
        try:
            await import_roster(database, DEMO_ROSTER, SystemClock())
        finally:
            await database.dispose()

    asyncio.run(load_roster())
    count_database_work()
    # No app id, as in local development; "MultiTenant" like the echo bot, because botbuilder's
    # credential factory refuses SingleTenant (the Settings default) without an app id.
    return create_app(Settings(database_url=url, app_type="MultiTenant"))


class _EchoConfig:
    APP_ID = ""
    APP_PASSWORD = ""
    APP_TYPE = "MultiTenant"
    APP_TENANTID = ""


def echo_app() -> web.Application:
    """The botbuilder echo sample: stock CloudAdapter, ActivityHandler, no app id."""
    from botbuilder.core import ActivityHandler, MessageFactory, TurnContext
    from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication

    class EchoBot(ActivityHandler):  # type: ignore[misc]
        async def on_message_activity(self, turn_context: TurnContext) -> None:
            await turn_context.send_activity(MessageFactory.text(f"Echo: {turn_context.activity.text}"))

    adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(_EchoConfig()))
    bot = EchoBot()

    async def messages(request: web.Request) -> web.StreamResponse:
        response: web.StreamResponse = await adapter.process(request, bot)
        return response

    app = web.Application()
    app.router.add_post("/api/messages", messages)
    return app


def floor_app() -> web.Application:
    """The floor: parse the activity, POST one reply with a shared ClientSession, answer 201."""
    import aiohttp

    app = web.Application()
    holder: dict[str, aiohttp.ClientSession] = {}

    async def session_ctx(app: web.Application) -> AsyncIterator[None]:
        holder["session"] = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=100, limit_per_host=50),
            timeout=aiohttp.ClientTimeout(total=30),
        )
        yield
        await holder["session"].close()

    async def messages(request: web.Request) -> web.Response:
        activity = json.loads(await request.read())
        conversation = activity["conversation"]
        reply = {
            "type": "message",
            "channelId": activity["channelId"],
            "serviceUrl": activity["serviceUrl"],
            "from": activity["recipient"],
            "recipient": activity["from"],
            "conversation": conversation,
            "replyToId": activity["id"],
            "text": f"Echo: {activity.get('text', '')}",
        }
        url = (
            f"{activity['serviceUrl'].rstrip('/')}/v3/conversations/"
            f"{quote(conversation['id'], safe='')}/activities/{quote(activity['id'], safe='')}"
        )
        data = json.dumps(reply, separators=(",", ":"))
        headers = {"Content-Type": "application/json; charset=utf-8"}
        async with holder["session"].post(url, data=data, headers=headers) as response:
            await response.read()
            if response.status >= 400:
                return web.json_response({"error": f"connector answered {response.status}"}, status=502)
        return web.Response(status=201)

    app.cleanup_ctx.append(session_ctx)
    app.router.add_post("/api/messages", messages)
    return app


# ---- running one --------------------------------------------------------------------------------


async def _serve(app: web.Application) -> None:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, backlog=1024)
    await site.start()
    port = runner.addresses[0][1]
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print(f"READY {port}", flush=True)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="A server for bench/turns.py.")
    parser.add_argument("kind", choices=("connector", "cosbot", "echo", "floor"))
    parser.add_argument("--workdir", type=Path, default=None, help="for cosbot: where its SQLite file goes")
    args = parser.parse_args(argv)
    # As `cosbot serve` does: INFO to stderr (turns.py sends it to a log file).
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )
    builders: dict[str, Callable[[], web.Application]] = {
        "connector": connector_app,
        "cosbot": lambda: cosbot_app(args.workdir or Path.cwd()),
        "echo": echo_app,
        "floor": floor_app,
    }
    app = builders[args.kind]()
    if args.kind != "connector":  # the connector added them before its catch-all route
        add_bench_routes(app)
    asyncio.run(_serve(app))
    return 0


if __name__ == "__main__":
    sys.exit(main())
