"""The Microsoft Graph calendar backend: events in a scheduling mailbox that invite the members.

The app signs in app-only (client secret, certificate or managed identity) and writes to one
mailbox's calendar (``/users/{mailbox}/calendar/events``). Group calendars do not accept
application permissions, so the mailbox is the organiser and the members are attendees. The app
needs the ``Calendars.ReadWrite`` application permission, limited to that mailbox with Exchange
RBAC for Applications.

Outlook allows an app four concurrent requests per mailbox, so calls queue on a semaphore; the
SDK's retry middleware retries 429/503/504 (honouring ``Retry-After``), and what still fails
becomes a :class:`CalendarError` an officer can read.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import ssl
from collections.abc import Awaitable, Callable, Iterable, Sequence
from contextlib import AsyncExitStack
from datetime import datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import httpx
from azure.core.credentials_async import AsyncTokenCredential
from azure.core.exceptions import ClientAuthenticationError, ServiceRequestError, ServiceResponseError
from azure.identity.aio import CertificateCredential, ClientSecretCredential, ManagedIdentityCredential
from kiota_abstractions.api_error import APIError
from kiota_abstractions.authentication import AuthenticationProvider
from kiota_abstractions.base_request_configuration import RequestConfiguration
from kiota_authentication_azure.azure_identity_authentication_provider import (
    AzureIdentityAuthenticationProvider,
)
from kiota_http.kiota_client_factory import DEFAULT_CONNECTION_TIMEOUT, DEFAULT_REQUEST_TIMEOUT
from kiota_http.middleware.options import RetryHandlerOption
from msgraph.generated.models.attendee import Attendee as GraphAttendee
from msgraph.generated.models.attendee_type import AttendeeType
from msgraph.generated.models.body_type import BodyType
from msgraph.generated.models.date_time_time_zone import DateTimeTimeZone
from msgraph.generated.models.email_address import EmailAddress
from msgraph.generated.models.event import Event
from msgraph.generated.models.item_body import ItemBody
from msgraph.generated.models.location import Location
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.generated.models.online_meeting_provider_type import OnlineMeetingProviderType
from msgraph.generated.users.item.events.item.cancel.cancel_post_request_body import CancelPostRequestBody
from msgraph.generated.users.item.events.item.event_item_request_builder import EventItemRequestBuilder
from msgraph.graph_request_adapter import GraphRequestAdapter
from msgraph.graph_request_adapter import options as graph_default_options
from msgraph.graph_service_client import GraphServiceClient
from msgraph_core import GraphClientFactory

from communities.db import refuse_while_holding_session
from communities.meetings.calendar import LONDON, Attendee, CalendarEntry, CalendarError, EventSpec
from scheduler.calendars.graph_body import new_body
from scheduler.calendars.graph_settings import DEFAULT_AUTHORITY_HOST, DEFAULT_BASE_URL, GraphSettings

__all__ = ["DEFAULT_AUTHORITY_HOST", "DEFAULT_BASE_URL", "GraphCalendar", "GraphSettings"]

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Outlook's limit per app and mailbox (https://learn.microsoft.com/graph/throttling-limits).
MAX_CONCURRENT_REQUESTS = 4
MAX_RETRIES = 5
#: Graph documents no length limit for ``transactionId``; longer keys are hashed to stay well clear.
MAX_TRANSACTION_ID_LENGTH = 64
_SAFE_TRANSACTION_ID = re.compile(r"[A-Za-z0-9._:@-]+")
#: Statuses a later attempt may get past; every other 4xx needs a person to change something.
_TRANSIENT_STATUSES = frozenset({408, 409, 412, 429})
_RETRIED_STATUSES = frozenset({429, 503, 504})

Closer = Callable[[], Awaitable[None]]


def make_credential(settings: GraphSettings, *, ca_file: str | None = None) -> AsyncTokenCredential:
    """The async azure-identity credential the settings describe.

    ``ca_file`` is a CA bundle to trust for the token endpoint. SSL_CERT_FILE also works when it is
    set before the process starts, but aiohttp (under the async credential) reads it only at import.
    """
    transport: dict[str, Any] = {"connection_verify": ca_file} if ca_file else {}
    if settings.use_managed_identity:
        return ManagedIdentityCredential(client_id=settings.client_id, **transport)
    assert settings.tenant_id and settings.client_id  # checked by GraphSettings
    if settings.certificate_path:
        return CertificateCredential(
            settings.tenant_id,
            settings.client_id,
            settings.certificate_path,
            authority=settings.authority_host,
            **transport,
        )
    assert settings.client_secret
    return ClientSecretCredential(
        settings.tenant_id,
        settings.client_id,
        settings.client_secret,
        authority=settings.authority_host,
        **transport,
    )


def build_graph_client(
    auth_provider: AuthenticationProvider, base_url: str, *, ca_file: str | None = None
) -> tuple[GraphServiceClient, Closer]:
    """A GraphServiceClient on ``base_url`` with the SDK's default middleware, and how to close it.

    msgraph-core wraps the HTTP client's transports in one whose ``aclose`` does nothing (1.5.2),
    so the connection pools are kept here and closed directly.
    """
    verify: ssl.SSLContext | bool = ssl.create_default_context(cafile=ca_file) if ca_file else True
    timeout = httpx.Timeout(DEFAULT_REQUEST_TIMEOUT, connect=DEFAULT_CONNECTION_TIMEOUT)
    http_client = httpx.AsyncClient(timeout=timeout, http2=True, verify=verify)
    # The same private attributes GraphClientFactory itself rewrites.
    pools = [http_client._transport, *(pool for pool in http_client._mounts.values() if pool is not None)]
    GraphClientFactory.create_with_default_middleware(client=http_client, options=dict(graph_default_options))
    adapter = GraphRequestAdapter(auth_provider, client=http_client)
    adapter.base_url = base_url.rstrip("/")

    async def close() -> None:
        await http_client.aclose()
        for pool in pools:
            await pool.aclose()

    return GraphServiceClient(request_adapter=adapter), close


def transaction_id(key: str) -> str:
    """Graph's ``transactionId`` for an event key: the key itself when short and plain, else a hash.

    Deterministic, so a create retried after a restart still finds the first event.
    """
    if len(key) <= MAX_TRANSACTION_ID_LENGTH and _SAFE_TRANSACTION_ID.fullmatch(key):
        return key
    return "cos-" + hashlib.sha256(key.encode()).hexdigest()[:40]


def wall_time(moment: datetime, timezone: str) -> DateTimeTimeZone:
    """``moment`` (timezone-aware) as Graph's local date-time plus zone name, DST included."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"calendar times must be timezone-aware, got {moment.isoformat()}")
    local = moment.astimezone(_zone(timezone))
    return DateTimeTimeZone(date_time=local.strftime("%Y-%m-%dT%H:%M:%S"), time_zone=timezone)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"unknown time zone {name!r}") from error


