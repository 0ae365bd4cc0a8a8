"""A Bot Connector REST client over one shared aiohttp session.

botbuilder's msrest connector is built anew for every turn and sends through
``requests`` in a thread pool; this client reuses one connection pool for turn
replies and proactive sends alike. Activities are plain JSON dicts.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from email.utils import parsedate_to_datetime
from typing import Any, Protocol
from urllib.parse import quote

import aiohttp
from yarl import URL

from communities.db import refuse_while_holding_session

log = logging.getLogger(__name__)

#: Statuses Teams asks bots to retry with backoff (rate-limit.md), plus 503.
TRANSIENT_STATUSES = frozenset({412, 429, 500, 502, 503, 504})

_PERMANENT_REASONS = {
    401: "the bot's credentials were refused by Teams",
    403: "the bot is not allowed to post here (the app is not installed in this team, "
    "or it was blocked or removed)",
    404: "the conversation was not found (the channel or chat was deleted, or the app was removed)",
    413: "the message is too large for Teams",
}


#: An activity (or other request body) as JSON: a dict, or its JSON text already written
#: (``bot.teams.activity_json.activity_json_text``, which saves copying a card to a dict first).
Body = dict[str, Any] | str


class TokenProvider(Protocol):
    async def token(self) -> str | None:
        """A bearer token for the Bot Connector, or None when running without an app id."""
        ...


class ConnectorError(Exception):
    """A Bot Connector call failed. ``transient`` says whether to retry it."""

    def __init__(self, status: int, detail: str, retry_after: float | None = None) -> None:
        self.status = status
        self.detail = detail
        self.retry_after = retry_after
        super().__init__(f"{status}: {detail}" if status else detail)

    @property
    def transient(self) -> bool:
        return self.status == 0 or self.status in TRANSIENT_STATUSES

    @property
    def reason(self) -> str:
        """A sentence a person can read, for delivery reports."""
        base = _PERMANENT_REASONS.get(self.status)
        if base is None:
            if self.status == 0:
                base = "Teams could not be reached"
            elif self.status == 429:
                base = "Teams kept asking the bot to slow down"
            else:
                base = f"Teams answered {self.status}"
        return f"{base} ({self.detail})" if self.detail else base


class BotConnector:
    """The calls the bot makes. Posts and edits in one conversation go one at a time (in this
    process): Teams asks bots not to post concurrently in a thread, and a turn's reply and the
    outbox's send to the same chat would otherwise overlap."""

    def __init__(self, session: aiohttp.ClientSession, tokens: TokenProvider) -> None:
        self._session = session
        self._tokens = tokens
        #: Per conversation (channel threads share their channel's): its lock and how many use it.
        self._threads: dict[str, tuple[asyncio.Lock, int]] = {}

    async def create_conversation(self, service_url: str, parameters: dict[str, Any]) -> dict[str, Any]:
        """``POST /v3/conversations``: in a channel this starts a new thread."""
        return await self._call("POST", service_url, "/v3/conversations", parameters)

    async def send_to_conversation(
        self, service_url: str, conversation_id: str, activity: Body
    ) -> dict[str, Any]:
        path = f"/v3/conversations/{_seg(conversation_id)}/activities"
        async with self._one_at_a_time(conversation_id):
            return await self._call("POST", service_url, path, activity)

    async def reply_to_activity(
        self, service_url: str, conversation_id: str, reply_to_id: str, activity: Body
    ) -> dict[str, Any]:
        path = f"/v3/conversations/{_seg(conversation_id)}/activities/{_seg(reply_to_id)}"
        async with self._one_at_a_time(conversation_id):
            return await self._call("POST", service_url, path, activity)

    async def update_activity(
        self, service_url: str, conversation_id: str, activity_id: str, activity: Body
    ) -> dict[str, Any]:
        path = f"/v3/conversations/{_seg(conversation_id)}/activities/{_seg(activity_id)}"
        async with self._one_at_a_time(conversation_id):
            return await self._call("PUT", service_url, path, activity)

    async def get_member(self, service_url: str, conversation_id: str, member_id: str) -> dict[str, Any]:
        """One member of a conversation, with ``email``/``userPrincipalName`` when Teams gives them."""
        path = f"/v3/conversations/{_seg(conversation_id)}/members/{_seg(member_id)}"
        return await self._call("GET", service_url, path, None)

    async def get_paged_members(
        self,
        service_url: str,
        conversation_id: str,
        page_size: int = 500,
        continuation_token: str | None = None,
    ) -> dict[str, Any]:
        """``GET .../{id}/pagedmembers``: ``members``, and while more follow, ``continuationToken``."""
        path = f"/v3/conversations/{_seg(conversation_id)}/pagedmembers?pageSize={int(page_size)}"
        if continuation_token:
            path += f"&continuationToken={_seg(continuation_token)}"
        return await self._call("GET", service_url, path, None)

    @asynccontextmanager
    async def _one_at_a_time(self, conversation_id: str) -> AsyncIterator[None]:
        thread = conversation_id.split(";", 1)[0]
        lock, users = self._threads.get(thread) or (asyncio.Lock(), 0)
        self._threads[thread] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._threads[thread]
            if users == 1:
                del self._threads[thread]
            else:
                self._threads[thread] = (lock, users - 1)

    async def _call(self, method: str, service_url: str, path: str, body: Body | None) -> dict[str, Any]:
        refuse_while_holding_session(f"a Bot Connector call ({method})")
        url = URL(service_url.rstrip("/") + path, encoded=True)
        headers = {"Content-Type": "application/json; charset=utf-8"}
        token = await self._tokens.token()
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if body is None:
            data = None
        else:
            text = body if isinstance(body, str) else json.dumps(body, separators=(",", ":"))
            data = text.encode()
        try:
            async with self._session.request(method, url, data=data, headers=headers) as response:
                text = await response.text()
                if response.status >= 400:
                    raise ConnectorError(
                        response.status,
                        _error_detail(text),
                        _retry_after(response.headers.get("Retry-After")),
                    )
                if not text:
                    return {}
                parsed = json.loads(text)
                return parsed if isinstance(parsed, dict) else {}
        except (aiohttp.ClientError, TimeoutError, json.JSONDecodeError) as exc:
            raise ConnectorError(0, f"{type(exc).__name__}: {exc}") from exc


