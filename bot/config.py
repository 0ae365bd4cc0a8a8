"""Settings from the environment (and a ``.env`` file if present), validated at start-up."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import time, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values

from communities.db import DEFAULT_DATABASE_URL
from communities.disputes.windows import SETTINGS as DISPUTE_SETTINGS
from communities.disputes.windows import DisputeWindows
from communities.meetings.rsvp import QuorumRule
from communities.meetings.tables import MeetingOffsets
from communities.retention.policy import RetentionPolicy
from scheduler.calendars.graph_settings import GraphSettings
from scheduler.timeline import TimelineOffsets

APP_TYPES = ("SingleTenant", "MultiTenant", "UserAssignedMSI")


class ConfigError(ValueError):
    """A setting is missing or wrong; the message says which and how to fix it."""


@dataclass(frozen=True)
class Settings:
    app_id: str = ""
    app_password: str = ""
    app_tenant_id: str = ""
    app_type: str = "SingleTenant"
    database_url: str = DEFAULT_DATABASE_URL
    timezone: str = "Europe/London"
    #: Who to ask about access; shown to people who are not in the roster.
    support_contact: str = "localitymodel@kent.gov.uk"
    bot_name: str = "CoS Bot"
    #: Public https URL of the service, used in the Teams app package.
    public_url: str = ""
    #: Outbox sending: the whole bot's rate (Teams allows 50/s per app per tenant).
    outbox_rate_per_second: float = 20.0
    outbox_max_attempts: int = 8
    #: Largest accepted request body on /api/messages.
    max_body_bytes: int = 256 * 1024
    #: Where the Bot Framework's OpenID metadata (and so its signing keys) is fetched from,
    #: for national clouds and tests; empty means the public cloud's.
    openid_metadata_url: str = ""
    #: How long a sender's roster profile is reused between turns; a roster import reaches a
    #: running service within this time. 0 looks the profile up on every turn.
    roster_cache_seconds: float = 30.0
    #: Days before a meeting that requests close and that its agenda is due.
    submission_deadline_days: int = 10
    agenda_due_days: int = 5
    #: ``COUNT_SCHOOL_DAYS``: the deadline, agenda and timeline days are school days (the
    #: default) or calendar days; either way a date on a non-school day moves to the one before.
    count_school_days: bool = True
    #: Quorum: the share of member schools to be represented, and whether the chair or vice
    #: chair must attend (defaults from the Terms of Reference analogues: 1/2, yes).
    quorum_school_share: str = "1/2"
    quorum_needs_chair: bool = True
    #: When each timeline step falls (days before, local times): ``TIMELINE_*`` variables.
    timeline: TimelineOffsets = field(default_factory=TimelineOffsets)
    #: The dispute route's windows, in school days: ``DISPUTE_*`` variables.
    disputes: DisputeWindows = field(default_factory=DisputeWindows)
    #: Run the meeting timeline (reminders, cut-offs, agendas due) in this process.
    scheduler_enabled: bool = True
    #: Microsoft Graph for meeting calendars; None means the local calendar (ICS feeds).
    graph: GraphSettings | None = None
    #: The council granted Graph's TeamsAppInstallation.ReadWriteSelfForUser.All: the bot installs
    #: itself for people whom no team reaches (``GRAPH_INSTALL_APP``), as the catalog app
    #: ``TEAMS_CATALOG_APP_ID`` (the id in the org's app catalog, not the manifest's).
    graph_install_app: bool = False
    teams_catalog_app_id: str = ""
    #: ``SAR_INCLUDE_PUPIL_DETAIL``: a member of staff's subject access export includes the pupil-level
    #: detail of the requests they raised (default no: the child is a different data subject).
    sar_include_pupil_detail: bool = False
    #: How long each kind of record is kept (``RETENTION_*_DAYS``; communities.retention.policy).
    retention: RetentionPolicy = field(default_factory=RetentionPolicy)

    @property
    def quorum_rule(self) -> QuorumRule:
        return QuorumRule(Fraction(self.quorum_school_share), self.quorum_needs_chair)

    @property
    def meeting_offsets(self) -> MeetingOffsets:
        return MeetingOffsets(
            submission_deadline=timedelta(days=self.submission_deadline_days),
            agenda_publish_by=timedelta(days=self.agenda_due_days),
            school_days=self.count_school_days,
        )

    @property
    def authenticated(self) -> bool:
        return bool(self.app_id)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def bot_auth_config(self) -> Any:
        """The attribute bag botbuilder's ConfigurationBotFrameworkAuthentication reads."""
        return _BotAuthConfig(self)

    @classmethod
    def for_package(cls, environ: Mapping[str, str] | None = None, env_file: Path | None = None) -> Settings:
        """Only what the Teams app package needs: ``MicrosoftAppId`` and ``PUBLIC_URL``.

        A Teams admin who packages the app has the app id and the public URL, not the bot's
        secret or the rest of its configuration; nothing else is read, so nothing else is checked.
        """
        values = _environment(environ, env_file)
        return cls(
            app_id=values.get("MicrosoftAppId", "").strip(),
            public_url=values.get("PUBLIC_URL", "").strip().rstrip("/"),
        )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, env_file: Path | None = None) -> Settings:
        """Read settings. Real environment variables win over the ``.env`` file."""
        values = _environment(environ, env_file)

        def get(name: str, default: str = "") -> str:
            return values.get(name, default).strip()

        settings = cls(
            app_id=get("MicrosoftAppId"),
            app_password=get("MicrosoftAppPassword"),
            app_tenant_id=get("MicrosoftAppTenantId"),
            app_type=get("MicrosoftAppType", "SingleTenant") or "SingleTenant",
            database_url=get("DATABASE_URL", DEFAULT_DATABASE_URL) or DEFAULT_DATABASE_URL,
            timezone=get("TIMEZONE", "Europe/London") or "Europe/London",
            support_contact=get("SUPPORT_CONTACT", cls.support_contact) or cls.support_contact,
            bot_name=get("BOT_NAME", cls.bot_name) or cls.bot_name,
            public_url=get("PUBLIC_URL").rstrip("/"),
            outbox_rate_per_second=_positive_float(
                get("OUTBOX_RATE_PER_SECOND", "20"), "OUTBOX_RATE_PER_SECOND"
            ),
            outbox_max_attempts=int(_positive_float(get("OUTBOX_MAX_ATTEMPTS", "8"), "OUTBOX_MAX_ATTEMPTS")),
            openid_metadata_url=get("BOT_OPENID_METADATA_URL"),
            submission_deadline_days=int(
                _non_negative_float(get("SUBMISSION_DEADLINE_DAYS", "10"), "SUBMISSION_DEADLINE_DAYS")
            ),
            agenda_due_days=int(_non_negative_float(get("AGENDA_DUE_DAYS", "5"), "AGENDA_DUE_DAYS")),
            graph=_graph_settings(values),
            quorum_school_share=get("QUORUM_SCHOOL_SHARE", "1/2") or "1/2",
            quorum_needs_chair=_flag(get("QUORUM_NEEDS_CHAIR", "true")),
            count_school_days=_flag(get("COUNT_SCHOOL_DAYS", "true")),
            timeline=_timeline(get),
            disputes=_disputes(get),
            retention=RetentionPolicy.from_env(values, ConfigError),
            scheduler_enabled=_flag(get("SCHEDULER_ENABLED", "true")),
            graph_install_app=_flag(get("GRAPH_INSTALL_APP", "false")),
            teams_catalog_app_id=get("TEAMS_CATALOG_APP_ID"),
            sar_include_pupil_detail=_flag(get("SAR_INCLUDE_PUPIL_DETAIL") or "false"),
            roster_cache_seconds=_non_negative_float(
                get("ROSTER_CACHE_SECONDS", "30"), "ROSTER_CACHE_SECONDS"
            ),
        )
        settings.validate()
        return settings

    def validate(self) -> None:
        if self.app_type not in APP_TYPES:
            raise ConfigError(
                f"MicrosoftAppType must be one of {', '.join(APP_TYPES)}, not {self.app_type!r}"
            )
        if self.app_id:
            if self.app_type == "SingleTenant" and not self.app_tenant_id:
                raise ConfigError("MicrosoftAppTenantId is required when MicrosoftAppType is SingleTenant")
            if self.app_type != "UserAssignedMSI" and not self.app_password:
                raise ConfigError(
                    f"MicrosoftAppPassword is required when MicrosoftAppType is {self.app_type}"
                )
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ConfigError(f"TIMEZONE {self.timezone!r} is not a known IANA time zone") from exc
        if self.openid_metadata_url and not self.openid_metadata_url.startswith(("https://", "http://")):
            raise ConfigError("BOT_OPENID_METADATA_URL must be an http(s) URL")
        try:
            self.quorum_rule  # noqa: B018  (validates the share)
        except (ValueError, ZeroDivisionError) as exc:
            raise ConfigError(
                f"QUORUM_SCHOOL_SHARE must be a share between 0 and 1 such as 1/2 or 0.6, "
                f"not {self.quorum_school_share!r}"
            ) from exc
        try:
            self.meeting_offsets  # noqa: B018  (validates the pair)
        except ValueError as exc:
            raise ConfigError(
                f"SUBMISSION_DEADLINE_DAYS ({self.submission_deadline_days}) must be more than "
                f"AGENDA_DUE_DAYS ({self.agenda_due_days}): requests close before the agenda is due"
            ) from exc
        if self.outbox_rate_per_second > 50:
            raise ConfigError("OUTBOX_RATE_PER_SECOND must stay within Teams' 50 messages/s per app")


