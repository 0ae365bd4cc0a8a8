"""With MicrosoftAppId set, /api/messages takes only requests carrying a valid Bot Framework token.

These run the real aiohttp app (botbuilder's own token validation included) against a local
OpenID metadata + JWKS server that stands in for login.botframework.com, pointed at through
``BOT_OPENID_METADATA_URL`` (``Settings.openid_metadata_url``).
"""

from __future__ import annotations

import ipaddress
import json
import socket
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from botframework.connector.auth import AuthenticationConstants, JwtTokenExtractor

from bot.app import create_app, token_provider
from bot.config import ConfigError, Settings
from bot.teams.connector import BotFrameworkTokens
from communities.clock import FixedClock
from communities.db import Database
from tests.support.jwt_issuer import (
    OpenIdServer,
    SigningKey,
    channel_claims,
    hmac_token,
    unsigned_token,
)

APP_ID = "4a7c7b1e-0d3f-4c55-9d6e-2f1a8b3c0b07"
TENANT_ID = "6e1b2c3d-4f5a-4b6c-8d7e-9f0a1b2c3d4e"
SERVICE_URL = "https://smba.trafficmanager.net/uk/"

Client = TestClient[web.Request, web.Application]


# ---- a record of every connection that leaves this machine ----------------------------------------

_outbound: list[str] | None = None
_hook_installed = False


def _is_loopback(host: object) -> bool:
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if not isinstance(host, str) or not host:
        return True  # AF_UNIX paths, or getaddrinfo(None, ...) for a local bind
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if _outbound is None:
        return
    if event == "socket.getaddrinfo":
        host = args[0]
    elif event == "socket.connect":
        address = args[1]
        host = address[0] if isinstance(address, tuple) else address
    else:
        return
    if not _is_loopback(host):
        _outbound.append(f"{event} {host!r}")


@pytest.fixture
def outbound() -> Iterator[list[str]]:
    """Hosts this process looks up or connects to, other than loopback, while the test runs."""
    global _outbound, _hook_installed
    if not _hook_installed:
        sys.addaudithook(_audit)  # audit hooks cannot be removed; it is idle outside this fixture
        _hook_installed = True
    _outbound = []
    try:
        yield _outbound
    finally:
        _outbound = None


# ---- keys, the OpenID server, and the app -------------------------------------------------------


@pytest.fixture(scope="module")
def signing_key() -> SigningKey:
    """The channel's key: published in the JWKS and endorsed for Teams."""
    return SigningKey.generate(endorsements=["msteams"])


@pytest.fixture(scope="module")
def stranger_key() -> SigningKey:
    """A key nobody published."""
    return SigningKey.generate()


@pytest.fixture
def openid(signing_key: SigningKey, monkeypatch: pytest.MonkeyPatch) -> Iterator[OpenIdServer]:
    # botbuilder fetches with `requests`, which would send even 127.0.0.1 through a configured proxy.
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    server = OpenIdServer([signing_key])
    with server.running():
        url = server.url
        yield server
    JwtTokenExtractor.metadataCache.pop(url, None)


def _settings(database_url: str, openid: OpenIdServer) -> Settings:
    settings = Settings(
        app_id=APP_ID,
        app_password="not-a-real-secret",
        app_tenant_id=TENANT_ID,
        app_type="SingleTenant",
        database_url=database_url,
        openid_metadata_url=openid.url,
    )
    settings.validate()
    return settings


@pytest.fixture
async def client(
    db: Database, database_url: str, openid: OpenIdServer, clock: FixedClock
) -> AsyncIterator[Client]:
    async with TestClient(TestServer(create_app(_settings(database_url, openid), clock=clock))) as client:
        yield client


def activity(
    *, service_url: str = SERVICE_URL, channel_id: str = "msteams", type_: str = "event"
) -> dict[str, Any]:
    """An activity the bot accepts without replying (an event it has no handler for)."""
    return {
        "type": type_,
        "name": "cosbot.test",
        "id": "f:1",
        "channelId": channel_id,
        "serviceUrl": service_url,
        "conversation": {"id": "a:1conversation", "conversationType": "personal", "tenantId": TENANT_ID},
        "from": {"id": "29:1person", "aadObjectId": "00000000-0000-4000-8000-000000000001"},
        "recipient": {"id": f"28:{APP_ID}"},
        "channelData": {"tenant": {"id": TENANT_ID}},
    }


async def post(
    client: Client, authorization: str | None, body: dict[str, Any] | None = None
) -> tuple[int, str]:
    headers = {} if authorization is None else {"Authorization": authorization}
    async with client.post("/api/messages", json=body or activity(), headers=headers) as response:
        return response.status, await response.text()


def assert_unauthorized(status: int, text: str) -> None:
    assert status == 401, f"expected 401, got {status}: {text[:500]}"
    assert "Traceback" not in text and 'File "' not in text, text
    body = json.loads(text)
    assert set(body) == {"error"} and "token" in body["error"], body


# ---- refused ------------------------------------------------------------------------------------


async def test_no_authorization_header_is_refused(client: Client) -> None:
    assert_unauthorized(*await post(client, None))


