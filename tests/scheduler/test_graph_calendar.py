"""The Graph calendar backend with the real msgraph-sdk and azure-identity against a fake Graph."""

from __future__ import annotations

import asyncio
import html
import logging
import socket
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import jwt
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from kiota_abstractions.authentication import AnonymousAuthenticationProvider

from communities.meetings.calendar import Attendee, CalendarError, EventSpec
from scheduler.calendars.graph import (
    DEFAULT_AUTHORITY_HOST,
    DEFAULT_BASE_URL,
    GraphCalendar,
    GraphSettings,
    build_graph_client,
    transaction_id,
)
from tests.support.fake_graph import DEFAULT_MAILBOX, FakeGraph, GraphRequest, LocalTls, make_tls

MAILBOX = DEFAULT_MAILBOX
CHAIR = Attendee("Chair.Person@ashford-oaks.kent.sch.uk", "Chair Person")
HEAD = Attendee("head@beaver-green.kent.sch.uk", "Head Teacher")
SENCO = Attendee("senco@goat-lees.kent.sch.uk", "SENCo")
TENANT = "11111111-2222-3333-4444-555555555555"
CLIENT_ID = "66666666-7777-8888-9999-000000000000"


def make_spec(**changes: Any) -> EventSpec:
    spec = EventSpec(
        key="meeting-42",
        subject="Community 7 meeting",
        starts_at=datetime(2026, 12, 1, 10, 0, tzinfo=UTC),
        ends_at=datetime(2026, 12, 1, 11, 30, tzinfo=UTC),
        body="<p>Agenda to follow</p>",
        location="Ashford Oaks Primary, staff room",
        online=True,
        attendees=(CHAIR, HEAD),
    )
    return replace(spec, **changes)


def anonymous_calendar(graph: FakeGraph, mailbox: str = MAILBOX, **options: Any) -> GraphCalendar:
    client, close_client = build_graph_client(AnonymousAuthenticationProvider(), graph.base_url)
    return GraphCalendar(client, mailbox, closers=(close_client,), **options)


@pytest.fixture
async def graph() -> AsyncIterator[FakeGraph]:
    async with FakeGraph() as fake:
        yield fake


@pytest.fixture
async def calendar(graph: FakeGraph) -> AsyncIterator[GraphCalendar]:
    calendar = anonymous_calendar(graph)
    yield calendar
    await calendar.close()


def only(requests: list[GraphRequest], method: str) -> list[GraphRequest]:
    return [request for request in requests if request.method == method]


# ------------------------------------------------------------------------------------------ create


@pytest.mark.parametrize(
    ("starts_at", "local_start", "local_end"),
    [
        (datetime(2026, 12, 1, 10, 0, tzinfo=UTC), "2026-12-01T10:00:00", "2026-12-01T11:30:00"),
        (datetime(2026, 7, 1, 9, 0, tzinfo=UTC), "2026-07-01T10:00:00", "2026-07-01T11:30:00"),
        # 29 March 2026: clocks go forward at 01:00 UTC, in the middle of this meeting.
        (datetime(2026, 3, 29, 0, 30, tzinfo=UTC), "2026-03-29T00:30:00", "2026-03-29T03:00:00"),
    ],
    ids=["winter", "summer", "clocks-change"],
)
async def test_create_posts_the_event_in_london_wall_time(
    graph: FakeGraph, calendar: GraphCalendar, starts_at: datetime, local_start: str, local_end: str
) -> None:
    spec = make_spec(starts_at=starts_at, ends_at=starts_at + timedelta(minutes=90))

    entry = await calendar.create(spec)

    (post,) = graph.graph_requests
    assert (post.method, post.path) == ("POST", f"/v1.0/users/{MAILBOX}/calendar/events")
    assert post.json["start"] == {"dateTime": local_start, "timeZone": "Europe/London"}
    assert post.json["end"] == {"dateTime": local_end, "timeZone": "Europe/London"}
    assert graph.events[entry.event_id].starts_at == starts_at
    graph.assert_no_violations()