def _graph_attendees(attendees: Iterable[Attendee]) -> list[GraphAttendee]:
    return [
        GraphAttendee(
            email_address=EmailAddress(address=attendee.email, name=attendee.name or None),
            type=AttendeeType.Required,
        )
        for attendee in attendees
    ]


def _event_fields(spec: EventSpec, *, clear_location: bool, body: str | None) -> Event:
    """Everything ``update`` may change; ``body`` None leaves the body out.

    Not attendees: without them a moved meeting never adds, drops or re-invites anyone
    (``set_attendees`` owns the list).
    """
    event = Event(
        subject=spec.subject,
        start=wall_time(spec.starts_at, spec.timezone),
        end=wall_time(spec.ends_at, spec.timezone),
        is_online_meeting=spec.online,
    )
    if body is not None:
        event.body = ItemBody(content_type=BodyType.Html, content=body)
    if spec.location or clear_location:
        event.location = Location(display_name=spec.location or "")
    if spec.online:
        event.online_meeting_provider = OnlineMeetingProviderType.TeamsForBusiness
    return event


def _entry(event: Event | None, what: str) -> CalendarEntry:
    if event is None or not event.id:
        raise CalendarError(f"Microsoft Graph answered the {what} without an event id.", permanent=False)
    join_url = event.online_meeting.join_url if event.online_meeting else None
    return CalendarEntry(event_id=event.id, ical_uid=event.i_cal_u_id, join_url=join_url)