@pytest.mark.parametrize(
    "authorization",
    [
        "",
        "Bearer",
        "Bearer garbage",
        "Bearer a.b.c",
        "Bearer eyJhbGciOiJSUzI1NiJ9.e30.",
        "Basic dXNlcjpwYXNzd29yZA==",
        "garbage",
    ],
)
async def test_a_garbage_authorization_header_is_refused(client: Client, authorization: str) -> None:
    assert_unauthorized(*await post(client, authorization))


async def test_a_valid_token_without_the_bearer_scheme_is_refused(
    client: Client, signing_key: SigningKey
) -> None:
    token = signing_key.sign(channel_claims(APP_ID, SERVICE_URL))
    assert_unauthorized(*await post(client, token))


@pytest.mark.parametrize("issuer", ["https://evil.example.com", "https://api.botframework.com/", ""])
async def test_a_token_from_another_issuer_is_refused(
    client: Client, signing_key: SigningKey, issuer: str
) -> None:
    token = signing_key.sign(channel_claims(APP_ID, SERVICE_URL, issuer=issuer))
    assert_unauthorized(*await post(client, f"Bearer {token}"))


@pytest.mark.parametrize(
    "audience", ["11111111-2222-4333-8444-555555555555", "", "https://api.botframework.com"]
)
async def test_a_well_signed_token_for_another_audience_is_refused(
    client: Client, signing_key: SigningKey, audience: str
) -> None:
    token = signing_key.sign(channel_claims(audience, SERVICE_URL))
    assert_unauthorized(*await post(client, f"Bearer {token}"))


async def test_an_expired_token_is_refused(client: Client, signing_key: SigningKey) -> None:
    # botbuilder allows five minutes of clock skew; this one ran out ten minutes ago.
    token = signing_key.sign(channel_claims(APP_ID, SERVICE_URL, now=time.time() - 3600 - 600))
    assert_unauthorized(*await post(client, f"Bearer {token}"))


async def test_a_token_not_yet_valid_is_refused(client: Client, signing_key: SigningKey) -> None:
    token = signing_key.sign(channel_claims(APP_ID, SERVICE_URL, nbf=int(time.time()) + 3600))
    assert_unauthorized(*await post(client, f"Bearer {token}"))


async def test_a_token_signed_by_another_key_under_a_published_key_id_is_refused(
    client: Client, signing_key: SigningKey, stranger_key: SigningKey
) -> None:
    token = stranger_key.sign(channel_claims(APP_ID, SERVICE_URL), kid=signing_key.kid)
    assert_unauthorized(*await post(client, f"Bearer {token}"))


async def test_a_token_signed_by_a_key_missing_from_the_jwks_is_refused(
    client: Client, stranger_key: SigningKey
) -> None:
    token = stranger_key.sign(channel_claims(APP_ID, SERVICE_URL))
    assert_unauthorized(*await post(client, f"Bearer {token}"))


async def test_a_token_with_no_key_id_is_refused(client: Client, stranger_key: SigningKey) -> None:
    token = stranger_key.sign(channel_claims(APP_ID, SERVICE_URL), include_kid=False)
    assert_unauthorized(*await post(client, f"Bearer {token}"))


async def test_an_unsigned_token_is_refused(client: Client, signing_key: SigningKey) -> None:
    token = unsigned_token(channel_claims(APP_ID, SERVICE_URL), kid=signing_key.kid)
    assert_unauthorized(*await post(client, f"Bearer {token}"))


async def test_a_token_signed_with_the_public_key_as_an_hmac_secret_is_refused(
    client: Client, signing_key: SigningKey
) -> None:
    token = hmac_token(channel_claims(APP_ID, SERVICE_URL), signing_key.kid, signing_key.public_pem())
    assert_unauthorized(*await post(client, f"Bearer {token}"))


async def test_a_token_without_an_issuer_claim_is_refused(client: Client, signing_key: SigningKey) -> None:
    claims = channel_claims(APP_ID, SERVICE_URL)
    del claims["iss"]
    assert_unauthorized(*await post(client, f"Bearer {signing_key.sign(claims)}"))


async def test_a_token_for_another_service_url_is_refused(client: Client, signing_key: SigningKey) -> None:
    token = signing_key.sign(channel_claims(APP_ID, SERVICE_URL))
    status, text = await post(client, f"Bearer {token}", activity(service_url="https://attacker.example/"))
    assert_unauthorized(status, text)


async def test_a_token_without_a_service_url_claim_is_refused(
    client: Client, signing_key: SigningKey
) -> None:
    claims = channel_claims(APP_ID, SERVICE_URL)
    del claims["serviceurl"]
    assert_unauthorized(*await post(client, f"Bearer {signing_key.sign(claims)}"))


async def test_a_key_not_endorsed_for_the_activitys_channel_is_refused(
    client: Client, signing_key: SigningKey
) -> None:
    token = signing_key.sign(channel_claims(APP_ID, SERVICE_URL))
    status, text = await post(client, f"Bearer {token}", activity(channel_id="webchat"))
    assert_unauthorized(status, text)


# ---- accepted -----------------------------------------------------------------------------------