async def test_create_sends_subject_body_place_attendees_and_teams_meeting(
    graph: FakeGraph, calendar: GraphCalendar
) -> None:
    entry = await calendar.create(make_spec())

    (post,) = graph.graph_requests
    assert post.json["subject"] == "Community 7 meeting"
    assert post.json["body"] == {"contentType": "html", "content": "<p>Agenda to follow</p>"}
    assert post.json["location"] == {"displayName": "Ashford Oaks Primary, staff room"}
    assert post.json["isOnlineMeeting"] is True
    assert post.json["onlineMeetingProvider"] == "teamsForBusiness"
    assert post.json["transactionId"] == "meeting-42"
    assert [(a["emailAddress"]["address"], a["type"]) for a in post.json["attendees"]] == [
        (CHAIR.email, "required"),
        (HEAD.email, "required"),
    ]
    assert post.header("Prefer") == 'outlook.timezone="Europe/London"'
    stored = graph.events[entry.event_id]
    assert entry.ical_uid == stored.ical_uid
    assert entry.join_url == stored.join_url
    assert entry.join_url is not None and entry.join_url.startswith("https://teams.microsoft.com/")
    assert graph.invited(entry.event_id) == [CHAIR.email.lower(), HEAD.email.lower()]
    graph.assert_no_violations()


async def test_an_in_person_meeting_has_no_join_link(graph: FakeGraph, calendar: GraphCalendar) -> None:
    entry = await calendar.create(make_spec(online=False, location=None))

    (post,) = graph.graph_requests
    assert post.json["isOnlineMeeting"] is False
    assert "onlineMeetingProvider" not in post.json
    assert "location" not in post.json
    assert entry.join_url is None
    graph.assert_no_violations()


async def test_a_retried_create_returns_the_first_event(graph: FakeGraph, calendar: GraphCalendar) -> None:
    """As when the first answer was lost: Graph matches the transactionId and makes no duplicate."""
    first = await calendar.create(make_spec())
    second = await calendar.create(make_spec())

    assert second == first
    assert len(graph.events) == 1
    assert [request.json["transactionId"] for request in graph.graph_requests] == ["meeting-42"] * 2
    assert graph.invited(first.event_id) == [CHAIR.email.lower(), HEAD.email.lower()]


def test_long_keys_become_a_short_stable_transaction_id() -> None:
    long_key = "community-7/meeting/" + "x" * 100

    assert transaction_id("meeting-42") == "meeting-42"
    assert transaction_id(long_key) == transaction_id(long_key)
    assert len(transaction_id(long_key)) <= 64
    assert transaction_id(long_key) != transaction_id(long_key + "y")
    assert transaction_id("meeting 42 (Ashford)") != "meeting 42 (Ashford)"


# ------------------------------------------------------------------------------------------ update


async def test_update_patches_the_same_event_without_touching_attendees(
    graph: FakeGraph, calendar: GraphCalendar
) -> None:
    created = await calendar.create(make_spec())
    moved = make_spec(
        subject="Community 7 meeting (moved)",
        starts_at=datetime(2026, 12, 8, 15, 0, tzinfo=UTC),
        ends_at=datetime(2026, 12, 8, 16, 0, tzinfo=UTC),
        location=None,
        attendees=(SENCO,),  # ignored by update: set_attendees owns the list
    )

    entry = await calendar.update(created.event_id, moved)

    patch = graph.graph_requests[-1]
    assert (patch.method, patch.path) == ("PATCH", f"/v1.0/users/{MAILBOX}/events/{created.event_id}")
    assert "attendees" not in patch.json
    assert "transactionId" not in patch.json
    assert patch.json["subject"] == "Community 7 meeting (moved)"
    assert patch.json["start"] == {"dateTime": "2026-12-08T15:00:00", "timeZone": "Europe/London"}
    assert patch.json["location"] == {"displayName": ""}
    assert entry == created
    assert len(graph.events) == 1
    assert graph.events[created.event_id].starts_at == datetime(2026, 12, 8, 15, 0, tzinfo=UTC)
    assert graph.invited(created.event_id) == [CHAIR.email.lower(), HEAD.email.lower()]
    graph.assert_no_violations()