def _environment(environ: Mapping[str, str] | None, env_file: Path | None) -> dict[str, str]:
    """The ``.env`` file's values (``env_file``, default ./.env), overridden by the environment."""
    values: dict[str, str] = {}
    file = env_file if env_file is not None else Path(".env")
    if file.is_file():
        values.update({k: v for k, v in dotenv_values(file).items() if v is not None})
    values.update(os.environ if environ is None else environ)
    return values


#: ``TIMELINE_<NAME>`` variables and the TimelineOffsets field each one sets.
TIMELINE_DAYS = (
    "requests_open_days",
    "deadline_reminder_days",
    "triage_reminder_days",
    "agenda_due_nudge_days",
    "action_reminder_days",
)
TIMELINE_TIMES = (
    "requests_open_time",
    "dm_time",
    "day_before_time",
    "quorum_check_time",
    "morning_of_time",
    "renewal_time",
)


def _timeline(get: Callable[[str, str], str]) -> TimelineOffsets:
    values: dict[str, Any] = {}
    for name in TIMELINE_DAYS:
        raw = get(f"TIMELINE_{name.upper()}", "")
        if raw:
            values[name] = int(_non_negative_float(raw, f"TIMELINE_{name.upper()}"))
    for name in TIMELINE_TIMES:
        raw = get(f"TIMELINE_{name.upper()}", "")
        if raw:
            try:
                values[name] = time.fromisoformat(raw)
            except ValueError as exc:
                raise ConfigError(f"TIMELINE_{name.upper()} must be a time like 09:00, not {raw!r}") from exc
    outcomes = get("TIMELINE_OUTCOMES_DUE_MINUTES", "")
    if outcomes:
        values["outcomes_due_minutes"] = int(_non_negative_float(outcomes, "TIMELINE_OUTCOMES_DUE_MINUTES"))
    grace = get("TIMELINE_GRACE_HOURS", "")
    if grace:
        values["grace"] = timedelta(hours=_positive_float(grace, "TIMELINE_GRACE_HOURS"))
    values["school_days"] = _flag(get("COUNT_SCHOOL_DAYS", "true"))
    try:
        return TimelineOffsets(**values)
    except ValueError as exc:
        raise ConfigError(f"TIMELINE_* settings: {exc}") from exc


