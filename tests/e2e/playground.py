"""End-to-end harness: the bot as a subprocess, the real Agents Playground, its web UI in headless Chromium.

One :class:`E2E` per test: ``start(as_email)`` starts the bot (``cosbot serve`` on a copy of a prepared demo
database), the Playground (``node_modules/.bin/agentsplayground``) with a config from
:mod:`bot.cli.playground`, and opens the UI in a fresh browser context. ``switch_user`` restarts only
the Playground, on the same port, with another current user (the UI has no user switch); the bot keeps
running with its state.

UI facts used here (Playground 0.2.28, see shared/reference/playground.md):

* the left tree has ``role=treeitem`` entries named ``Personal Chat``, ``<group chat name>`` and
  ``<team name> - <channel name>``;
* a chat view shows messages as ``[aria-label="Message header"]`` (author in
  ``[aria-label="Message author"]``) plus the body, and one Lexical editor (``[data-lexical-editor=true]``)
  as the composer;
* a channel view shows cards (``[role=group].fui-Card``): the first, with a "Post" button, starts a new post;
  every other card is a post with its replies and its own reply editor;
* the log panel on the right repeats message texts, so text is only looked for inside messages.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, BrowserContext, Locator, Page, WebSocket
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from bot.cli import playground as pgconfig

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("COSBOT_E2E_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PLAYGROUND_BIN = REPO / "node_modules" / ".bin" / "agentsplayground"
#: The bot's command line; COSBOT_E2E_BOT replaces it (e.g. with a stand-in while the bot is being built).
BOT_COMMAND = os.environ.get("COSBOT_E2E_BOT", str(REPO / ".venv" / "bin" / "cosbot"))

BOT_NAME = pgconfig.BOT_NAME
GENERAL = "General"
CHANNEL = pgconfig.CHANNEL_NAME
CONVERSATION_STREAM = "/_ws_conversation/v1/conversations/stream"

DEFAULT_TIMEOUT = 20.0
#: Part of the bot's answer when a turn fails.
ERROR_REPLY = "something went wrong"
LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d[ T]\d\d:\d\d")
EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt)\b")


class HarnessError(RuntimeError):
    """Something the harness needs is missing or did not start; the message says what to do."""


def check_prerequisites() -> None:
    """Fail (never skip) with a clear message when the browser or the Playground is not installed."""
    problems = []
    if not CHROMIUM.exists():
        problems.append(f"{CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium)")
    if not PLAYGROUND_BIN.exists():
        problems.append(f"{PLAYGROUND_BIN} not found: run `npm ci` in {REPO}")
    elif shutil.which("node") is None:
        problems.append("node not found on PATH: install Node.js (the Playground runs on it)")
    if not Path(BOT_COMMAND.split()[0]).exists():
        problems.append(f"{BOT_COMMAND} not found: install the project (pip install -e '.[dev]')")
    if problems:
        raise HarnessError("end-to-end tests cannot run:\n  " + "\n  ".join(problems))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _tail(path: Path, lines: int = 40) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "(no output)"
    return "\n".join(text.splitlines()[-lines:]) or "(empty)"


def _stop_group(proc: subprocess.Popen[bytes], timeout: float = 5.0) -> None:
    """Stop the process group of ``proc`` (started with start_new_session): TERM, then KILL."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            pass
    # Children may outlive the leader (npx, node); the group id is still the leader's pid.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout)


#: The e2e service's meeting timeline (the offsets are settings): a meeting reminder is due at any
#: hour for a meeting today or tomorrow, so the RSVP test can run whenever CI does. Day-before
#: reminders run 15:00–03:00, morning-of ones 03:00–15:00 (never 01:00–02:59 by the rules).
E2E_TIMELINE = {
    "TIMELINE_DAY_BEFORE_TIME": "15:00",
    "TIMELINE_MORNING_OF_TIME": "03:00",
    "TIMELINE_GRACE_HOURS": "12",
}


