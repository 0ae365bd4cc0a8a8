"""A stand-in for the Bot Framework's token issuer: RSA signing keys, tokens, and an OpenID server.

botbuilder fetches the OpenID metadata and the JWKS with blocking ``requests`` on the event
loop's thread, so the server here is a stdlib ``http.server`` in a thread of its own (an aiohttp
server on the same loop would deadlock). Every server gets a fresh URL, because botbuilder
caches metadata per URL for the life of the process.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

#: The issuer of tokens the Bot Framework channel service sends to bots (public cloud).
BOT_FRAMEWORK_ISSUER = "https://api.botframework.com"


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_key: rsa.RSAPrivateKey
    endorsements: tuple[str, ...] = ("msteams",)

    @classmethod
    def generate(cls, kid: str | None = None, endorsements: Sequence[str] = ("msteams",)) -> SigningKey:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return cls(kid or f"test-{uuid.uuid4().hex[:12]}", key, tuple(endorsements))

    def jwk(self) -> dict[str, Any]:
        """The public half as it appears in the Bot Framework's JWKS."""
        public: dict[str, Any] = json.loads(RSAAlgorithm.to_jwk(self.private_key.public_key()))
        public.update(kid=self.kid, use="sig", alg="RS256", endorsements=list(self.endorsements))
        return public

    def public_pem(self) -> bytes:
        return self.private_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def sign(self, claims: Mapping[str, Any], *, kid: str | None = None, include_kid: bool = True) -> str:
        headers = {"kid": kid or self.kid} if include_kid else {}
        return jwt.encode(dict(claims), self.private_key, algorithm="RS256", headers=headers)


def channel_claims(
    app_id: str,
    service_url: str,
    *,
    issuer: str = BOT_FRAMEWORK_ISSUER,
    lifetime: float = 3600.0,
    now: float | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """The claims of a token the channel service sends with an activity."""
    issued = time.time() if now is None else now
    claims: dict[str, Any] = {
        "serviceurl": service_url,
        "nbf": int(issued) - 60,
        "exp": int(issued + lifetime),
        "iss": issuer,
        "aud": app_id,
    }
    claims.update(extra)
    return claims


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unsigned_token(claims: Mapping[str, Any], kid: str) -> str:
    """``alg: none``: no signature at all."""
    header = {"alg": "none", "typ": "JWT", "kid": kid}
    return f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(dict(claims)).encode())}."


def hmac_token(claims: Mapping[str, Any], kid: str, secret: bytes) -> str:
    """HS256 keyed with ``secret`` (the algorithm-confusion attack uses the public key's PEM)."""
    header = {"alg": "HS256", "typ": "JWT", "kid": kid}
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(dict(claims)).encode())}"
    signature = hmac.new(secret, signing_input.encode("ascii"), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(signature)}"


@dataclass
class OpenIdServer:
    """Serves OpenID metadata at ``url`` and, at its ``jwks_uri``, the public halves of ``keys``."""

    keys: list[SigningKey]
    #: Paths of the GET requests served, in order.
    requests: list[str] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None
    _prefix: str = field(default_factory=lambda: f"/{uuid.uuid4().hex}")

    @property
    def metadata_path(self) -> str:
        return f"{self._prefix}/v1/.well-known/openidconfiguration"

    @property
    def jwks_path(self) -> str:
        return f"{self._prefix}/v1/.well-known/keys"

    @property
    def origin(self) -> str:
        assert self._server is not None, "the server is not running"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def url(self) -> str:
        """The OpenID metadata URL (what BOT_OPENID_METADATA_URL points at)."""
        return self.origin + self.metadata_path

    def _document(self, path: str) -> dict[str, Any] | None:
        if path == self.metadata_path:
            return {
                "issuer": BOT_FRAMEWORK_ISSUER,
                "authorization_endpoint": "https://invalid.example/v1/auth",
                "jwks_uri": self.origin + self.jwks_path,
                "id_token_signing_alg_values_supported": ["RS256"],
                "token_endpoint_auth_methods_supported": ["private_key_jwt"],
            }
        if path == self.jwks_path:
            return {"keys": [key.jwk() for key in self.keys]}
        return None

    @contextmanager
    def running(self) -> Iterator[OpenIdServer]:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                owner.requests.append(self.path)
                document = owner._document(self.path)
                body = json.dumps(document if document is not None else {"error": "not found"}).encode()
                self.send_response(200 if document is not None else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        thread = threading.Thread(target=self._server.serve_forever, name="openid-server", daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._server.shutdown()
            self._server.server_close()
            thread.join(timeout=5)
