"""A fake Bot Connector: a real aiohttp server that behaves like Teams' REST API for bots.

Point an activity's ``serviceUrl`` (or an outbox reference) at :attr:`FakeConnector.url`::

    async with FakeConnector() as fake:
        ...  # the bot posts to fake.url
        await fake.wait_for(lambda: fake.activities(channel_id), timeout=5)
        fake.assert_no_violations()

It records every request, keeps the messages it was sent (updates replace them,
keeping the history), and holds the client to Teams' rules: the per-thread
windows and the per-app global rate (a breach is answered 429 + Retry-After, as
Teams does, *and* recorded as a violation), one request at a time per thread,
and no request to a thread before its Retry-After has passed. Faults can be
scripted per conversation: throttling, 4xx/5xx answers, slow answers and
dropped connections.

Limits are Teams' published numbers (MicrosoftDocs msteams-docs
``bots/how-to/rate-limit.md``), written out here again on purpose rather than
imported from the bot, so that a mistake in the bot's copy shows up in tests.
"""

from __future__ import annotations

import asyncio
import bisect
import hashlib
import itertools
import json
import math
import socket
from collections import defaultdict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, TypeVar
from urllib.parse import unquote

from aiohttp import web

T = TypeVar("T")

#: (limit, seconds): send and create-conversation, per bot per thread.
TEAMS_THREAD_LIMITS: tuple[tuple[int, float], ...] = ((7, 1.0), (8, 2.0), (60, 30.0), (1800, 3600.0))
#: (limit, seconds): get members / get conversations, per bot per thread.
TEAMS_READ_LIMITS: tuple[tuple[int, float], ...] = ((14, 1.0), (16, 2.0), (120, 30.0), (3600, 3600.0))
#: (limit, seconds): every call, per app per tenant.
TEAMS_GLOBAL_LIMIT: tuple[int, float] = (50, 1.0)

_DEFAULT_ERRORS = {
    400: ("BadArgument", "The request was malformed."),
    401: ("Unauthorized", "Authorization has been denied for this request."),
    403: ("BotNotInConversationRoster", "The bot is not part of the conversation roster."),
    404: ("ConversationNotFound", "Conversation not found."),
    412: ("PreconditionFailed", "Precondition failed, please try again."),
    413: ("MessageSizeTooBig", "Message size too large."),
    429: ("Throttled", "Too many requests."),
    500: ("InternalServerError", "An internal error occurred."),
    502: ("BadGateway", "Bad gateway."),
    503: ("ServiceUnavailable", "Service unavailable."),
    504: ("GatewayTimeout", "Gateway timeout."),
}

_SEND_OPERATIONS = frozenset({"create_conversation", "send", "reply", "update"})


@dataclass(frozen=True)
class Fault:
    """One scripted answer. ``status`` 0 means "answer normally" (optionally after ``delay``)."""

    status: int = 0
    retry_after: float | str | None = None
    code: str | None = None
    message: str | None = None
    delay: float = 0.0
    #: Close the connection instead of answering.
    drop: bool = False
    #: With ``drop``: post the message first, as when the answer is lost on the way back.
    delivered: bool = False
    #: A raw body instead of Bot Framework's JSON error (say, a proxy's HTML page).
    body: str | None = None

    @classmethod
    def ok(cls, delay: float = 0.0) -> Fault:
        return cls(delay=delay)

    @classmethod
    def throttle(cls, retry_after: float | str | None = 1.0) -> Fault:
        return cls(status=429, retry_after=retry_after)

    @classmethod
    def error(cls, status: int, code: str | None = None, message: str | None = None) -> Fault:
        return cls(status=status, code=code, message=message)

    @classmethod
    def slow(cls, seconds: float) -> Fault:
        return cls(delay=seconds)

    @classmethod
    def dropped(cls, *, delivered: bool = False, delay: float = 0.0) -> Fault:
        return cls(drop=True, delivered=delivered, delay=delay)