async def test_update_reads_the_event_when_the_patch_answers_without_a_body(
    graph: FakeGraph, calendar: GraphCalendar
) -> None:
    created = await calendar.create(make_spec())
    graph.patch_returns_body = False

    entry = await calendar.update(created.event_id, make_spec(subject="Renamed"))

    assert [request.method for request in graph.graph_requests] == ["POST", "GET", "PATCH", "GET"]
    assert entry == created


async def test_moving_an_online_meeting_keeps_its_teams_link(
    graph: FakeGraph, calendar: GraphCalendar
) -> None:
    """The body did not change, so it is not sent: Graph keeps the join block it wrote."""
    created = await calendar.create(make_spec())
    moved = make_spec(
        starts_at=datetime(2026, 12, 8, 15, 0, tzinfo=UTC), ends_at=datetime(2026, 12, 8, 16, 0, tzinfo=UTC)
    )

    entry = await calendar.update(created.event_id, moved)

    (patch,) = only(graph.graph_requests, "PATCH")
    assert "body" not in patch.json
    assert patch.json["start"] == {"dateTime": "2026-12-08T15:00:00", "timeZone": "Europe/London"}
    assert created.join_url is not None
    assert entry.join_url == created.join_url
    assert graph.events[created.event_id].join_url == created.join_url
    assert graph.dropped_join_links == []
    graph.assert_no_violations()


async def test_a_changed_body_keeps_the_join_block(graph: FakeGraph, calendar: GraphCalendar) -> None:
    """Graph's advice: read the body, change our part, send it back with the meeting blob."""
    created = await calendar.create(make_spec())
    assert created.join_url is not None

    entry = await calendar.update(created.event_id, make_spec(body="<p>Agenda attached &amp; ready</p>"))

    (patch,) = only(graph.graph_requests, "PATCH")
    sent = patch.json["body"]["content"]
    assert sent.startswith("<p>Agenda attached &amp; ready</p>")
    assert "Agenda to follow" not in sent
    assert html.escape(created.join_url) in sent
    assert entry.join_url == created.join_url
    stored = graph.events[created.event_id]
    assert stored.join_url == created.join_url
    assert "Agenda attached" in stored.fields["body"]["content"]
    assert graph.dropped_join_links == []
    graph.assert_no_violations()


async def test_a_second_update_with_the_same_body_sends_no_body(
    graph: FakeGraph, calendar: GraphCalendar
) -> None:
    """Our part is compared as text, so Graph's document wrapper and join block count as no change."""
    created = await calendar.create(make_spec())
    changed = make_spec(body="<p>Agenda attached</p>")
    await calendar.update(created.event_id, changed)
    entry = await calendar.update(created.event_id, replace(changed, subject="Renamed"))

    first, second = only(graph.graph_requests, "PATCH")
    assert "body" in first.json and "body" not in second.json
    assert entry.join_url == created.join_url
    graph.assert_no_violations()


async def test_an_in_person_meetings_body_is_replaced_whole(
    graph: FakeGraph, calendar: GraphCalendar
) -> None:
    created = await calendar.create(make_spec(online=False))

    await calendar.update(created.event_id, make_spec(online=False, body="<p>Bring the budget</p>"))

    (patch,) = only(graph.graph_requests, "PATCH")
    assert patch.json["body"] == {"contentType": "html", "content": "<p>Bring the budget</p>"}
    graph.assert_no_violations()