def _seg(value: str) -> str:
    return quote(value, safe="")


def _error_detail(text: str) -> str:
    try:
        body = json.loads(text)
    except ValueError:
        return text[:200]
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        return " ".join(str(error.get(k)) for k in ("code", "message") if error.get(k))[:300]
    return text[:200]


def _retry_after(header: str | None) -> float | None:
    """Retry-After in seconds, from either of its two forms."""
    if not header:
        return None
    try:
        return max(0.0, float(header))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class NoTokens:
    """Local development without an app id: the emulator and Playground need no token."""

    async def token(self) -> str | None:
        return None


class BotFrameworkTokens:
    """Tokens for the Bot Connector from the bot's Entra app, via botframework-connector's MSAL.

    MSAL caches the token; the blocking call runs in a thread, and we keep the
    token for a few minutes so that a turn rarely pays even the thread hop.
    """

    _KEEP_SECONDS = 300.0

    def __init__(self, credentials: Any) -> None:
        self._credentials = credentials
        self._token: str | None = None
        self._fetched_at = 0.0
        self._lock = asyncio.Lock()

    async def token(self) -> str | None:
        if self._token and time.monotonic() - self._fetched_at < self._KEEP_SECONDS:
            return self._token
        async with self._lock:
            if self._token and time.monotonic() - self._fetched_at < self._KEEP_SECONDS:
                return self._token
            token = await asyncio.to_thread(self._credentials.get_access_token)
            self._token = str(token) if token else None
            self._fetched_at = time.monotonic()
            return self._token