def _disputes(get: Callable[[str, str], str]) -> DisputeWindows:
    """``DISPUTE_RAISE_DAYS``, ``DISPUTE_ACKNOWLEDGE_DAYS``, ``DISPUTE_DECIDE_DAYS``,
    ``DISPUTE_ESCALATE_DAYS``, ``DISPUTE_REMINDER_LEAD_DAYS``: school days."""
    values: dict[str, int] = {}
    for name in DISPUTE_SETTINGS:
        raw = get(f"DISPUTE_{name.upper()}", "")
        if raw:
            values[name] = int(_non_negative_float(raw, f"DISPUTE_{name.upper()}"))
    try:
        return DisputeWindows(**values)
    except ValueError as exc:
        raise ConfigError(f"DISPUTE_* settings: {exc}") from exc


def _flag(raw: str) -> bool:
    return raw.strip().lower() not in ("0", "false", "no", "off")


def _graph_settings(values: Mapping[str, str]) -> GraphSettings | None:
    try:
        return GraphSettings.from_env(values)
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc


def _positive_float(raw: str, name: str) -> float:
    value = _number(raw, name)
    if value <= 0:
        raise ConfigError(f"{name} must be greater than zero")
    return value


def _non_negative_float(raw: str, name: str) -> float:
    value = _number(raw, name)
    if value < 0:
        raise ConfigError(f"{name} must be zero or more")
    return value


def _number(raw: str, name: str) -> float:
    try:
        value = float(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a number, not {raw!r}") from exc
    if value != value or value in (float("inf"), float("-inf")):
        raise ConfigError(f"{name} must be a finite number, not {raw!r}")
    return value


class _BotAuthConfig:
    """botbuilder reads these names with getattr; keep them in one place."""

    def __init__(self, settings: Settings) -> None:
        self.APP_ID = settings.app_id
        self.APP_PASSWORD = settings.app_password
        # Without an app id botbuilder only allows anonymous calls in its MultiTenant mode.
        self.APP_TYPE = settings.app_type if settings.app_id else "MultiTenant"
        self.APP_TENANTID = settings.app_tenant_id
        if settings.authenticated:
            # Imported here: the other commands need not load botbuilder to read their settings.
            from botbuilder.schema import CallerIdConstants
            from botframework.connector.auth import AuthenticationConstants

            # Setting any of these makes botbuilder use its parameterized authentication, so all
            # get the public-cloud values that its default path uses, with only the metadata URL
            # overridable. Not without an app id: that path takes only a None header as anonymous,
            # and fails the empty one a request without Authorization brings.
            self.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL = (
                settings.openid_metadata_url
                or AuthenticationConstants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL
            )
            self.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER = AuthenticationConstants.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER
            self.TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL = (
                AuthenticationConstants.TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL
            )
            self.TO_CHANNEL_FROM_BOT_LOGIN_URL = AuthenticationConstants.TO_CHANNEL_FROM_BOT_LOGIN_URL_PREFIX
            self.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE = AuthenticationConstants.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE
            self.OAUTH_URL = AuthenticationConstants.OAUTH_URL
            self.CALLER_ID = CallerIdConstants.public_azure_channel