async def test_an_unrecognised_join_block_leaves_the_body_alone(
    graph: FakeGraph, calendar: GraphCalendar, caplog: pytest.LogCaptureFixture
) -> None:
    """Better old wording than a meeting nobody can join: the link is kept, and the log says why."""
    created = await calendar.create(make_spec())
    assert created.join_url is not None
    stored = graph.events[created.event_id]
    stored.fields["body"] = {
        "contentType": "html",
        "content": f'<p>Agenda to follow</p><p><a href="{created.join_url}">Join</a></p>',
    }

    entry = await calendar.update(created.event_id, make_spec(body="<p>Agenda attached</p>"))

    (patch,) = only(graph.graph_requests, "PATCH")
    assert "body" not in patch.json
    assert entry.join_url == created.join_url
    assert any("join block was not recognised" in record.getMessage() for record in caplog.records)


# ----------------------------------------------------------------------------------- set_attendees


async def test_adding_an_attendee_invites_only_that_person(graph: FakeGraph, calendar: GraphCalendar) -> None:
    created = await calendar.create(make_spec())

    await calendar.set_attendees(created.event_id, (CHAIR, HEAD, SENCO))

    get, patch = graph.graph_requests[1:]
    assert (get.method, get.query) == ("GET", {"$select": "attendees"})
    assert patch.method == "PATCH"
    assert set(patch.json) - {"@odata.type"} == {"attendees"}
    assert graph.invited(created.event_id) == [CHAIR.email.lower(), HEAD.email.lower(), SENCO.email.lower()]
    graph.assert_no_violations()


async def test_removing_an_attendee_invites_nobody(graph: FakeGraph, calendar: GraphCalendar) -> None:
    created = await calendar.create(make_spec())

    await calendar.set_attendees(created.event_id, (CHAIR,))

    assert graph.events[created.event_id].attendees == [CHAIR.email.lower()]
    assert [invitation.email for invitation in graph.uninvited] == [HEAD.email.lower()]
    assert graph.invited(created.event_id) == [CHAIR.email.lower(), HEAD.email.lower()]


async def test_an_unchanged_attendee_list_sends_nothing(graph: FakeGraph, calendar: GraphCalendar) -> None:
    created = await calendar.create(make_spec())
    same_people = (replace(HEAD, email=HEAD.email.upper()), replace(CHAIR, name="Dr Chair Person"))

    await calendar.set_attendees(created.event_id, same_people)

    assert [request.method for request in graph.graph_requests] == ["POST", "GET"]
    assert graph.invited(created.event_id) == [CHAIR.email.lower(), HEAD.email.lower()]


# ------------------------------------------------------------------------------------------ cancel


async def test_cancel_sends_the_message_with_the_cancellation(
    graph: FakeGraph, calendar: GraphCalendar
) -> None:
    created = await calendar.create(make_spec())

    await calendar.cancel(created.event_id, "Cancelled: the school is closed for snow.")

    cancel = graph.graph_requests[-1]
    assert (cancel.method, cancel.path) == ("POST", f"/v1.0/users/{MAILBOX}/events/{created.event_id}/cancel")
    assert graph.cancelled == {created.event_id: "Cancelled: the school is closed for snow."}
    assert created.event_id not in graph.events
    graph.assert_no_violations()


async def test_cancelling_a_deleted_event_is_a_permanent_not_found(
    graph: FakeGraph, calendar: GraphCalendar
) -> None:
    created = await calendar.create(make_spec())
    await calendar.cancel(created.event_id, "Cancelled.")

    with pytest.raises(CalendarError) as raised:
        await calendar.cancel(created.event_id, "Cancelled again.")

    assert raised.value.permanent and raised.value.status == 404
    assert "not found" in str(raised.value) and "deleted in Outlook?" in str(raised.value)
    assert created.event_id in str(raised.value)


# ----------------------------------------------------------------------------- throttling, errors


