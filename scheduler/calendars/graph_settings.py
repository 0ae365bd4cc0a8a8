"""How to reach Microsoft Graph, read from ``GRAPH_*`` settings (no SDK import: the CLI reads it)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

DEFAULT_BASE_URL = "https://graph.microsoft.com/v1.0"
DEFAULT_AUTHORITY_HOST = "login.microsoftonline.com"
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"", "0", "false", "no", "off"})


@dataclass(frozen=True)
class GraphSettings:
    """How to reach Graph: the app registration, its credential, and the scheduling mailbox.

    Exactly one credential: ``client_secret``, ``certificate_path`` (PEM or PKCS12 with the private
    key) or ``use_managed_identity`` (``client_id`` then names a user-assigned identity, if any).
    """

    mailbox: str
    tenant_id: str | None = None
    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    certificate_path: str | None = None
    use_managed_identity: bool = False
    base_url: str = DEFAULT_BASE_URL
    authority_host: str = DEFAULT_AUTHORITY_HOST

    def __post_init__(self) -> None:
        problems = _settings_problems(self)
        if problems:
            raise ValueError("Microsoft Graph is partly configured: " + " ".join(problems))

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> GraphSettings | None:
        """Settings from ``GRAPH_*`` variables; None when Graph is not configured at all.

        Raises ValueError, naming the variables to set, when some are set and others missing.
        """

        def get(name: str) -> str | None:
            return environ.get(name, "").strip() or None

        managed = _parse_bool("GRAPH_USE_MANAGED_IDENTITY", environ.get("GRAPH_USE_MANAGED_IDENTITY", ""))
        names = ("GRAPH_MAILBOX", "GRAPH_CLIENT_ID", "GRAPH_TENANT_ID", "GRAPH_CLIENT_SECRET")
        if not managed and not any(get(name) for name in (*names, "GRAPH_CERTIFICATE_PATH")):
            return None
        mailbox = get("GRAPH_MAILBOX")
        if mailbox is None:
            raise ValueError(
                "Microsoft Graph is partly configured: set GRAPH_MAILBOX to the scheduling mailbox "
                "whose calendar holds the meetings (or unset the other GRAPH_* variables)."
            )
        return cls(
            mailbox=mailbox,
            tenant_id=get("GRAPH_TENANT_ID"),
            client_id=get("GRAPH_CLIENT_ID"),
            client_secret=get("GRAPH_CLIENT_SECRET"),
            certificate_path=get("GRAPH_CERTIFICATE_PATH"),
            use_managed_identity=managed,
            base_url=get("GRAPH_BASE_URL") or DEFAULT_BASE_URL,
            authority_host=get("GRAPH_AUTHORITY_HOST") or DEFAULT_AUTHORITY_HOST,
        )

    @property
    def graph_host(self) -> str:
        return urlsplit(self.base_url).hostname or ""

    @property
    def scope(self) -> str:
        """The app-only scope for the Graph host in use (national clouds have their own)."""
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}/.default"


def _parse_bool(name: str, value: str) -> bool:
    text = value.strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"{name} must be true or false, not {value!r}.")


def _settings_problems(settings: GraphSettings) -> list[str]:
    problems: list[str] = []
    if not settings.mailbox:
        problems.append("Set GRAPH_MAILBOX to the scheduling mailbox.")
    parts = urlsplit(settings.base_url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        problems.append(
            f"GRAPH_BASE_URL must be a URL such as {DEFAULT_BASE_URL}, not {settings.base_url!r}."
        )
    secrets = [settings.client_secret is not None, settings.certificate_path is not None]
    if settings.use_managed_identity:
        if any(secrets):
            problems.append("Use either a managed identity or a client secret/certificate, not both.")
        return problems
    missing = [
        name
        for name, value in (("GRAPH_TENANT_ID", settings.tenant_id), ("GRAPH_CLIENT_ID", settings.client_id))
        if not value
    ]
    if missing:
        problems.append(f"Set {' and '.join(missing)} (from the app registration in Entra ID).")
    if not any(secrets):
        problems.append(
            "Set GRAPH_CLIENT_SECRET or GRAPH_CERTIFICATE_PATH, or GRAPH_USE_MANAGED_IDENTITY=true."
        )
    elif all(secrets):
        problems.append("Set GRAPH_CLIENT_SECRET or GRAPH_CERTIFICATE_PATH, not both.")
    return problems