def bot_environment(database_url: str) -> dict[str, str]:
    """The environment without Bot Framework credentials (the Playground runs without auth)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MicrosoftApp")}
    env["DATABASE_URL"] = database_url
    # The bot runs in a temp dir (so that a developer's .env is not read); make the repo importable from there
    # even when the editable install is stale.
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    env["PYTHONUNBUFFERED"] = "1"
    env.update(E2E_TIMELINE)
    return env


def run_bot_command(args: list[str], workdir: Path, database_url: str, timeout: float = 60.0) -> None:
    """Run a one-shot ``cosbot`` command (``db upgrade``, ``demo``) and fail with its output if it fails."""
    cmd = [*BOT_COMMAND.split(), *args]
    result = subprocess.run(
        cmd,
        cwd=workdir,
        env=bot_environment(database_url),
        capture_output=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        out = (result.stdout + result.stderr).decode(errors="replace")
        raise HarnessError(f"`{' '.join(cmd)}` failed with exit code {result.returncode}:\n{out}")


def prepare_demo_database(workdir: Path) -> Path:
    """``cosbot db upgrade`` + ``cosbot demo`` into ``workdir/e2e.db``; tests copy the file."""
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / "e2e.db"
    url = f"sqlite+aiosqlite:///{path}"
    run_bot_command(["db", "upgrade"], workdir, url)
    run_bot_command(["demo"], workdir, url)
    if not path.is_file():
        raise HarnessError(
            f"`cosbot db upgrade` and `cosbot demo` did not create {path} (DATABASE_URL={url})"
        )
    return path


@dataclass
class BotProcess:
    """``cosbot serve`` on a free port of 127.0.0.1, stderr and stdout in files of ``workdir``."""

    workdir: Path
    database_url: str
    port: int = 0
    proc: subprocess.Popen[bytes] | None = None

    @property
    def stderr_path(self) -> Path:
        return self.workdir / "bot.stderr.log"

    @property
    def stdout_path(self) -> Path:
        return self.workdir / "bot.stdout.log"

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/messages"

    @property
    def command(self) -> list[str]:
        return [*BOT_COMMAND.split(), "serve", "--host", "127.0.0.1", "--port", str(self.port)]

    def start(self, timeout: float = 30.0) -> None:
        self.launch()
        self.wait_ready(timeout)

    def launch(self) -> None:
        """Start ``cosbot serve`` (see wait_ready)."""
        self.port = free_port()
        cmd = self.command
        with self.stdout_path.open("ab") as out, self.stderr_path.open("ab") as err:
            self.proc = subprocess.Popen(
                cmd,
                cwd=self.workdir,
                env=bot_environment(self.database_url),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                start_new_session=True,
            )

    def wait_ready(self, timeout: float = 30.0) -> None:
        """Wait until GET /healthz answers 200; fail with the bot's stderr if it exits or times out."""
        assert self.proc is not None, "launch() first"
        url = f"http://127.0.0.1:{self.port}/healthz"
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise HarnessError(
                    f"`{' '.join(self.command)}` exited with code {self.proc.returncode} "
                    f"before /healthz answered:\n{_tail(self.stderr_path)}"
                )
            with contextlib.suppress(OSError):
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        return
            if time.monotonic() > deadline:
                raise HarnessError(
                    f"the bot did not answer GET {url} with 200 in {timeout:.0f} s:\n"
                    + _tail(self.stderr_path)
                )
            time.sleep(0.2)

    def stop(self) -> None:
        if self.proc is not None:
            _stop_group(self.proc)
            self.proc = None