async def test_a_throttled_request_is_retried_after_retry_after(
    graph: FakeGraph, calendar: GraphCalendar
) -> None:
    graph.fail_next(1, 429, retry_after=1)

    entry = await calendar.create(make_spec())

    first, second = graph.graph_requests
    assert (first.status, second.status) == (429, 201)
    assert second.at - first.at >= 0.9
    assert second.header("Retry-Attempt") == "1"
    assert list(graph.events) == [entry.event_id]


async def test_graph_still_unavailable_after_five_retries_is_a_temporary_error(
    graph: FakeGraph, calendar: GraphCalendar
) -> None:
    graph.fail_next(10, 503, retry_after=1)

    with pytest.raises(CalendarError) as raised:
        await calendar.create(make_spec())

    assert not raised.value.permanent
    assert raised.value.status == 503
    assert len(graph.graph_requests) == 6  # the first attempt and five retries
    assert "busy or unavailable" in str(raised.value)
    assert graph.events == {}


async def test_the_base_retry_delay_is_configurable(graph: FakeGraph) -> None:
    """Without Retry-After the SDK waits its backoff plus the base delay (3 s by default)."""
    calendar = anonymous_calendar(graph, retry_delay=0)
    graph.fail_next(1, 504)
    started = time.monotonic()
    try:
        await calendar.create(make_spec())
    finally:
        await calendar.close()

    assert [request.status for request in graph.graph_requests] == [504, 201]
    assert time.monotonic() - started < 2.9


async def test_forbidden_names_the_mailbox_and_the_permission(
    graph: FakeGraph, calendar: GraphCalendar
) -> None:
    graph.fail_next(1, 403)

    with pytest.raises(CalendarError) as raised:
        await calendar.create(make_spec())

    assert raised.value.permanent and raised.value.status == 403
    message = str(raised.value)
    assert MAILBOX in message
    assert "Calendars.ReadWrite application permission" in message
    assert "RBAC for Applications" in message
    assert len(graph.graph_requests) == 1


async def test_updating_a_missing_event_is_a_permanent_not_found(calendar: GraphCalendar) -> None:
    with pytest.raises(CalendarError) as raised:
        await calendar.update("AAMkAGI2-no-such-event=", make_spec())

    assert raised.value.permanent and raised.value.status == 404
    assert str(raised.value) == (
        "Could not update the event: the event or mailbox was not found in Microsoft Graph "
        f"(deleted in Outlook?). Event AAMkAGI2-no-such-event= in {MAILBOX}."
    )


async def test_an_unknown_mailbox_is_named_in_the_error(graph: FakeGraph) -> None:
    calendar = anonymous_calendar(graph, mailbox="no-such-mailbox@kent.example")
    try:
        with pytest.raises(CalendarError) as raised:
            await calendar.create(make_spec())
    finally:
        await calendar.close()

    assert raised.value.permanent and raised.value.status == 404
    assert "no-such-mailbox@kent.example was not found" in str(raised.value)


async def test_a_bad_request_carries_graphs_message(graph: FakeGraph, calendar: GraphCalendar) -> None:
    graph.fail_next(1, 400, code="ErrorPropertyTooBig", message="The subject is too long.")

    with pytest.raises(CalendarError) as raised:
        await calendar.create(make_spec())

    assert raised.value.permanent and raised.value.status == 400
    assert (
        str(raised.value)
        == "Microsoft Graph rejected the request to create the event: The subject is too long."
    )


async def test_graph_unreachable_is_a_temporary_error() -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client, close_client = build_graph_client(
        AnonymousAuthenticationProvider(), f"http://127.0.0.1:{port}/v1.0"
    )
    calendar = GraphCalendar(client, MAILBOX, closers=(close_client,))
    try:
        with pytest.raises(CalendarError) as raised:
            await calendar.create(make_spec())
    finally:
        await calendar.close()

    assert not raised.value.permanent
    assert "Could not reach Microsoft Graph" in str(raised.value)