@dataclass
class RecordedRequest:
    method: str
    #: Path below the serviceUrl, segments decoded: ``/v3/conversations/19:x;messageid=1/activities``.
    path: str
    #: ``create_conversation``, ``send``, ``reply``, ``update``, ``get_member``, ``paged_members``,
    #: ``team_channels`` or ``unknown``.
    operation: str
    conversation_id: str | None
    activity_id: str | None
    body: Any
    arrived_at: float
    authorization: str | None
    #: The status answered; 0 while in progress or when the connection was dropped.
    status: int = 0
    #: The query string's parameters (``pageSize``, ``continuationToken``).
    query: dict[str, str] = field(default_factory=dict)
    #: When the answer (or the drop) went out; None while in progress.
    answered_at: float | None = None


@dataclass
class PostedActivity:
    """A message as Teams would now show it."""

    conversation_id: str
    id: str
    activity: dict[str, Any]
    posted_at: float
    reply_to_id: str | None = None
    #: Every version, the original first.
    history: list[dict[str, Any]] = field(default_factory=list)

    @property
    def text(self) -> str | None:
        text = self.activity.get("text")
        return str(text) if text is not None else None

    @property
    def card(self) -> dict[str, Any] | None:
        """The first Adaptive Card's content, if any."""
        for attachment in self.activity.get("attachments") or []:
            if attachment.get("contentType") == "application/vnd.microsoft.card.adaptive":
                content = attachment.get("content")
                return content if isinstance(content, dict) else None
        return None

    @property
    def updates(self) -> int:
        return len(self.history) - 1


@dataclass(frozen=True)
class Violation:
    #: ``rate_limit``, ``global_rate_limit``, ``concurrent``, ``retry_after_ignored`` or ``unknown_route``.
    kind: str
    thread: str | None
    detail: str
    at: float


class _Windows:
    """Sliding-window counters for one scope: a request at ``t`` counts while ``now - t < seconds``."""

    def __init__(self, limits: Iterable[tuple[int, float]]) -> None:
        self.limits = tuple(limits)
        self._longest = max((seconds for _, seconds in self.limits), default=0.0)
        self._times: list[float] = []

    def wait(self, now: float) -> float:
        """0 if one more request fits now, else the seconds until it would."""
        expired = bisect.bisect_right(self._times, now - self._longest)
        if expired > 1000:
            del self._times[:expired]
        wait = 0.0
        for limit, seconds in self.limits:
            in_window = len(self._times) - bisect.bisect_right(self._times, now - seconds)
            if in_window >= limit:
                wait = max(wait, self._times[len(self._times) - limit] + seconds - now)
        return wait

    def add(self, now: float) -> None:
        bisect.insort(self._times, now)