@dataclass
class PlaygroundProcess:
    """The Agents Playground (npm package, from node_modules/.bin) with a config from bot.cli.playground."""

    workdir: Path
    bot_endpoint: str
    port: int = 0
    current_email: str = pgconfig.DEFAULT_USER
    proc: subprocess.Popen[bytes] | None = None
    starts: int = 0

    @property
    def stdout_path(self) -> Path:
        return self.workdir / f"playground.{self.starts}.stdout.log"

    @property
    def log_path(self) -> Path:
        """The Playground's own log file (config errors go there, not to stdout)."""
        return self.workdir / "devTools" / "m365agentsplayground.log"

    @property
    def url(self) -> str:
        return f"http://localhost:{self.port}"

    def start(self, current_email: str, timeout: float = 30.0) -> None:
        self.starts += 1
        self.current_email = current_email
        self.workdir.mkdir(parents=True, exist_ok=True)
        config = pgconfig.write_config(self.workdir / f"playground.{self.starts}.yml", current_email)
        requested = self.port or free_port()
        env = dict(os.environ)
        env.update(
            {
                "TEAMSAPPTESTER_BROWSER": "none",
                "M365_AGENTS_PLAYGROUND_CONFIG_PATH": str(config),
            }
        )
        cmd = [str(PLAYGROUND_BIN), "-e", self.bot_endpoint, "-c", "msteams", "--dt", "-p", str(requested)]
        with self.stdout_path.open("wb") as out:
            self.proc = subprocess.Popen(
                cmd,
                cwd=self.workdir,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while True:
            match = re.search(r"Listening on (\d+)", _tail(self.stdout_path))
            if match:
                self.port = int(match.group(1))
                break
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise HarnessError(
                    f"the Playground did not start (`{' '.join(cmd)}`):\n{_tail(self.stdout_path)}\n"
                    f"log file:\n{_tail(self.log_path)}"
                )
            time.sleep(0.1)
        # It prints "Listening" before it has validated the config: wait until it serves it.
        while True:
            with contextlib.suppress(OSError, ValueError):
                with urllib.request.urlopen(f"{self.url}/_internal/v1/testConfig", timeout=2) as response:
                    body = json.loads(response.read())
                    if body.get("config", {}).get("currentUser", {}).get("email") == current_email:
                        return
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise HarnessError(
                    f"the Playground did not load {config} for {current_email}:\n{_tail(self.log_path)}"
                )
            time.sleep(0.2)

    def stop(self) -> None:
        if self.proc is not None:
            _stop_group(self.proc)
            self.proc = None


@dataclass
class StreamEvent:
    """One event of the Playground's conversation WebSocket: something the bot posted or updated.

    ``conversation_id`` is where it was posted: a chat, a channel (a new post) or
    ``<channel>;messageid=<root>`` (a reply in that thread).
    """

    action: str
    conversation_id: str
    message: dict[str, Any]

    @property
    def thread_id(self) -> str:
        """``<channel id>;messageid=<root>`` of the thread (for a new post: the one it starts)."""
        return str(self.message.get("postConversationId") or self.conversation_id)

    def is_in(self, conversation: str) -> bool:
        """Posted in ``conversation``: that chat, or that channel (a new post or a reply in a thread)."""
        return self.conversation_id == conversation or self.conversation_id.startswith(conversation + ";")

    @property
    def text(self) -> str:
        """Text and attachments as one searchable string (card text is inside the attachments)."""
        parts = [str(self.message.get("text") or "")]
        parts.append(json.dumps(self.message.get("attachments") or [], ensure_ascii=False))
        return "\n".join(parts)


@dataclass
class StreamObserver:
    """Records what the UI receives on the conversation WebSocket (a second view of the bot's output)."""

    events: list[StreamEvent] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def attach(self, page: Page) -> None:
        page.on("websocket", self._on_websocket)

    def _on_websocket(self, ws: WebSocket) -> None:
        if CONVERSATION_STREAM in ws.url:
            ws.on("framereceived", self._on_frame)

    def _on_frame(self, payload: str | bytes) -> None:
        raw = payload.decode(errors="replace") if isinstance(payload, bytes) else payload
        try:
            data = json.loads(raw)
        except ValueError:
            return
        for item in data if isinstance(data, list) else [data]:
            if isinstance(item, dict) and isinstance(item.get("message"), dict):
                event = StreamEvent(
                    action=str(item.get("action", "")),
                    conversation_id=str(item.get("actionConversationId", "")),
                    message=item["message"],
                )
                with self._lock:
                    self.events.append(event)

    def bot_messages(self, containing: str = "", conversation: str | None = None) -> list[StreamEvent]:
        """What the bot posted or updated, oldest first; only with ``containing`` / in ``conversation``."""
        with self._lock:
            events = list(self.events)
        return [
            e
            for e in events
            if e.action in ("createMessage", "updateMessage")
            and e.message.get("from", {}).get("id", pgconfig.BOT_ID) == pgconfig.BOT_ID
            and containing in e.text
            and (conversation is None or e.is_in(conversation))
        ]


class PlaygroundUI:
    """The Playground's web page, with helpers that act as a person would."""

    def __init__(self, page: Page, observer: StreamObserver, current_email: str) -> None:
        self.page = page
        self.observer = observer
        self.current_email = current_email
        self.personal_chat_id = pgconfig.personal_chat_id(pgconfig.user_by_email(current_email))
        #: "chat" (personal or group chat) or "channel"; the page opens on the personal chat
        self.view = "chat"
        #: id of the open chat or channel
        self.conversation = self.personal_chat_id

    # -- navigation -----------------------------------------------------------------------------------

    def load(self, url: str, timeout: float = 30.0) -> None:
        self.page.goto(url, wait_until="domcontentloaded", timeout=timeout * 1000)
        self.page.get_by_role("treeitem", name="Personal Chat").wait_for(timeout=timeout * 1000)
        self.hide_log_panel()

    def hide_log_panel(self) -> None:
        button = self.page.get_by_title("Hide log panel")
        with contextlib.suppress(PlaywrightTimeoutError):
            button.click(timeout=3000)

    def open_personal_chat(self) -> None:
        self.page.get_by_role("treeitem", name="Personal Chat").click()
        self.view, self.conversation = "chat", self.personal_chat_id
        self.composer.wait_for()

    def open_group_chat(self, name: str = pgconfig.GROUP_CHAT_NAME) -> None:
        """Open the group chat (the first time per page load installs the bot there)."""
        self.page.get_by_role("treeitem", name=name, exact=True).click()
        self.view, self.conversation = "chat", pgconfig.GROUP_CHAT_ID
        self.composer.wait_for()

    def open_channel(self, channel: str = GENERAL, team: str = pgconfig.TEAM_NAME) -> None:
        """Open a channel of the team; the first one opened per page load installs the bot in the team."""
        self.page.get_by_role("treeitem", name=f"{team} - {channel}", exact=True).click()
        self.view = "channel"
        self.conversation = pgconfig.TEAM_ID if channel == GENERAL else pgconfig.CHANNEL_ID
        self.new_post_card.wait_for()

    # -- locators -------------------------------------------------------------------------------------

    @property
    def chat_messages(self) -> Locator:
        """Messages of the open personal or group chat."""
        return self.page.locator("div:has(> [aria-label='Message header'])")

    def chat_messages_by(self, author: str = BOT_NAME) -> Locator:
        return self.chat_messages.filter(
            has=self.page.locator("[aria-label='Message author']", has_text=author)
        )

    @property
    def composer(self) -> Locator:
        """The message box of the open chat."""
        return self.page.locator("[data-lexical-editor=true]").first

    @property
    def _post_button(self) -> Locator:
        return self.page.get_by_role("button", name="Post", exact=True)

    @property
    def new_post_card(self) -> Locator:
        return self.page.locator("[role=group].fui-Card").filter(has=self._post_button)

    @property
    def posts(self) -> Locator:
        """Posts of the open channel (each card holds the post and its replies), oldest first."""
        return self.page.locator("[role=group].fui-Card").filter(has_not=self._post_button)

    def post_containing(self, text: str) -> Locator:
        return self.posts.filter(has_text=text)

    @property
    def messages(self) -> Locator:
        """Whatever holds messages in the open view: chat messages or channel posts (not the log panel)."""
        return self.posts if self.view == "channel" else self.chat_messages

    def chat_texts(self) -> list[str]:
        """The texts of the open chat's messages, oldest first (each starts with its header)."""
        return [m.inner_text() for m in self.chat_messages.all()]

    # -- typing ---------------------------------------------------------------------------------------

    def _type_into(self, editor: Locator, text: str, mention: str | None = None) -> None:
        editor.click()
        if mention is not None:
            self.insert_mention(editor, mention)
        if text:
            editor.press_sequentially(text, delay=5)
        editor.press("Enter")

    def insert_mention(self, editor: Locator, name: str = BOT_NAME) -> None:
        """Type ``@`` + the start of ``name`` and pick it from the typeahead: a real Teams @mention."""
        editor.press_sequentially("@" + name[:3], delay=20)
        item = self.page.locator("#typeahead-menu [role=menuitem]").filter(has_text=name).first
        item.click(timeout=10_000)

    def send(self, text: str) -> None:
        """Send ``text`` in the open personal or group chat."""
        self._type_into(self.composer, text)

    def send_mention(self, text: str, mention: str = BOT_NAME) -> None:
        """Send ``@mention`` + ``text`` in the open chat (group chats forward only mentions)."""
        self._type_into(self.composer, text if text.startswith(" ") else " " + text, mention=mention)

    def new_post(self, text: str, mention: str | None = BOT_NAME) -> Locator:
        """Start a new post in the open channel (mentioning the bot, or it never sees it); return it."""
        editor = self.new_post_card.locator("[data-lexical-editor=true]")
        same = self.posts.filter(has_text=text.strip())
        before = same.count()
        body = text if mention is None or text.startswith(" ") else " " + text
        self._type_into(editor, body, mention=mention)
        post = same.nth(before)
        post.wait_for()
        return post

    def reply(self, post: Locator, text: str, mention: str | None = BOT_NAME) -> None:
        """Reply in the thread of ``post``."""
        editor = post.locator("[data-lexical-editor=true]")
        body = text if mention is None or text.startswith(" ") else " " + text
        self._type_into(editor, body, mention=mention)

    # -- waiting --------------------------------------------------------------------------------------

    def wait_for_text(
        self, text: str, within: Locator | None = None, count: int = 1, timeout: float = DEFAULT_TIMEOUT
    ) -> Locator:
        """Wait until ``count`` messages (or posts) of the open view contain ``text``; returns the last."""
        scope = (within if within is not None else self.messages).filter(has_text=text)
        deadline = time.monotonic() + timeout
        while scope.count() < count:
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{count} message(s) containing {text!r} expected in the UI within {timeout:.0f} s, "
                    f"found {scope.count()}; the view shows:\n{self.describe()}"
                )
            self.page.wait_for_timeout(100)
        last = scope.nth(count - 1)
        last.scroll_into_view_if_needed()
        return last

    def wait_for_bot_message(self, text: str, count: int = 1, timeout: float = DEFAULT_TIMEOUT) -> Locator:
        """Wait until the bot has posted ``count`` messages with ``text`` in the open chat or channel
        (conversation stream) and the view shows them; in a chat only the bot's own messages count."""
        self.wait_for_stream(text, count=count, timeout=timeout, conversation=self.conversation)
        within = self.chat_messages_by(BOT_NAME) if self.view == "chat" else None
        return self.wait_for_text(text, within=within, count=count, timeout=timeout)

    def wait_for_stream(
        self, text: str, count: int = 1, timeout: float = DEFAULT_TIMEOUT, conversation: str | None = None
    ) -> list[StreamEvent]:
        """Wait until the bot has posted ``count`` messages containing ``text`` (anywhere, or in
        ``conversation``), as the conversation WebSocket tells; the UI need not show them."""
        deadline = time.monotonic() + timeout
        while len(found := self.observer.bot_messages(text, conversation)) < count:
            if time.monotonic() > deadline:
                seen = "\n".join(
                    f"  {e.action} {e.conversation_id}: {e.text[:300]}" for e in self.observer.bot_messages()
                )
                where = f" in {conversation}" if conversation else ""
                raise AssertionError(
                    f"the bot did not post {count} message(s) containing {text!r}{where} "
                    f"within {timeout:.0f} s; it posted:\n{seen or '  nothing'}"
                )
            self.page.wait_for_timeout(100)
        return found

    def describe(self, limit: int = 2000) -> str:
        texts = [m.inner_text() for m in self.messages.all()]
        return ("\n---\n".join(texts) or "(no messages)")[:limit]