async def test_at_most_four_requests_at_once_per_mailbox() -> None:
    async with FakeGraph(delay=0.2) as graph:
        calendar = anonymous_calendar(graph)
        try:
            await asyncio.gather(*(calendar.create(make_spec(key=f"meeting-{n}")) for n in range(10)))
        finally:
            await calendar.close()

    assert graph.max_in_flight == 4
    assert len(graph.events) == 10


async def test_attendee_addresses_are_never_logged(
    graph: FakeGraph, calendar: GraphCalendar, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="scheduler.calendars.graph")
    created = await calendar.create(make_spec())
    await calendar.set_attendees(created.event_id, (CHAIR, SENCO))
    await calendar.set_attendees(created.event_id, (CHAIR, SENCO))

    messages = [
        record.getMessage() for record in caplog.records if record.name == "scheduler.calendars.graph"
    ]
    assert any(created.event_id in message for message in messages)
    assert not [message for message in messages if "@" in message.replace(MAILBOX, "")]


# ------------------------------------------------------------------------------ the fake itself


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        (
            {"isTeamsMeeting": True},
            "The property 'isTeamsMeeting' does not exist on type 'microsoft.graph.event'",
        ),
        ({"start": {"dateTime": "2026-12-01T10:00:00Z"}}, "Invalid value for 'start'"),
        ({"attendees": [{"emailAddress": {"address": "head@school.example"}}]}, "type must be one of"),
        ({"end": {"dateTime": "2026-12-01T09:00:00", "timeZone": "Europe/London"}}, "end must be after"),
    ],
    ids=["unknown-property", "time-without-zone", "attendee-without-type", "backwards"],
)
async def test_the_fake_rejects_what_graph_rejects(
    graph: FakeGraph, changes: dict[str, Any], says: str
) -> None:
    """So that ``assert_no_violations`` in the tests above means something."""
    event = {
        "subject": "Meeting",
        "start": {"dateTime": "2026-12-01T10:00:00", "timeZone": "Europe/London"},
        "end": {"dateTime": "2026-12-01T11:00:00", "timeZone": "Europe/London"},
        **changes,
    }
    async with aiohttp.ClientSession() as session:
        url = f"{graph.base_url}/users/{MAILBOX}/calendar/events"
        async with session.post(url, json=event) as response:
            status, body = response.status, await response.json()

    assert status == 400
    assert says in body["error"]["message"]
    assert len(graph.violations) == 1 and says in graph.violations[0]
    assert graph.events == {}


# ------------------------------------------------------------------------------------ sign-in


@pytest.fixture
def tls(tmp_path: Path) -> LocalTls:
    return make_tls(tmp_path / "tls")


def secret_settings(graph: FakeGraph, secret: str) -> GraphSettings:
    return GraphSettings(
        mailbox=MAILBOX,
        tenant_id=TENANT,
        client_id=CLIENT_ID,
        client_secret=secret,
        base_url=graph.base_url,
        authority_host=graph.authority,
    )


async def test_client_secret_sign_in_and_bearer_token(tls: LocalTls) -> None:
    async with FakeGraph(tls=tls, client_secret="s3cret", require_token=True) as graph:
        calendar = GraphCalendar.from_settings(secret_settings(graph, "s3cret"), ca_file=str(tls.ca_file))
        try:
            created = await calendar.create(make_spec())
            await calendar.update(created.event_id, make_spec(subject="Renamed"))
        finally:
            await calendar.close()

    (token,) = graph.token_requests  # the second call used the cached token
    assert token.path == f"/{TENANT}/oauth2/v2.0/token"
    assert token.form["grant_type"] == "client_credentials"
    assert token.form["client_id"] == CLIENT_ID
    assert token.form["client_secret"] == "s3cret"
    assert token.form["scope"] == f"{graph.origin}/.default"
    assert [request.header("Authorization") for request in graph.graph_requests] == [
        f"Bearer {graph.token}"
    ] * 3  # create; update reads the body, then patches
    graph.assert_no_violations()


