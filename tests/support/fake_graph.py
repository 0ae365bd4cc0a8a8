"""A fake Microsoft Graph (calendar events) and Entra ID token endpoint on one local aiohttp server.

Point the real msgraph-sdk client at :attr:`FakeGraph.base_url`, and an azure-identity credential
at :attr:`FakeGraph.authority` (the token endpoint needs HTTPS: pass ``tls=`` from
:func:`make_tls` and trust its CA)::

    async with FakeGraph(tls=make_tls(tmp_path)) as graph:
        ...
        graph.assert_no_violations()

It records every request and holds the client to the shapes in the Graph docs
(microsoftgraph/microsoft-graph-docs-contrib ``resources/event.md``, ``api/user-post-events.md``,
``api/event-update.md``, ``api/event-cancel.md``): a malformed request, or an Event property
Graph does not know, is answered 400 as Graph does and also recorded as a violation. Events live
in memory; a POST repeating a ``transactionId`` returns the first event; attendees are "invited"
when an event is created and when a PATCH adds them, so tests can see who got an invitation.
An online event's body carries a Teams join block; a PATCH whose body drops it disables the meeting
(as Graph documents), recorded in ``dropped_join_links``. Answers can be scripted: the next N
Graph requests get 429/503 (with ``Retry-After``) or 403/404.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import html
import ipaddress
import re
import secrets
import socket
import ssl
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

GRAPH_PREFIX = "/v1.0"
DEFAULT_MAILBOX = "cos-meetings@kent.example"

#: Every property of microsoft.graph.event (v1.0), plus the annotation the SDK sends.
EVENT_PROPERTIES = frozenset(
    {
        "@odata.type",
        "allowNewTimeProposals",
        "attachments",
        "attendees",
        "body",
        "bodyPreview",
        "calendar",
        "cancelledOccurrences",
        "categories",
        "changeKey",
        "createdDateTime",
        "end",
        "exceptionOccurrences",
        "extensions",
        "hasAttachments",
        "hideAttendees",
        "iCalUId",
        "id",
        "importance",
        "instances",
        "isAllDay",
        "isCancelled",
        "isDraft",
        "isOnlineMeeting",
        "isOrganizer",
        "isReminderOn",
        "lastModifiedDateTime",
        "location",
        "locations",
        "multiValueExtendedProperties",
        "onlineMeeting",
        "onlineMeetingProvider",
        "onlineMeetingUrl",
        "organizer",
        "originalEndTimeZone",
        "originalStart",
        "originalStartTimeZone",
        "recurrence",
        "reminderMinutesBeforeStart",
        "responseRequested",
        "responseStatus",
        "sensitivity",
        "seriesMasterId",
        "showAs",
        "singleValueExtendedProperties",
        "start",
        "subject",
        "transactionId",
        "type",
        "webLink",
    }
)
ATTENDEE_TYPES = frozenset({"required", "optional", "resource"})
ONLINE_PROVIDERS = frozenset({"unknown", "teamsForBusiness", "skypeForBusiness", "skypeForConsumer"})
_DATE_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,7})?")
_PREFER_TZ = re.compile(r'outlook\.timezone\s*=\s*"([^"]+)"')
_JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

_DEFAULT_ERRORS = {
    400: ("BadRequest", "The request is malformed."),
    401: ("InvalidAuthenticationToken", "Access token validation failure."),
    403: ("ErrorAccessDenied", "Access is denied. Check credentials and try again."),
    404: ("ErrorItemNotFound", "The specified object was not found in the store."),
    429: ("ApplicationThrottled", "Application is over its MailboxConcurrency limit."),
    500: ("InternalServerError", "An internal server error occurred."),
    503: ("ServiceUnavailable", "The service is temporarily unavailable."),
    504: ("GatewayTimeout", "The gateway timed out."),
}


# --------------------------------------------------------------------------------------------- TLS


@dataclass(frozen=True)
class LocalTls:
    """A throwaway CA and a server certificate for 127.0.0.1 / localhost, as PEM files."""

    ca_file: Path
    cert_file: Path
    key_file: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert_file, self.key_file)
        return context


def make_tls(directory: Path) -> LocalTls:
    """Write a fresh CA and a server certificate signed by it into ``directory``."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "cosbot test CA")])
    ca = (
        _certificate(ca_name, ca_name, ca_key.public_key(), now)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    server_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    names = [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
    cert = (
        _certificate(server_name, ca_name, key.public_key(), now)
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    directory.mkdir(parents=True, exist_ok=True)
    tls = LocalTls(directory / "ca.pem", directory / "server.pem", directory / "server-key.pem")
    tls.ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    tls.cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    tls.key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return tls


def _certificate(
    subject: x509.Name, issuer: x509.Name, public_key: ec.EllipticCurvePublicKey, now: dt.datetime
) -> x509.CertificateBuilder:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
    )


# ---------------------------------------------------------------------------------------- records


@dataclass(frozen=True)
class GraphRequest:
    """One request as it arrived, and the status it was answered with."""

    method: str
    #: Decoded path, e.g. ``/v1.0/users/cos-meetings@kent.example/calendar/events``.
    path: str
    query: dict[str, str]
    #: Header names lower-cased.
    headers: dict[str, str]
    #: The parsed JSON body (None when there was none).
    json: Any
    #: The form fields of a token request.
    form: dict[str, str]
    at: float
    status: int

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass(frozen=True)
class Invitation:
    event_id: str
    #: Lower-cased address.
    email: str


@dataclass(frozen=True)
class Fault:
    status: int
    retry_after: str | None = None
    code: str | None = None
    message: str | None = None


@dataclass
class StoredEvent:
    id: str
    ical_uid: str
    mailbox: str
    fields: dict[str, Any]
    starts_at: dt.datetime
    ends_at: dt.datetime
    join_url: str | None = None
    transaction_id: str | None = None
    #: Lower-cased addresses of the current attendees.
    attendees: list[str] = field(default_factory=list)


class _Reject(Exception):
    def __init__(self, status: int, code: str, message: str, *, violation: bool = True) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.violation = status, code, message, violation


# ------------------------------------------------------------------------------------------ server


class FakeGraph:
    """See the module docstring. ``async with FakeGraph() as graph:`` or ``start()``/``close()``.

    ``client_secret``: the secret the token endpoint accepts (None accepts any secret, and any
    signed client assertion). ``require_token``: Graph answers 401 unless a request carries
    ``Authorization: Bearer <token>``. ``delay``: seconds each Graph request takes.
    """

    def __init__(
        self,
        *,
        mailboxes: tuple[str, ...] = (DEFAULT_MAILBOX,),
        tls: LocalTls | None = None,
        client_secret: str | None = None,
        require_token: bool = False,
        delay: float = 0.0,
    ) -> None:
        self.mailboxes = {mailbox.lower() for mailbox in mailboxes}
        self.tls = tls
        self.client_secret = client_secret
        self.require_token = require_token
        self.delay = delay
        #: False: answer PATCH with 204 and no body (as Graph does under ``Prefer: return=minimal``).
        self.patch_returns_body = True
        self.token = "fake-graph-token-" + secrets.token_urlsafe(12)
        #: The secret App Service puts in IDENTITY_HEADER for its managed identity endpoint.
        self.identity_header = "fake-identity-header-" + secrets.token_urlsafe(12)
        self.requests: list[GraphRequest] = []
        self.violations: list[str] = []
        self.events: dict[str, StoredEvent] = {}
        #: Event id -> the comment sent with the cancellation.
        self.cancelled: dict[str, str] = {}
        self.invitations: list[Invitation] = []
        #: Attendees taken off an event by a PATCH (Graph tells them the meeting is cancelled).
        self.uninvited: list[Invitation] = []
        #: Ids of events whose Teams meeting a PATCH disabled by replacing the body without its join block.
        self.dropped_join_links: list[str] = []
        self.in_flight = 0
        self.max_in_flight = 0
        #: (user id, catalog app id) for each app installed for a user (``teamwork/installedApps``).
        self.installed_apps: list[tuple[str, str]] = []
        #: User ids that Graph does not know (an install for them is answered 404).
        self.users_without_teams: set[str] = set()
        self._faults: deque[Fault] = deque()
        self._runner: web.AppRunner | None = None
        self._port = 0

    # ------------------------------------------------------------------------------ lifecycle

    async def start(self) -> FakeGraph:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self._port = sock.getsockname()[1]
        context = self.tls.server_context() if self.tls else None
        await web.SockSite(self._runner, sock, ssl_context=context).start()
        return self

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeGraph:
        return await self.start()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    @property
    def origin(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self._port}"

    @property
    def base_url(self) -> str:
        return self.origin + GRAPH_PREFIX

    @property
    def identity_endpoint(self) -> str:
        """For IDENTITY_ENDPOINT: an App Service managed identity endpoint."""
        return self.origin + "/msi/token"

    @property
    def authority(self) -> str:
        """For azure-identity's ``authority=`` (it always speaks HTTPS to it)."""
        return f"127.0.0.1:{self._port}"

    # ---------------------------------------------------------------------------- scripting

    def fail_next(
        self,
        count: int,
        status: int,
        *,
        retry_after: float | str | None = None,
        code: str | None = None,
        message: str | None = None,
    ) -> None:
        """Answer the next ``count`` Graph requests (not token requests) with ``status``."""
        after = None if retry_after is None else str(retry_after)
        self._faults.extend(Fault(status, after, code, message) for _ in range(count))

    # ------------------------------------------------------------------------------ queries

    @property
    def graph_requests(self) -> list[GraphRequest]:
        return [request for request in self.requests if request.path.startswith(GRAPH_PREFIX + "/")]

    @property
    def token_requests(self) -> list[GraphRequest]:
        return [request for request in self.requests if request.path.endswith("/oauth2/v2.0/token")]

    @property
    def identity_requests(self) -> list[GraphRequest]:
        return [request for request in self.requests if request.path == "/msi/token"]

    def invited(self, event_id: str) -> list[str]:
        """Addresses that received an invitation to the event, in order."""
        return [invitation.email for invitation in self.invitations if invitation.event_id == event_id]

    def assert_no_violations(self) -> None:
        assert not self.violations, "requests Graph would reject:\n" + "\n".join(self.violations)

    # ------------------------------------------------------------------------------ handling

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        raw = await request.read()
        form = dict(parse_qsl(raw.decode())) if request.content_type.endswith("urlencoded") else {}
        body = await request.json() if raw and request.content_type == "application/json" else None
        status = 500
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self.delay:
                await asyncio.sleep(self.delay)
            response = self._answer(request, body, form)
            status = response.status
            return response
        finally:
            self.in_flight -= 1
            self.requests.append(
                GraphRequest(
                    method=request.method,
                    path=request.path,
                    query=dict(request.query),
                    headers={name.lower(): value for name, value in request.headers.items()},
                    json=body,
                    form=form,
                    at=time.monotonic(),
                    status=status,
                )
            )

    def _answer(self, request: web.Request, body: Any, form: dict[str, str]) -> web.Response:
        if request.path.endswith("/oauth2/v2.0/token") and request.method == "POST":
            return self._token(form)
        if request.path == "/msi/token" and request.method == "GET":
            return self._managed_identity(request)
        if not request.path.startswith(GRAPH_PREFIX + "/"):
            self.violations.append(f"{request.method} {request.path}: not a Graph v1.0 path")
            return _error(404, "UnknownPath", f"No such path: {request.path}")
        try:
            self._check_token(request)
            if self._faults:
                return self._fault(self._faults.popleft())
            return self._route(request, body)
        except _Reject as reject:
            if reject.violation:
                self.violations.append(f"{request.method} {request.path}: {reject.message}")
            return _error(reject.status, reject.code, reject.message)

    def _fault(self, fault: Fault) -> web.Response:
        code, message = _DEFAULT_ERRORS.get(fault.status, ("Error", "An error occurred."))
        headers = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
        return _error(fault.status, fault.code or code, fault.message or message, headers)

    def _check_token(self, request: web.Request) -> None:
        if self.require_token and request.headers.get("Authorization") != f"Bearer {self.token}":
            raise _Reject(401, "InvalidAuthenticationToken", "Access token is empty or not valid.")

    # ----------------------------------------------------------------------------- token

    def _token(self, form: dict[str, str]) -> web.Response:
        problems = []
        if form.get("grant_type") != "client_credentials":
            problems.append(f"grant_type must be client_credentials, not {form.get('grant_type')!r}")
        if not form.get("client_id"):
            problems.append("client_id is missing")
        if not form.get("scope", "").endswith("/.default"):
            problems.append(f"an app-only scope ends in /.default, not {form.get('scope')!r}")
        has_secret = "client_secret" in form
        has_assertion = form.get("client_assertion_type") == _JWT_BEARER and bool(
            form.get("client_assertion")
        )
        if has_secret == has_assertion:
            problems.append("exactly one of client_secret and a jwt-bearer client_assertion is needed")
        if problems:
            self.violations.append("token request: " + "; ".join(problems))
            return web.json_response(
                {"error": "invalid_request", "error_description": "AADSTS900144: " + "; ".join(problems)},
                status=400,
            )
        if has_secret and self.client_secret is not None and form["client_secret"] != self.client_secret:
            description = (
                "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the "
                "request is the client secret value, not the client secret ID."
            )
            return web.json_response(
                {"error": "invalid_client", "error_description": description}, status=401
            )
        return web.json_response(
            {"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": self.token}
        )

    def _managed_identity(self, request: web.Request) -> web.Response:
        """App Service's managed identity endpoint (api-version 2019-08-01)."""
        problems = []
        if request.headers.get("X-IDENTITY-HEADER") != self.identity_header:
            problems.append("X-IDENTITY-HEADER is missing or wrong")
        if request.query.get("api-version") != "2019-08-01":
            problems.append(f"api-version must be 2019-08-01, not {request.query.get('api-version')!r}")
        if not request.query.get("resource"):
            problems.append("resource is missing")
        if problems:
            self.violations.append("managed identity request: " + "; ".join(problems))
            return web.json_response({"statusCode": 400, "message": "; ".join(problems)}, status=400)
        expires_on = str(int(time.time()) + 3600)
        return web.json_response(
            {
                "access_token": self.token,
                "expires_on": expires_on,
                "resource": request.query["resource"],
                "token_type": "Bearer",
            }
        )

    # ----------------------------------------------------------------------------- graph

    def _route(self, request: web.Request, body: Any) -> web.Response:
        parts = request.path[len(GRAPH_PREFIX) + 1 :].split("/")
        if len(parts) == 4 and parts[0] == "users" and parts[2:] == ["teamwork", "installedApps"]:
            return self._install_app(parts[1], request, body)
        if len(parts) < 3 or parts[0] != "users":
            raise _Reject(400, "BadRequest", f"Resource not found for the segment '{parts[0]}'.")
        mailbox, rest = parts[1], parts[2:]
        if rest[:2] == ["calendar", "events"]:
            rest = rest[2:]
        elif rest[:1] == ["events"]:
            rest = rest[1:]
        else:
            raise _Reject(400, "BadRequest", f"Resource not found for the segment '{rest[0]}'.")
        if mailbox.lower() not in self.mailboxes:
            raise _Reject(
                404, "ErrorInvalidUser", f"The requested user '{mailbox}' is invalid.", violation=False
            )
        method = request.method
        if not rest and method == "POST":
            return self._create(mailbox.lower(), request, body)
        if len(rest) == 1 and method in ("GET", "PATCH", "DELETE"):
            event = self._event(mailbox, rest[0])
            if method == "GET":
                return self._get(event, request)
            if method == "PATCH":
                return self._patch(event, request, body)
            del self.events[event.id]
            return web.Response(status=204)
        if len(rest) == 2 and rest[1] == "cancel" and method == "POST":
            return self._cancel(self._event(mailbox, rest[0]), body)
        raise _Reject(405, "MethodNotAllowed", f"{method} is not supported on {request.path}.")

    def _install_app(self, user_id: str, request: web.Request, body: Any) -> web.Response:
        """``POST /users/{id}/teamwork/installedApps`` (api/userteamwork-post-installedapps.md)."""
        if request.method != "POST":
            raise _Reject(405, "MethodNotAllowed", f"{request.method} is not supported on {request.path}.")
        _check_json_request(request, body)
        bind = body.get("teamsApp@odata.bind") if isinstance(body, dict) else None
        found = re.fullmatch(r"https?://[^ ]+/appCatalogs/teamsApps/([^/ ]+)", str(bind or ""))
        if found is None or set(body) - {"teamsApp@odata.bind", "consentedPermissionSet", "@odata.type"}:
            raise _Reject(400, "BadRequest", "Bind teamsApp@odata.bind to /appCatalogs/teamsApps/{id}.")
        if user_id.lower() in self.users_without_teams:
            raise _Reject(404, "NotFound", "The user was not found.", violation=False)
        installed = (user_id.lower(), found.group(1))
        if installed in self.installed_apps:
            raise _Reject(409, "Conflict", "The app is already installed for this user.", violation=False)
        self.installed_apps.append(installed)
        return web.Response(status=201)

    def _event(self, mailbox: str, event_id: str) -> StoredEvent:
        event = self.events.get(event_id)
        if event is None or event.mailbox != mailbox.lower():
            raise _Reject(404, *_DEFAULT_ERRORS[404], violation=False)
        return event

    def _create(self, mailbox: str, request: web.Request, body: Any) -> web.Response:
        _check_json_request(request, body)
        _check_event(body, creating=True)
        transaction = body.get("transactionId")
        for existing in self.events.values():
            if transaction and existing.mailbox == mailbox and existing.transaction_id == transaction:
                return self._render(existing, request, status=201)
        event_id = "AAMkAGI2" + secrets.token_urlsafe(24) + "AAA="
        event = StoredEvent(
            id=event_id,
            ical_uid="040000008200E00074C5B7101A82E008" + secrets.token_hex(24).upper(),
            mailbox=mailbox,
            fields={},
            starts_at=_instant(body["start"]),
            ends_at=_instant(body["end"]),
            transaction_id=transaction,
        )
        self._apply(event, body)
        self.events[event_id] = event
        return self._render(event, request, status=201)

    def _patch(self, event: StoredEvent, request: web.Request, body: Any) -> web.Response:
        _check_json_request(request, body)
        _check_event(body, creating=False)
        transaction = body.get("transactionId")
        if transaction is not None and transaction != event.transaction_id:
            raise _Reject(400, "ErrorInvalidRequest", "The transactionId of an event cannot be changed.")
        starts_at = _instant(body["start"]) if "start" in body else event.starts_at
        ends_at = _instant(body["end"]) if "end" in body else event.ends_at
        if ends_at <= starts_at:
            raise _Reject(400, "ErrorInvalidRequest", "The event's end must be after its start.")
        event.starts_at, event.ends_at = starts_at, ends_at
        self._apply(event, body)
        if not self.patch_returns_body:
            return web.Response(status=204)
        return self._render(event, request, status=200)

    def _apply(self, event: StoredEvent, body: dict[str, Any]) -> None:
        """Store the writable fields; invite attendees who are new to the event.

        An online meeting's body carries Teams' join block, as Graph writes it. A PATCH whose body
        leaves that block out disables the online meeting ("Inadvertently removing the meeting blob
        from the body would disable meeting online", api/event-update.md): the join link is gone.
        """
        for name in ("subject", "body", "location", "onlineMeetingProvider"):
            if name in body:
                event.fields[name] = body[name]
        dropped = False
        if "body" in body and event.join_url is not None:
            content = html.unescape(str(body["body"].get("content", "")))
            if event.join_url not in content:
                event.join_url = None
                self.dropped_join_links.append(event.id)
                dropped = True
        # Once online, always online: Graph ignores later changes to isOnlineMeeting.
        if body.get("isOnlineMeeting") and event.join_url is None and not dropped:
            event.join_url = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_" + secrets.token_hex(16)
            event.join_url += "%40thread.v2/0"
            previous = event.fields.get("body") or {"contentType": "html", "content": ""}
            event.fields["body"] = {
                "contentType": "html",
                "content": str(previous.get("content", "")) + join_block(event.join_url),
            }
        if "attendees" in body:
            wanted = [attendee["emailAddress"]["address"].lower() for attendee in body["attendees"]]
            added = [email for email in wanted if email not in event.attendees]
            removed = [email for email in event.attendees if email not in wanted]
            self.invitations.extend(Invitation(event.id, email) for email in added)
            self.uninvited.extend(Invitation(event.id, email) for email in removed)
            event.attendees = wanted
            event.fields["attendees"] = body["attendees"]

    def _get(self, event: StoredEvent, request: web.Request) -> web.Response:
        select = request.query.get("$select")
        if select is not None:
            unknown = [name for name in select.split(",") if name not in EVENT_PROPERTIES]
            if unknown:
                raise _Reject(
                    400, "RequestBroker--ParseUri", f"Could not find a property named '{unknown[0]}'."
                )
        return self._render(event, request, status=200, select=select.split(",") if select else None)

    def _cancel(self, event: StoredEvent, body: Any) -> web.Response:
        if not isinstance(body, dict) or set(body) - {"Comment", "comment"} or len(body) > 1:
            raise _Reject(400, "RequestBodyRead", f"cancel takes only a comment, got {body!r}.")
        comment = next(iter(body.values()), "")
        if not isinstance(comment, str):
            raise _Reject(400, "RequestBodyRead", "The comment must be a string.")
        self.cancelled[event.id] = comment
        del self.events[event.id]
        return web.Response(status=202)

    def _render(
        self, event: StoredEvent, request: web.Request, *, status: int, select: list[str] | None = None
    ) -> web.Response:
        match = _PREFER_TZ.search(request.headers.get("Prefer", ""))
        zone = match.group(1) if match else "UTC"
        data: dict[str, Any] = {
            "@odata.context": f"{self.base_url}/$metadata#users('{event.mailbox}')/events/$entity",
            "id": event.id,
            "iCalUId": event.ical_uid,
            "subject": event.fields.get("subject"),
            "body": _as_document(event.fields.get("body")),
            "start": _render_time(event.starts_at, zone),
            "end": _render_time(event.ends_at, zone),
            "location": event.fields.get("location", {"displayName": ""}),
            "attendees": [
                {**attendee, "status": {"response": "none", "time": "0001-01-01T00:00:00Z"}}
                for attendee in event.fields.get("attendees", [])
            ],
            "isOnlineMeeting": event.join_url is not None,
            "onlineMeetingProvider": event.fields.get("onlineMeetingProvider", "unknown"),
            "onlineMeeting": {"joinUrl": event.join_url} if event.join_url else None,
            "isCancelled": False,
            "organizer": {"emailAddress": {"name": "CoS meetings", "address": event.mailbox}},
        }
        if event.transaction_id:
            data["transactionId"] = event.transaction_id
        if select is not None:
            data = {key: value for key, value in data.items() if key in ("id", *select)}
        headers = {"Preference-Applied": f'outlook.timezone="{zone}"'} if match else {}
        return web.json_response(data, status=status, headers=headers)


# ----------------------------------------------------------------------------------- event bodies


def join_block(join_url: str) -> str:
    """Teams' join block, shaped as Graph appends it to an online meeting's body (abridged)."""
    href = html.escape(join_url, quote=True)
    return (
        '<div style="width:100%"><span style="white-space:nowrap; color:#5F5F5F; opacity:.36">'
        + "_" * 80
        + "</span></div>\r\n"
        '<div class="me-email-text" lang="en-GB" style="color:#252424; font-family:\'Segoe UI\'">\r\n'
        '<div style="margin-top:24px; margin-bottom:20px"><span style="font-size:24px; color:#252424">'
        "Microsoft Teams meeting</span></div>\r\n"
        '<div style="margin-bottom:20px"><a class="me-email-headline" href="'
        + href
        + '" target="_blank" rel="noreferrer noopener">Join the meeting now</a></div>\r\n'
        "</div>\r\n"
    )


def _as_document(body: Any) -> Any:
    """An HTML body as Graph returns it: a whole document around what was stored."""
    if not isinstance(body, dict) or str(body.get("contentType", "")).lower() != "html":
        return body
    content = str(body.get("content", ""))
    if content.lstrip().lower().startswith("<html"):
        return {"contentType": "html", "content": content}
    document = (
        '<html>\r\n<head>\r\n<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\r\n'
        f"</head>\r\n<body>\r\n{content}\r\n</body>\r\n</html>\r\n"
    )
    return {"contentType": "html", "content": document}


# ------------------------------------------------------------------------------------ validation


def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> web.Response:
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")
    inner = {"date": now, "request-id": secrets.token_hex(8), "client-request-id": secrets.token_hex(8)}
    payload = {"error": {"code": code, "message": message, "innerError": inner}}
    return web.json_response(payload, status=status, headers=headers)


def _check_json_request(request: web.Request, body: Any) -> None:
    if request.content_type != "application/json":
        raise _Reject(
            415, "UnsupportedMediaType", f"Content-Type must be application/json, not {request.content_type}."
        )
    if not isinstance(body, dict):
        raise _Reject(400, "BadRequest", "Empty Payload. JSON content expected.")


def _check_event(body: dict[str, Any], *, creating: bool) -> None:
    """Raise _Reject, as Graph answers, for the first problem in an Event payload."""
    for name in body:
        if name not in EVENT_PROPERTIES:
            raise _Reject(
                400,
                "RequestBodyRead",
                f"The property '{name}' does not exist on type 'microsoft.graph.event'. Make sure to only "
                "use property names that are defined by the type or mark the type as open type.",
            )
    required = ("subject", "start", "end") if creating else ()
    missing = [name for name in required if name not in body]
    if missing:
        raise _Reject(400, "ErrorInvalidRequest", f"An event needs {', '.join(missing)}.")
    checks = {
        "subject": _check_string,
        "start": _check_time,
        "end": _check_time,
        "body": _check_body,
        "location": _check_location,
        "attendees": _check_attendees,
        "isOnlineMeeting": _check_bool,
        "onlineMeetingProvider": _check_provider,
        "transactionId": _check_string,
    }
    for name, check in checks.items():
        if name in body:
            check(name, body[name])
    if creating and _instant(body["end"]) <= _instant(body["start"]):
        raise _Reject(400, "ErrorInvalidRequest", "The event's end must be after its start.")


def _bad(name: str, problem: str) -> _Reject:
    return _Reject(400, "RequestBodyRead", f"Invalid value for '{name}': {problem}.")


def _check_string(name: str, value: Any) -> None:
    if not isinstance(value, str):
        raise _bad(name, f"expected a string, got {value!r}")


def _check_bool(name: str, value: Any) -> None:
    if not isinstance(value, bool):
        raise _bad(name, f"expected true or false, got {value!r}")


def _check_keys(name: str, value: Any, allowed: set[str]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _bad(name, f"expected an object, got {value!r}")
    unknown = set(value) - allowed - {"@odata.type"}
    if unknown:
        raise _bad(name, f"unknown properties {sorted(unknown)}")
    return value


def _check_time(name: str, value: Any) -> None:
    value = _check_keys(name, value, {"dateTime", "timeZone"})
    if not isinstance(value.get("dateTime"), str) or not _DATE_TIME.fullmatch(value["dateTime"]):
        raise _bad(name, f"dateTime must be a local date and time like 2026-12-01T10:00:00, got {value!r}")
    _zone(name, value.get("timeZone"))


def _check_body(name: str, value: Any) -> None:
    value = _check_keys(name, value, {"contentType", "content"})
    if str(value.get("contentType", "")).lower() not in ("html", "text"):
        raise _bad(name, f"contentType must be html or text, got {value.get('contentType')!r}")
    _check_string(name + ".content", value.get("content"))


def _check_location(name: str, value: Any) -> None:
    value = _check_keys(name, value, {"displayName", "locationType", "locationUri", "address", "coordinates"})
    _check_string(name + ".displayName", value.get("displayName"))


def _check_attendees(name: str, value: Any) -> None:
    if not isinstance(value, list):
        raise _bad(name, f"expected a list, got {value!r}")
    for attendee in value:
        attendee = _check_keys(name, attendee, {"emailAddress", "type", "status", "proposedNewTime"})
        email = _check_keys(name + ".emailAddress", attendee.get("emailAddress"), {"address", "name"})
        if not isinstance(email.get("address"), str) or "@" not in email["address"]:
            raise _bad(name, f"emailAddress.address must be an email address, got {email.get('address')!r}")
        if attendee.get("type") not in ATTENDEE_TYPES:
            raise _bad(name, f"type must be one of {sorted(ATTENDEE_TYPES)}, got {attendee.get('type')!r}")


def _check_provider(name: str, value: Any) -> None:
    if value not in ONLINE_PROVIDERS:
        raise _bad(name, f"expected one of {sorted(ONLINE_PROVIDERS)}, got {value!r}")


def _zone(name: str, value: Any) -> ZoneInfo:
    if not isinstance(value, str):
        raise _bad(name, f"timeZone must be a time zone name, got {value!r}")
    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise _Reject(
            400, "TimeZoneNotSupportedException", f"A valid TimeZone value must be specified: {value}"
        ) from None


def _instant(value: dict[str, Any]) -> dt.datetime:
    local = dt.datetime.fromisoformat(value["dateTime"][:19])
    return local.replace(tzinfo=_zone("timeZone", value["timeZone"])).astimezone(dt.UTC)


def _render_time(moment: dt.datetime, zone: str) -> dict[str, str]:
    local = moment.astimezone(ZoneInfo(zone))
    return {"dateTime": local.strftime("%Y-%m-%dT%H:%M:%S.0000000"), "timeZone": zone}