@dataclass
class E2E:
    """One bot, one Playground and one browser page for a test."""

    workdir: Path
    browser: Browser
    database_template: Path
    bot: BotProcess | None = None
    playground: PlaygroundProcess | None = None
    context: BrowserContext | None = None
    ui_: PlaygroundUI | None = None
    observer: StreamObserver = field(default_factory=StreamObserver)
    #: Other people's clients opened with :meth:`open_other_client`: (Playground, browser context, UI).
    others: list[tuple[PlaygroundProcess, BrowserContext, PlaygroundUI]] = field(default_factory=list)

    @property
    def ui(self) -> PlaygroundUI:
        if self.ui_ is None:
            raise HarnessError("call start() first")
        return self.ui_

    @property
    def page(self) -> Page:
        return self.ui.page

    def start(self, as_email: str = pgconfig.DEFAULT_USER) -> PlaygroundUI:
        """Start the bot, the Playground as ``as_email`` and open the UI (which installs the bot in the
        personal chat)."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        database = self.workdir / "e2e.db"
        shutil.copyfile(self.database_template, database)
        self.bot = BotProcess(self.workdir, f"sqlite+aiosqlite:///{database}")
        self.bot.launch()
        # The Playground only talks to the bot once the page is open: start both at once.
        self.playground = PlaygroundProcess(self.workdir / "playground", self.bot.endpoint)
        self.playground.start(as_email)
        self.bot.wait_ready()
        return self._open_page()

    def switch_user(self, as_email: str) -> PlaygroundUI:
        """Restart the Playground on the same port with ``as_email`` as the current user and reload the UI.
        The bot keeps its state; the Playground's and the page's are lost."""
        if self.playground is None:
            raise HarnessError("call start() first")
        self._close_page()
        port = self.playground.port
        self.playground.stop()
        self.playground.start(as_email)
        if self.playground.port != port:
            print(f"note: the Playground moved from port {port} to {self.playground.port}")
        return self._open_page()

    def _open_page(self) -> PlaygroundUI:
        assert self.playground is not None
        self.observer = StreamObserver()
        self.context, self.ui_ = self._new_client_page(self.playground, self.observer)
        return self.ui_

    def _new_client_page(
        self, playground: PlaygroundProcess, observer: StreamObserver
    ) -> tuple[BrowserContext, PlaygroundUI]:
        context = self.browser.new_context(viewport={"width": 1400, "height": 1000})
        context.set_default_timeout(DEFAULT_TIMEOUT * 1000)
        page = context.new_page()
        observer.attach(page)
        ui = PlaygroundUI(page, observer, playground.current_email)
        ui.load(playground.url)
        return context, ui

    def open_other_client(self, as_email: str) -> PlaygroundUI:
        """Another person's Teams at the same time: a second Playground (own port, ``as_email`` as its
        current user) on the same bot, and its own page. Unlike :meth:`switch_user`, the first client
        keeps running: the bot's DMs to its user go to its service URL and show in its personal chat.
        (One Playground only knows its current user's personal chat; a DM to another user's stored chat
        there fails with ConversationNotFound.)"""
        if self.bot is None:
            raise HarnessError("call start() first")
        workdir = self.workdir / f"playground-other-{len(self.others) + 1}"
        playground = PlaygroundProcess(workdir, self.bot.endpoint)
        playground.start(as_email)
        try:
            context, ui = self._new_client_page(playground, StreamObserver())
        except Exception:
            playground.stop()
            raise
        self.others.append((playground, context, ui))
        return ui

    def _close_page(self) -> None:
        if self.context is not None:
            with contextlib.suppress(Exception):
                self.context.close()
            self.context = None

    def save_artifacts(self, into: Path) -> list[Path]:
        """Screenshot, page HTML, bot output and Playground logs, for a failed test."""
        saved: list[Path] = []
        into.mkdir(parents=True, exist_ok=True)
        if self.ui_ is not None and self.context is not None:
            with contextlib.suppress(Exception):
                shot = into / "failure.png"
                self.ui_.page.screenshot(path=str(shot), full_page=True)
                saved.append(shot)
            with contextlib.suppress(Exception):
                html = into / "failure.html"
                html.write_text(self.ui_.page.content(), encoding="utf-8")
                saved.append(html)
            with contextlib.suppress(Exception):
                events = into / "conversation-stream.json"
                events.write_text(
                    json.dumps([e.__dict__ for e in self.observer.events], indent=2, ensure_ascii=False),
                    encoding="utf-8",
                )
                saved.append(events)
        if self.bot is not None:
            saved += [p for p in (self.bot.stderr_path, self.bot.stdout_path) if p.exists()]
        if self.playground is not None:
            saved += sorted(self.playground.workdir.glob("playground.*.stdout.log"))
            if self.playground.log_path.exists():
                saved.append(self.playground.log_path)
        for index, (other, _, other_ui) in enumerate(self.others, start=1):
            with contextlib.suppress(Exception):
                shot = into / f"failure-other-{index}.png"
                other_ui.page.screenshot(path=str(shot), full_page=True)
                saved.append(shot)
            saved += sorted(other.workdir.glob("playground.*.stdout.log"))
            if other.log_path.exists():
                saved.append(other.log_path)
        return saved

    def assert_bot_healthy(self) -> None:
        """No error message to the user and no logged error or traceback in the bot so far."""
        observers = [self.observer, *(ui.observer for _, _, ui in self.others)]
        problems = [f"it answered: {e.text[:200]!r}" for o in observers for e in o.bot_messages(ERROR_REPLY)]
        if self.bot is not None and self.bot.stderr_path.exists():
            log = self.bot.stderr_path.read_text(encoding="utf-8", errors="replace").splitlines()
            for number, line in enumerate(log):
                if " ERROR " in line or " CRITICAL " in line:
                    # the log line, and the last exception line of the traceback that follows it
                    block = []
                    for follow in log[number + 1 :]:
                        if LOG_LINE.match(follow):
                            break
                        block.append(follow)
                    causes = [x for x in block if EXCEPTION_LINE.match(x)]
                    cause = f"\n    {causes[-1][:300]}" if causes else ""
                    problems.append(f"it logged: {line}{cause}")
        assert not problems, (
            "the bot is not healthy:\n  "
            + "\n  ".join(problems[:10])
            + f"\n(full log: {self.bot.stderr_path if self.bot else '-'})"
        )

    def bot_stderr_tail(self, lines: int = 60) -> str:
        return _tail(self.bot.stderr_path, lines) if self.bot is not None else "(bot not started)"

    def close(self) -> None:
        self._close_page()
        for other, context, _ in self.others:
            with contextlib.suppress(Exception):
                context.close()
            other.stop()
        self.others.clear()
        if self.playground is not None:
            self.playground.stop()
        if self.bot is not None:
            self.bot.stop()