async def test_a_wrong_secret_is_a_permanent_sign_in_error(tls: LocalTls) -> None:
    async with FakeGraph(tls=tls, client_secret="s3cret", require_token=True) as graph:
        calendar = GraphCalendar.from_settings(secret_settings(graph, "wrong"), ca_file=str(tls.ca_file))
        try:
            with pytest.raises(CalendarError) as raised:
                await calendar.create(make_spec())
        finally:
            await calendar.close()

    assert raised.value.permanent and raised.value.status == 401
    assert str(raised.value).startswith(
        f"The bot could not sign in to Microsoft Graph for the scheduling mailbox {MAILBOX}"
    )
    assert "AADSTS7000215" in str(raised.value)
    assert graph.graph_requests == []


def write_client_certificate(path: Path) -> rsa.RSAPrivateKey:
    """A self-signed app certificate with its private key in one PEM file, as Entra ID takes it."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "cosbot")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    pem_key = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    path.write_bytes(pem_key + cert.public_bytes(serialization.Encoding.PEM))
    return key


async def test_certificate_sign_in_sends_a_signed_client_assertion(tls: LocalTls, tmp_path: Path) -> None:
    key = write_client_certificate(tmp_path / "app.pem")
    async with FakeGraph(tls=tls, require_token=True) as graph:
        settings = GraphSettings(
            mailbox=MAILBOX,
            tenant_id=TENANT,
            client_id=CLIENT_ID,
            certificate_path=str(tmp_path / "app.pem"),
            base_url=graph.base_url,
            authority_host=graph.authority,
        )
        calendar = GraphCalendar.from_settings(settings, ca_file=str(tls.ca_file))
        try:
            await calendar.create(make_spec())
        finally:
            await calendar.close()

    (token,) = graph.token_requests
    assert "client_secret" not in token.form
    assert token.form["client_assertion_type"] == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    claims = jwt.decode(
        token.form["client_assertion"],
        key.public_key(),
        algorithms=["RS256", "PS256"],
        audience=f"https://{graph.authority}/{TENANT}/oauth2/v2.0/token",
    )
    assert claims["iss"] == claims["sub"] == CLIENT_ID
    assert graph.graph_requests[0].header("Authorization") == f"Bearer {graph.token}"
    graph.assert_no_violations()


async def test_managed_identity_sign_in(monkeypatch: pytest.MonkeyPatch) -> None:
    """App Service's managed identity; Graph over plain http, which the SDK allows on localhost."""
    for name in ("IDENTITY_SERVER_THUMBPRINT", "IMDS_ENDPOINT", "MSI_ENDPOINT", "AZURE_FEDERATED_TOKEN_FILE"):
        monkeypatch.delenv(name, raising=False)
    async with FakeGraph(require_token=True) as graph:
        monkeypatch.setenv("IDENTITY_ENDPOINT", graph.identity_endpoint)
        monkeypatch.setenv("IDENTITY_HEADER", graph.identity_header)
        settings = GraphSettings(
            mailbox=MAILBOX, client_id=CLIENT_ID, use_managed_identity=True, base_url=graph.base_url
        )
        calendar = GraphCalendar.from_settings(settings)
        try:
            await calendar.create(make_spec())
        finally:
            await calendar.close()

    (token,) = graph.identity_requests
    assert token.query["resource"] == graph.origin
    assert token.query["client_id"] == CLIENT_ID
    assert graph.graph_requests[0].header("Authorization") == f"Bearer {graph.token}"
    graph.assert_no_violations()


# ----------------------------------------------------------------------------------- settings


def test_settings_are_none_when_graph_is_not_configured() -> None:
    assert GraphSettings.from_env({}) is None
    assert GraphSettings.from_env({"GRAPH_MAILBOX": "", "GRAPH_BASE_URL": DEFAULT_BASE_URL}) is None