class FakeConnector:
    """See the module docstring. Use ``async with FakeConnector() as fake:`` or start()/close()."""

    def __init__(
        self,
        *,
        prefix: str = "/amer",
        latency: float = 0.005,
        thread_limits: Iterable[tuple[int, float]] = TEAMS_THREAD_LIMITS,
        read_limits: Iterable[tuple[int, float]] = TEAMS_READ_LIMITS,
        global_limit: tuple[int, float] | None = TEAMS_GLOBAL_LIMIT,
        expect_token: str | None = None,
    ) -> None:
        self.prefix = "/" + prefix.strip("/") if prefix.strip("/") else ""
        self.latency = latency
        self.expect_token = expect_token
        self.requests: list[RecordedRequest] = []
        self.violations: list[Violation] = []
        self._thread_limits = tuple(thread_limits)
        self._read_limits = tuple(read_limits)
        self._global = _Windows([global_limit] if global_limit else [])
        self._send_windows: dict[str, _Windows] = {}
        self._read_windows: dict[str, _Windows] = {}
        self._blocked_until: dict[str, float] = {}
        self._in_flight: dict[str, int] = defaultdict(int)
        self._scripts: dict[str, deque[Fault]] = defaultdict(deque)
        self._standing: dict[str, Fault] = {}
        self._messages: dict[str, PostedActivity] = {}
        self._members: dict[str | None, list[dict[str, Any]]] = defaultdict(list)
        self._channels: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self._ids = itertools.count(1_700_000_000_001)
        self._changed: asyncio.Condition | None = None
        self._runner: web.AppRunner | None = None
        self._port = 0

    # ----------------------------------------------------------------- server

    @property
    def url(self) -> str:
        """The serviceUrl to give the bot, with a trailing slash like Teams'."""
        if not self._port:
            raise RuntimeError("the fake connector is not running")
        return f"http://127.0.0.1:{self._port}{self.prefix}/"

    async def start(self) -> FakeConnector:
        self._changed = asyncio.Condition()
        app = web.Application(client_max_size=4 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self._port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()
        return self

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeConnector:
        return await self.start()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    # ---------------------------------------------------------- configuration

    def script(self, conversation_id: str, *faults: Fault | int) -> None:
        """Answer the next requests to ``conversation_id`` with ``faults``, in order, then normally.

        An int is a status (``403``); a channel id also catches requests to its threads.
        """
        self._scripts[conversation_id].extend(_fault(f) for f in faults)

    def fail(self, conversation_id: str, fault: Fault | int) -> None:
        """Answer every request to ``conversation_id`` (and its threads) with ``fault`` until :meth:`heal`."""
        self._standing[conversation_id] = _fault(fault)

    def heal(self, conversation_id: str | None = None) -> None:
        """Forget scripted and standing faults, for one conversation or all."""
        if conversation_id is None:
            self._scripts.clear()
            self._standing.clear()
        else:
            self._scripts.pop(conversation_id, None)
            self._standing.pop(conversation_id, None)

    def add_member(
        self,
        member_id: str,
        *,
        name: str = "",
        aad_object_id: str | None = None,
        email: str | None = None,
        user_principal_name: str | None = None,
        tenant_id: str | None = None,
        conversation_id: str | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        """Make ``GET .../members/{id}`` answer for this person (in every conversation unless given one)."""
        member: dict[str, Any] = {"id": member_id, "name": name, "userRole": "user", **extra}
        optional = {
            "aadObjectId": aad_object_id,
            "email": email,
            "userPrincipalName": user_principal_name or email,
            "tenantId": tenant_id,
        }
        member.update({key: value for key, value in optional.items() if value})
        self._members[conversation_id].append(member)
        return member

    def add_channel(self, team_id: str, channel_id: str, name: str | None = None) -> None:
        """Make ``GET /v3/teams/{team}/conversations`` list this channel (General: id == team id, no name)."""
        self._channels[team_id].append({"id": channel_id, "name": name})

    # ---------------------------------------------------------------- queries

    def activities(self, conversation_id: str | None = None) -> list[PostedActivity]:
        """Messages in a conversation, oldest first.

        A channel id gives the channel's thread roots and replies too; a thread id gives that
        thread; a chat id that chat; None everything.
        """
        return [
            message
            for message in self._messages.values()
            if conversation_id is None
            or message.conversation_id == conversation_id
            or _thread_of(message.conversation_id) == conversation_id
        ]

    def activity(self, activity_id: str) -> PostedActivity:
        return self._messages[activity_id]

    def threads(self, channel_id: str) -> list[str]:
        """Ids (``<channel>;messageid=<root>``) of the threads started in a channel, oldest first."""
        return [
            m.conversation_id
            for m in self._messages.values()
            if _thread_of(m.conversation_id) == channel_id and m.conversation_id.endswith(f"={m.id}")
        ]

    def requests_to(self, conversation_id: str, operation: str | None = None) -> list[RecordedRequest]:
        """Requests to a conversation (a channel id includes its threads and new-thread posts)."""
        return [
            r
            for r in self.requests
            if r.conversation_id is not None
            and (r.conversation_id == conversation_id or _thread_of(r.conversation_id) == conversation_id)
            and (operation is None or r.operation == operation)
        ]

    def peak_concurrency(self) -> int:
        """The most requests that were ever in progress at once (all conversations together)."""
        events = sorted(
            [(r.arrived_at, 1) for r in self.requests if r.answered_at is not None]
            + [(r.answered_at, -1) for r in self.requests if r.answered_at is not None]
        )
        peak = current = 0
        for _, step in events:
            current += step
            peak = max(peak, current)
        return peak

    def assert_no_violations(self) -> None:
        if self.violations:
            listed = "\n".join(f"  {v.kind} on {v.thread}: {v.detail}" for v in self.violations[:20])
            raise AssertionError(f"{len(self.violations)} violation(s) of Teams' rules:\n{listed}")

    async def wait_for(self, predicate: Callable[[], T], timeout: float = 5.0) -> T:  # noqa: ASYNC109
        """Wait until ``predicate()`` is truthy (checked after every request) and return its value."""
        if self._changed is None:
            raise RuntimeError("the fake connector is not running")
        condition = self._changed
        result: list[T] = []

        def check() -> bool:
            value = predicate()
            if value:
                result.append(value)
                return True
            return False

        try:
            async with condition:
                await asyncio.wait_for(condition.wait_for(check), timeout)
        except TimeoutError:
            raise TimeoutError(
                f"condition not met within {timeout} s ({len(self.requests)} requests, "
                f"{len(self._messages)} messages, {len(self.violations)} violations)"
            ) from None
        return result[0]

    # ------------------------------------------------------------- handling

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        loop = asyncio.get_running_loop()
        arrived = loop.time()
        raw = await request.read()
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode("utf-8", "replace")
        record = self._record(request, body, arrived)
        thread = self._thread_key(record)
        self._in_flight[thread] += 1
        if self._in_flight[thread] > 1:
            self._violate("concurrent", thread, f"{self._in_flight[thread]} requests in flight", arrived)
        await self._notify()
        try:
            response = await self._respond(request, record, thread, arrived)
        finally:
            self._in_flight[thread] -= 1
            record.answered_at = loop.time()
            await self._notify()
        if response is not None:
            record.status = response.status
            return response
        # Dropped: close the connection without answering.
        if request.transport is not None:
            request.transport.abort()
        return web.Response(status=500)

    def _record(self, request: web.Request, body: Any, arrived: float) -> RecordedRequest:
        raw_path = request.raw_path.split("?")[0]
        segments = [unquote(s) for s in raw_path.split("/") if s]
        prefix = [s for s in self.prefix.split("/") if s]
        known = segments[: len(prefix)] == prefix
        operation, conversation_id, activity_id = _route(request.method, segments[len(prefix) :], body)
        if not known:
            operation = "unknown"
        record = RecordedRequest(
            method=request.method,
            path="/" + "/".join(segments[len(prefix) :] if known else segments),
            operation=operation,
            conversation_id=conversation_id,
            activity_id=activity_id,
            body=body,
            arrived_at=arrived,
            authorization=request.headers.get("Authorization"),
            query=dict(request.query),
        )
        self.requests.append(record)
        return record

    def _thread_key(self, record: RecordedRequest) -> str:
        if record.operation == "create_conversation" and record.conversation_id is None:
            record.conversation_id = _personal_chat_id(record.body)
        return _thread_of(record.conversation_id or "")

    async def _respond(
        self, request: web.Request, record: RecordedRequest, thread: str, arrived: float
    ) -> web.Response | None:
        if record.operation == "unknown":
            self._violate("unknown_route", None, f"{record.method} {request.raw_path}", arrived)
            return _error(404, "NotFound", "No such Bot Connector route.")
        if self.expect_token and record.authorization != f"Bearer {self.expect_token}":
            return _error(401)
        refused = self._throttle(record, thread, arrived)
        if refused is not None:
            return refused
        fault = self._next_fault(record.conversation_id or "")
        if fault.status == 429:
            self._block(thread, fault.retry_after, arrived)
        elif not fault.drop:
            self._count(record, thread, arrived)
        await asyncio.sleep(self.latency + fault.delay)
        if fault.drop:
            if fault.delivered:
                self._perform(record)
            return None
        if fault.status and fault.body is not None:
            return web.Response(status=fault.status, text=fault.body, content_type="text/html")
        if fault.status:
            return _error(fault.status, fault.code, fault.message, fault.retry_after)
        return self._perform(record)

    def _throttle(self, record: RecordedRequest, thread: str, now: float) -> web.Response | None:
        """Teams' own 429s: after a Retry-After, and over any window."""
        blocked = self._blocked_until.get(thread, 0.0)
        if now < blocked:
            self._violate("retry_after_ignored", thread, f"{blocked - now:.3f} s before Retry-After", now)
            return _error(429, retry_after=_seconds(blocked - now))
        wait = self._global.wait(now)
        if wait > 0:
            self._violate("global_rate_limit", thread, f"{record.method} {record.path}", now)
            self._block(thread, _seconds(wait), now)
            return _error(429, retry_after=_seconds(wait))
        wait = self._windows(record, thread).wait(now)
        if wait > 0:
            self._violate("rate_limit", thread, f"{record.operation} over Teams' per-thread limit", now)
            self._block(thread, _seconds(wait), now)
            return _error(429, retry_after=_seconds(wait))
        return None

    def _windows(self, record: RecordedRequest, thread: str) -> _Windows:
        if record.operation in _SEND_OPERATIONS:
            return self._send_windows.setdefault(thread, _Windows(self._thread_limits))
        return self._read_windows.setdefault(thread, _Windows(self._read_limits))

    def _count(self, record: RecordedRequest, thread: str, now: float) -> None:
        self._global.add(now)
        self._windows(record, thread).add(now)

    def _block(self, thread: str, retry_after: float | str | None, now: float) -> None:
        if isinstance(retry_after, int | float):
            self._blocked_until[thread] = max(self._blocked_until.get(thread, 0.0), now + retry_after)

    def _next_fault(self, conversation_id: str) -> Fault:
        for key in (conversation_id, _thread_of(conversation_id)):
            if self._scripts.get(key):
                return self._scripts[key].popleft()
        for key in (conversation_id, _thread_of(conversation_id)):
            if key in self._standing:
                return self._standing[key]
        return Fault()

    def _violate(self, kind: str, thread: str | None, detail: str, at: float) -> None:
        self.violations.append(Violation(kind=kind, thread=thread, detail=detail, at=at))

    async def _notify(self) -> None:
        if self._changed is not None:
            async with self._changed:
                self._changed.notify_all()

    # ---------------------------------------------------------- operations

    def _perform(self, record: RecordedRequest) -> web.Response:
        body = record.body if isinstance(record.body, dict) else None
        conversation_id = record.conversation_id or ""
        match record.operation:
            case "create_conversation":
                return self._create(body, record)
            case "send" | "reply":
                if body is None or not body.get("type"):
                    return _error(400, "BadArgument", "The activity needs a type.")
                activity_id = self._post(conversation_id, body, record.activity_id, record.arrived_at)
                return web.json_response({"id": activity_id}, status=201)
            case "update":
                return self._update(conversation_id, record.activity_id or "", body)
            case "get_member":
                member = self._member(conversation_id, record.activity_id or "")
                if member is None:
                    return _error(404, "MemberNotFoundInConversation", "The member was not found.")
                return web.json_response(member)
            case "paged_members":
                members = self._members.get(conversation_id, []) + self._members.get(None, [])
                return self._page(members, record.query)
            case "team_channels":
                return web.json_response({"conversations": self._channels.get(conversation_id, [])})
        return _error(404, "NotFound", "No such Bot Connector route.")

    def _create(self, body: dict[str, Any] | None, record: RecordedRequest) -> web.Response:
        if body is None:
            return _error(400, "BadArgument", "Conversation parameters are missing.")
        activity = body.get("activity")
        channel_id = ((body.get("channelData") or {}).get("channel") or {}).get("id")
        if body.get("isGroup") and channel_id:
            if not isinstance(activity, dict) or not activity.get("type"):
                return _error(400, "BadArgument", "A new thread needs an activity.")
            root_id = str(next(self._ids))
            thread_id = f"{channel_id};messageid={root_id}"
            self._post(thread_id, activity, None, record.arrived_at, activity_id=root_id)
            return web.json_response({"id": thread_id, "activityId": root_id}, status=201)
        chat_id = _personal_chat_id(body)
        if chat_id is None:
            return _error(400, "BadArgument", "A personal chat needs exactly one member.")
        answer: dict[str, Any] = {"id": chat_id}
        if isinstance(activity, dict):
            answer["activityId"] = self._post(chat_id, activity, None, record.arrived_at)
        return web.json_response(answer, status=201)

    def _post(
        self,
        conversation_id: str,
        activity: dict[str, Any],
        reply_to_id: str | None,
        at: float,
        activity_id: str | None = None,
    ) -> str:
        activity_id = activity_id or str(next(self._ids))
        self._messages[activity_id] = PostedActivity(
            conversation_id=conversation_id,
            id=activity_id,
            activity=dict(activity),
            posted_at=at,
            reply_to_id=reply_to_id,
            history=[dict(activity)],
        )
        return activity_id

    def _update(self, conversation_id: str, activity_id: str, body: dict[str, Any] | None) -> web.Response:
        message = self._messages.get(activity_id)
        if message is None or _thread_of(message.conversation_id) != _thread_of(conversation_id):
            return _error(404, "ActivityNotFound", "The activity was not found in this conversation.")
        if body is None or not body.get("type"):
            return _error(400, "BadArgument", "The activity needs a type.")
        message.activity = dict(body)
        message.history.append(dict(body))
        return web.json_response({"id": activity_id})

    def _page(self, members: list[dict[str, Any]], query: dict[str, str]) -> web.Response:
        """One page of members (``pageSize``, default 500 as Teams), with the token for the next."""
        try:
            size = max(1, min(500, int(query.get("pageSize") or 500)))
            start = int(query.get("continuationToken") or 0)
        except ValueError:
            return _error(400, "BadArgument", "Bad pageSize or continuationToken.")
        answer: dict[str, Any] = {"members": members[start : start + size]}
        if start + size < len(members):
            answer["continuationToken"] = str(start + size)
        return web.json_response(answer)

    def _member(self, conversation_id: str, member_id: str) -> dict[str, Any] | None:
        for member in self._members.get(conversation_id, []) + self._members.get(None, []):
            if member_id in (member.get("id"), member.get("aadObjectId")):
                return member
        return None


def _route(method: str, segments: list[str], body: Any) -> tuple[str, str | None, str | None]:
    """(operation, conversation id, activity or member id) for a path below the prefix."""
    match method, segments:
        case "POST", ["v3", "conversations"]:
            channel_data = body.get("channelData") if isinstance(body, dict) else None
            channel = (channel_data or {}).get("channel") or {}
            return "create_conversation", channel.get("id"), None
        case "POST", ["v3", "conversations", conversation_id, "activities"]:
            return "send", conversation_id, None
        case "POST", ["v3", "conversations", conversation_id, "activities", reply_to_id]:
            return "reply", conversation_id, reply_to_id
        case "PUT", ["v3", "conversations", conversation_id, "activities", activity_id]:
            return "update", conversation_id, activity_id
        case "GET", ["v3", "conversations", conversation_id, "members", member_id]:
            return "get_member", conversation_id, member_id
        case "GET", ["v3", "conversations", conversation_id, "pagedmembers"]:
            return "paged_members", conversation_id, None
        case "GET", ["v3", "teams", team_id, "conversations"]:
            return "team_channels", team_id, None
    return "unknown", None, None


def _thread_of(conversation_id: str) -> str:
    """Teams counts a channel's reply threads against the channel."""
    return conversation_id.split(";messageid=")[0]


def personal_chat_id(member_id: str) -> str:
    """The id the fake gives the 1:1 chat with ``member_id`` (to script faults on its creation)."""
    return "a:1" + hashlib.sha256(member_id.encode()).hexdigest()[:24]


def _personal_chat_id(body: Any) -> str | None:
    members = body.get("members") if isinstance(body, dict) else None
    if not isinstance(members, list) or len(members) != 1 or not isinstance(members[0], dict):
        return None
    member_id = str(members[0].get("id") or "")
    if not member_id:
        return None
    return personal_chat_id(member_id)


def _fault(value: Fault | int) -> Fault:
    return value if isinstance(value, Fault) else Fault(status=value)


def _seconds(value: float) -> float:
    """Retry-After as Teams sends it: whole seconds, at least one."""
    return float(max(1, math.ceil(value)))


def _error(
    status: int, code: str | None = None, message: str | None = None, retry_after: float | str | None = None
) -> web.Response:
    default_code, default_message = _DEFAULT_ERRORS.get(status, ("Error", "An error occurred."))
    headers: dict[str, str] = {}
    if retry_after is not None:
        headers["Retry-After"] = retry_after if isinstance(retry_after, str) else f"{retry_after:g}"
    body = {"error": {"code": code or default_code, "message": message or default_message}}
    return web.json_response(body, status=status, headers=headers)