class GraphCalendar:
    """``Calendar`` on Microsoft Graph: one scheduling mailbox's default calendar.

    Give it a ready :class:`GraphServiceClient` (tests point one at a fake server), or build one
    from settings with :meth:`from_settings`. ``closers`` run on :meth:`close` (the HTTP client,
    the credential). ``retry_delay`` is the SDK's base delay added to its backoff when Graph sends
    no ``Retry-After``; tests set it to 0.
    """

    def __init__(
        self,
        client: GraphServiceClient,
        mailbox: str,
        *,
        max_retries: int = MAX_RETRIES,
        retry_delay: float = RetryHandlerOption.DEFAULT_DELAY,
        max_concurrent: int = MAX_CONCURRENT_REQUESTS,
        closers: Sequence[Closer] = (),
    ) -> None:
        self._client = client
        self._mailbox = mailbox
        self._max_retries = max_retries
        self._retry = RetryHandlerOption(delay=retry_delay, max_retries=max_retries)
        self._slots = asyncio.Semaphore(max_concurrent)
        self._closers = tuple(closers)

    @classmethod
    def from_settings(cls, settings: GraphSettings, *, ca_file: str | None = None) -> GraphCalendar:
        """A calendar signing in app-only as the settings say (``ca_file``: a CA bundle to trust)."""
        credential = make_credential(settings, ca_file=ca_file)
        auth = AzureIdentityAuthenticationProvider(
            credential, scopes=[settings.scope], allowed_hosts=[settings.graph_host]
        )
        client, close_client = build_graph_client(auth, settings.base_url, ca_file=ca_file)
        return cls(client, settings.mailbox, closers=(close_client, credential.close))

    @property
    def mailbox(self) -> str:
        return self._mailbox

    async def create(self, spec: EventSpec) -> CalendarEntry:
        """POST the event with ``transactionId`` so a retried create returns the first event."""
        event = _event_fields(spec, clear_location=False, body=spec.body)
        event.attendees = _graph_attendees(spec.attendees)
        event.transaction_id = transaction_id(spec.key)
        events = self._client.users.by_user_id(self._mailbox).calendar.events
        created = await self._call("create the event", None, lambda: events.post(event, self._config()))
        entry = _entry(created, "create")
        log.info("Graph event %s created in the scheduling mailbox", entry.event_id)
        return entry

    async def update(self, event_id: str, spec: EventSpec) -> CalendarEntry:
        """PATCH subject, times, place and online flag of the same event; never attendees.

        The body is read first and sent only when our text in it changed, then with Teams' join
        block kept: Graph disables an online meeting whose body loses that block (see
        :mod:`scheduler.calendars.graph_body`). A moved meeting keeps its join link.
        """
        item = self._event(event_id)
        query = EventItemRequestBuilder.EventItemRequestBuilderGetQueryParameters(
            select=["body", "onlineMeeting"]
        )
        current = await self._call("update the event", event_id, lambda: item.get(self._config(query)))
        join_url = current.online_meeting.join_url if current and current.online_meeting else None
        content = current.body.content if current and current.body else None
        change = new_body(content, spec.body, join_url)
        if change.kept_old:
            log.warning(
                "Graph event %s: its Teams join block was not recognised, so the body was left as it "
                "was to keep the join link",
                event_id,
            )
        fields = _event_fields(spec, clear_location=True, body=change.content)
        updated = await self._call("update the event", event_id, lambda: item.patch(fields, self._config()))
        if updated is None:
            updated = await self._call("read the event", event_id, lambda: item.get(self._config()))
        entry = _entry(updated, "update")
        log.info("Graph event %s updated", event_id)
        return entry

    async def set_attendees(self, event_id: str, attendees: tuple[Attendee, ...]) -> None:
        """PATCH only ``attendees``, and only when the set of addresses changed.

        Graph then invites just the added people (and tells the removed ones), rather than
        re-sending the invitation to everyone on every roster change.
        """
        item = self._event(event_id)
        query = EventItemRequestBuilder.EventItemRequestBuilderGetQueryParameters(select=["attendees"])
        current = await self._call("read the attendees", event_id, lambda: item.get(self._config(query)))
        wanted = {attendee.email.strip().lower() for attendee in attendees}
        if current is not None and _addresses(current) == wanted:
            log.debug("Graph event %s: attendees unchanged, nothing sent", event_id)
            return
        await self._call(
            "change the attendees",
            event_id,
            lambda: item.patch(Event(attendees=_graph_attendees(attendees)), self._config()),
        )
        log.info("Graph event %s: attendee list replaced (%d attendees)", event_id, len(wanted))

    async def cancel(self, event_id: str, message: str) -> None:
        """POST the ``cancel`` action: Graph sends ``message`` to the attendees with the cancellation."""
        body = CancelPostRequestBody(comment=message)
        await self._call(
            "cancel the event", event_id, lambda: self._event(event_id).cancel.post(body, self._config())
        )
        log.info("Graph event %s cancelled", event_id)

    async def close(self) -> None:
        """Run every closer, the last given first, even when one fails."""
        async with AsyncExitStack() as stack:
            for closer in self._closers:
                stack.push_async_callback(closer)

    def _event(self, event_id: str) -> EventItemRequestBuilder:
        return self._client.users.by_user_id(self._mailbox).events.by_event_id(event_id)

    def _config(self, query: T | None = None) -> RequestConfiguration[T]:
        """Times come back in London time; the retry policy travels with every request."""
        config: RequestConfiguration[T] = RequestConfiguration(options=[self._retry], query_parameters=query)
        config.headers.add("Prefer", f'outlook.timezone="{LONDON}"')
        return config

    async def _call(self, action: str, event_id: str | None, call: Callable[[], Awaitable[T]]) -> T:
        """Await a Graph call holding one of the mailbox's slots (through the SDK's retries, so a
        throttled mailbox gets no extra requests); failures become CalendarErrors."""
        refuse_while_holding_session(f"a Graph call ({action})")
        try:
            async with self._slots:
                return await call()
        except APIError as error:
            raise self._api_error(error, action, event_id) from error
        except ClientAuthenticationError as error:
            raise self._sign_in_error(error) from error
        except (httpx.TransportError, ServiceRequestError, ServiceResponseError, OSError) as error:
            raise CalendarError(
                f"Could not reach Microsoft Graph to {action} ({type(error).__name__}); "
                "the network or Graph may be down, so a later attempt should work.",
                permanent=False,
            ) from error

    def _api_error(self, error: APIError, action: str, event_id: str | None) -> CalendarError:
        status = error.response_status_code
        detail = _graph_message(error)
        if status == 403:
            message = (
                f"Microsoft Graph refused to let the bot {action} in the calendar of the scheduling "
                f"mailbox {self._mailbox}. An Entra ID administrator needs to grant the app the "
                "Calendars.ReadWrite application permission (with admin consent) and allow it this "
                "mailbox through Exchange RBAC for Applications."
            )
        elif status == 404 and event_id is None:
            message = (
                f"The scheduling mailbox {self._mailbox} was not found in Microsoft Graph "
                "(check GRAPH_MAILBOX)."
            )
        elif status == 404:
            message = (
                f"Could not {action}: the event or mailbox was not found in Microsoft Graph "
                f"(deleted in Outlook?). Event {event_id} in {self._mailbox}."
            )
        elif status == 401:
            message = (
                "Microsoft Graph did not accept the bot's sign-in token; check the app registration "
                "(GRAPH_TENANT_ID, GRAPH_CLIENT_ID and its secret or certificate)."
            )
        elif status in _RETRIED_STATUSES:
            message = (
                f"Microsoft Graph is busy or unavailable (HTTP {status}) and still was after "
                f"{self._max_retries} retries, so the bot could not {action}. "
                "It should work on a later attempt."
            )
        elif status == 400:
            message = f"Microsoft Graph rejected the request to {action}: {detail}"
        else:
            message = f"Microsoft Graph could not {action} (HTTP {status}): {detail}"
        permanent = status is not None and 400 <= status < 500 and status not in _TRANSIENT_STATUSES
        log.warning("Graph call to %s failed with HTTP %s (event %s)", action, status, event_id)
        return CalendarError(message, permanent=permanent, status=status)

    def _sign_in_error(self, error: ClientAuthenticationError) -> CalendarError:
        status = error.response.status_code if error.response is not None else None
        permanent = status is not None and 400 <= status < 500
        log.warning("Graph sign-in failed (HTTP %s)", status)
        return CalendarError(
            f"The bot could not sign in to Microsoft Graph for the scheduling mailbox {self._mailbox}: "
            f"{error.message.splitlines()[0] if error.message else 'no reason given'}",
            permanent=permanent,
            status=status,
        )


def _addresses(event: Event) -> set[str]:
    return {
        attendee.email_address.address.strip().lower()
        for attendee in event.attendees or []
        if attendee.email_address and attendee.email_address.address
    }


def _graph_message(error: APIError) -> str:
    if isinstance(error, ODataError) and error.error and error.error.message:
        return error.error.message
    return error.message or "no details given"