def test_settings_with_a_client_secret() -> None:
    settings = GraphSettings.from_env(
        {
            "GRAPH_TENANT_ID": TENANT,
            "GRAPH_CLIENT_ID": CLIENT_ID,
            "GRAPH_CLIENT_SECRET": "s3cret",
            "GRAPH_MAILBOX": MAILBOX,
        }
    )

    assert settings == GraphSettings(
        mailbox=MAILBOX, tenant_id=TENANT, client_id=CLIENT_ID, client_secret="s3cret"
    )
    assert (settings.base_url, settings.authority_host) == (DEFAULT_BASE_URL, DEFAULT_AUTHORITY_HOST)
    assert settings.scope == "https://graph.microsoft.com/.default"
    assert "s3cret" not in repr(settings)


def test_settings_for_a_national_cloud_with_a_certificate() -> None:
    settings = GraphSettings.from_env(
        {
            "GRAPH_TENANT_ID": TENANT,
            "GRAPH_CLIENT_ID": CLIENT_ID,
            "GRAPH_CERTIFICATE_PATH": "/run/secrets/graph.pem",
            "GRAPH_MAILBOX": MAILBOX,
            "GRAPH_BASE_URL": "https://graph.microsoft.us/v1.0",
            "GRAPH_AUTHORITY_HOST": "login.microsoftonline.us",
            "GRAPH_USE_MANAGED_IDENTITY": "false",
        }
    )

    assert settings is not None
    assert settings.certificate_path == "/run/secrets/graph.pem"
    assert settings.authority_host == "login.microsoftonline.us"
    assert settings.scope == "https://graph.microsoft.us/.default"


def test_settings_with_a_managed_identity_need_no_tenant_or_secret() -> None:
    settings = GraphSettings.from_env({"GRAPH_USE_MANAGED_IDENTITY": "True", "GRAPH_MAILBOX": MAILBOX})

    assert settings == GraphSettings(mailbox=MAILBOX, use_managed_identity=True)


@pytest.mark.parametrize(
    ("environ", "says"),
    [
        ({"GRAPH_CLIENT_ID": CLIENT_ID}, "set GRAPH_MAILBOX"),
        ({"GRAPH_MAILBOX": MAILBOX}, "Set GRAPH_TENANT_ID and GRAPH_CLIENT_ID"),
        (
            {"GRAPH_MAILBOX": MAILBOX, "GRAPH_TENANT_ID": TENANT, "GRAPH_CLIENT_ID": CLIENT_ID},
            "Set GRAPH_CLIENT_SECRET or GRAPH_CERTIFICATE_PATH, or GRAPH_USE_MANAGED_IDENTITY=true.",
        ),
        (
            {
                "GRAPH_MAILBOX": MAILBOX,
                "GRAPH_TENANT_ID": TENANT,
                "GRAPH_CLIENT_ID": CLIENT_ID,
                "GRAPH_CLIENT_SECRET": "s3cret",
                "GRAPH_CERTIFICATE_PATH": "/run/secrets/graph.pem",
            },
            "not both",
        ),
        ({"GRAPH_MAILBOX": MAILBOX, "GRAPH_USE_MANAGED_IDENTITY": "sometimes"}, "must be true or false"),
        (
            {
                "GRAPH_MAILBOX": MAILBOX,
                "GRAPH_USE_MANAGED_IDENTITY": "1",
                "GRAPH_BASE_URL": "graph.microsoft.com",
            },
            "GRAPH_BASE_URL must be a URL",
        ),
    ],
    ids=["no-mailbox", "no-app", "no-credential", "two-credentials", "bad-flag", "bad-url"],
)
def test_partial_settings_say_what_is_missing(environ: dict[str, str], says: str) -> None:
    with pytest.raises(ValueError, match="^(Microsoft Graph is partly configured|GRAPH_)") as raised:
        GraphSettings.from_env(environ)

    assert says in str(raised.value)
    assert "s3cret" not in str(raised.value)