async def test_a_valid_channel_token_is_accepted_without_leaving_the_machine(
    db: Database,
    database_url: str,
    openid: OpenIdServer,
    clock: FixedClock,
    signing_key: SigningKey,
    outbound: list[str],
) -> None:
    app = create_app(_settings(database_url, openid), clock=clock)
    async with TestClient(TestServer(app)) as client:
        token = signing_key.sign(channel_claims(APP_ID, SERVICE_URL))
        status, text = await post(client, f"Bearer {token}")
        assert status == 200, text
        # The same token again: the keys now come from botbuilder's cache.
        status, text = await post(client, f"Bearer {token}")
        assert status == 200, text
    # The keys came from our OpenID server, so the override is what botbuilder used...
    assert openid.requests == [openid.metadata_path, openid.jwks_path]
    # ...and neither start-up (the outgoing-token provider) nor the turn went anywhere else.
    assert outbound == []


async def test_the_outgoingtoken_provider_does_not_touch_the_network_until_a_token_is_needed(
    database_url: str, openid: OpenIdServer, outbound: list[str]
) -> None:
    tokens = await token_provider(_settings(database_url, openid))
    assert isinstance(tokens, BotFrameworkTokens)
    assert outbound == []


def test_the_network_record_sees_a_lookup_of_a_public_host(outbound: list[str]) -> None:
    """The record the two tests above rely on does notice traffic leaving the machine."""
    with pytest.raises(OSError):
        socket.getaddrinfo("login.botframework.invalid", 443)
    assert outbound == ["socket.getaddrinfo 'login.botframework.invalid'"]


# ---- the setting behind all this -------------------------------------------------------------


def _env(tmp_path: Path, **values: str) -> Settings:
    base = {"MicrosoftAppId": APP_ID, "MicrosoftAppPassword": "secret", "MicrosoftAppTenantId": TENANT_ID}
    return Settings.from_env({**base, **values}, env_file=tmp_path / "no.env")


def test_the_metadata_url_comes_from_bot_openid_metadata_url_and_defaults_to_the_public_cloud(
    tmp_path: Path,
) -> None:
    url = "https://login.botframework.azure.us/v1/.well-known/openidconfiguration"
    assert (
        _env(tmp_path, BOT_OPENID_METADATA_URL=url).bot_auth_config().TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL
        == url
    )
    public = _env(tmp_path).bot_auth_config()
    assert (
        public.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL
        == AuthenticationConstants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL
    )
    # Everything else stays what botbuilder's built-in public-cloud authentication uses.
    assert public.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER == "https://api.botframework.com"
    assert public.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE == "https://api.botframework.com"
    assert (
        public.TO_CHANNEL_FROM_BOT_LOGIN_URL == AuthenticationConstants.TO_CHANNEL_FROM_BOT_LOGIN_URL_PREFIX
    )
    assert public.TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL == (
        AuthenticationConstants.TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL
    )
    assert public.OAUTH_URL == AuthenticationConstants.OAUTH_URL
    assert public.CALLER_ID == "urn:botframework:azure"


def test_a_metadata_url_that_is_not_http_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="BOT_OPENID_METADATA_URL"):
        _env(tmp_path, BOT_OPENID_METADATA_URL="login.botframework.com/v1/.well-known/openidconfiguration")


async def test_without_an_app_id_a_request_without_a_token_is_still_served(
    db: Database, database_url: str, clock: FixedClock
) -> None:
    """Local development (loopback only): botbuilder's parameterized path would refuse this."""
    settings = Settings(database_url=database_url)
    assert not hasattr(settings.bot_auth_config(), "TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL")
    async with TestClient(TestServer(create_app(settings, clock=clock))) as client:
        status, text = await post(client, None)
    assert status == 200, text


# ---- signing keys are fetched off the event loop ------------------------------------------------


async def test_the_signing_keys_are_loaded_at_start_up_so_no_turn_fetches_them(
    db: Database, database_url: str, openid: OpenIdServer, clock: FixedClock, signing_key: SigningKey
) -> None:
    app = create_app(_settings(database_url, openid), clock=clock)
    async with TestClient(TestServer(app)) as client:
        assert openid.requests == [openid.metadata_path, openid.jwks_path]  # before any request
        for _ in range(3):
            status, text = await post(
                client, f"Bearer {signing_key.sign(channel_claims(APP_ID, SERVICE_URL))}"
            )
            assert status == 200, text
    assert openid.requests == [openid.metadata_path, openid.jwks_path]


async def test_a_key_server_that_is_down_at_start_up_does_not_stop_the_bot(
    db: Database, database_url: str, clock: FixedClock
) -> None:
    settings = Settings(
        app_id=APP_ID,
        app_password="not-a-real-secret",
        app_tenant_id=TENANT_ID,
        database_url=database_url,
        openid_metadata_url="http://127.0.0.1:9/v1/.well-known/openidconfiguration",  # nothing listens
    )
    async with TestClient(TestServer(create_app(settings, clock=clock))) as client:
        assert (await client.get("/healthz")).status == 200
        status, text = await post(client, None)
        assert_unauthorized(status, text)
