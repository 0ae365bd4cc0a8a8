"""HTTP routes: ``POST /api/messages`` with strict input checks, and ``GET /healthz``.

Bad input is answered with a 4xx and a short JSON error, never a 500 or a stack trace.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import jwt
from aiohttp import web
from botbuilder.core import Bot

from bot.safe_logging import describe
from bot.teams.activity_json import activity_from_json
from bot.teams.adapter import TeamsAdapter
from communities.clock import Clock
from communities.db import Database

log = logging.getLogger(__name__)

ADAPTER = web.AppKey("adapter", TeamsAdapter)
BOT = web.AppKey("bot", Bot)
DATABASE = web.AppKey("database", Database)
MAX_BODY = web.AppKey("max_body", int)
CLOCK = web.AppKey("clock", Clock)

#: Activity types that carry a sender; anything else only needs to say where it came from.
_NEEDS_SENDER = frozenset({"message", "invoke"})


def error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


async def messages(request: web.Request) -> web.StreamResponse:
    content_type = request.headers.get("Content-Type", "")
    if request.content_type != "application/json":
        return error(415, f"expected Content-Type application/json, got {content_type or 'none'}")
    limit = request.app[MAX_BODY]
    if request.content_length is not None and request.content_length > limit:
        return error(413, f"request body over {limit} bytes")
    raw = await read_at_most(request, limit)
    if raw is None:
        return error(413, f"request body over {limit} bytes")
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, ValueError):
        return error(400, "the body is not valid JSON")
    problem = missing_fields(body)
    if problem:
        return error(400, problem)
    try:
        activity = activity_from_json(body)
    except Exception:  # msrest raises several types for shape errors
        return error(400, "the activity does not have the Bot Framework shape")

    auth_header = request.headers.get("Authorization", "")
    try:
        response = await request.app[ADAPTER].process_activity(
            auth_header, activity, request.app[BOT].on_turn
        )
    except (PermissionError, jwt.PyJWTError):
        return error(401, "missing or invalid Bot Framework token")
    except OSError as exc:  # e.g. the signing keys could not be fetched
        log.warning("could not authenticate a request: %s", type(exc).__name__)
        return error(503, "could not check the request's token right now")
    if response is not None:
        return web.json_response(response.body, status=response.status)
    return web.Response(status=201 if activity.type == "message" else 200)


async def read_at_most(request: web.Request, limit: int) -> bytes | None:
    """The body, or None once it passes ``limit`` bytes (a chunked body has no Content-Length)."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.content.iter_chunked(64 * 1024):
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def missing_fields(body: Any) -> str | None:
    """Why this JSON is not an activity we can process, or None if it is."""
    if not isinstance(body, dict):
        return "the body must be a JSON object (an activity)"
    for name in ("type", "channelId", "serviceUrl"):
        if not isinstance(body.get(name), str) or not body[name].strip():
            return f"the activity has no {name}"
    if not body["serviceUrl"].startswith(("https://", "http://")):
        return "serviceUrl must be an http(s) URL"
    conversation = body.get("conversation")
    if (
        not isinstance(conversation, dict)
        or not isinstance(conversation.get("id"), str)
        or not conversation["id"]
    ):
        return "the activity has no conversation.id"
    sender = body.get("from")
    if body["type"] in _NEEDS_SENDER and (not isinstance(sender, dict) or not sender.get("id")):
        return "the activity has no from.id"
    for name in ("recipient", "from", "channelData", "value"):
        if name in body and body[name] is not None and name != "value" and not isinstance(body[name], dict):
            return f"{name} must be an object"
    return None


async def calendar_feed(request: web.Request) -> web.Response:
    """A community's meetings as iCalendar; the unguessable token in the URL is the only key."""
    from scheduler.calendars.feed import feed_for_token
    from scheduler.calendars.local import FEED_CONTENT_TYPE

    clock = request.app[CLOCK]
    body = await feed_for_token(request.app[DATABASE], request.match_info["token"], clock.now())
    if body is None:
        return web.Response(status=404, text="No such calendar.")
    return web.Response(
        body=body,
        headers={
            "Content-Type": FEED_CONTENT_TYPE,
            "Cache-Control": "private, max-age=900",
            "X-Robots-Tag": "noindex",
        },
    )


async def healthz(request: web.Request) -> web.Response:
    try:
        await request.app[DATABASE].ping()
    except Exception as exc:  # any driver error means "not healthy"
        log.warning("health check: database unavailable: %s", type(exc).__name__)
        return web.json_response({"status": "unavailable", "database": "unreachable"}, status=503)
    return web.json_response({"status": "ok", "database": "ok"})


@web.middleware
async def no_stack_traces(request: web.Request, handler: Any) -> web.StreamResponse:
    """Unexpected errors become a plain 500 JSON body; the trace goes to the log only."""
    try:
        response: web.StreamResponse = await handler(request)
        return response
    except web.HTTPException as exc:
        if exc.status >= 400:
            return error(exc.status, exc.reason)
        raise
    except Exception as exc:
        log.error("unhandled error on %s %s: %s", request.method, request.path, describe(exc))
        return error(500, "internal error")
