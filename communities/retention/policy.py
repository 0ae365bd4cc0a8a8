"""The retention policy: how long each kind of record is kept, in days (``RETENTION_*_DAYS``).

The defaults are proposals for the council's data protection officer to confirm (README,
"Retention"). The bot is not the pupil record: pupil-level answers go a year after the request
closes; the non-identifying outcome and its money stay for the six years financial records are
kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from enum import StrEnum


class Kind(StrEnum):
    """The kinds of record the policy covers, in the order a purge reports them."""

    REQUEST_DETAIL = "request_detail"
    OUTCOMES = "outcomes"
    DECLARATIONS = "declarations"
    AUDIT = "audit"
    OUTBOX = "outbox"
    BOT_STATE = "bot_state"
    CONVERSATION_REFS = "conversation_refs"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def setting(self) -> str:
        return f"RETENTION_{self.value.upper()}_DAYS"


_LABELS = {
    Kind.REQUEST_DETAIL: "Request detail",
    Kind.OUTCOMES: "Outcomes",
    Kind.DECLARATIONS: "Declarations",
    Kind.AUDIT: "Audit",
    Kind.OUTBOX: "Outbox messages",
    Kind.BOT_STATE: "Bot state",
    Kind.CONVERSATION_REFS: "Conversation references",
}

#: An abandoned draft request is deleted this many days after its last change (not a setting).
ABANDONED_DRAFT_DAYS = 90


class RetentionSettingError(ValueError):
    """A ``RETENTION_*_DAYS`` value is not a whole number of days above zero; the message says which."""


@dataclass(frozen=True)
class RetentionPolicy:
    """Days each kind is kept (see the README for what happens when they pass, and why)."""

    request_detail: int = 365
    outcomes: int = 2190
    declarations: int = 2190
    audit: int = 2190
    outbox: int = 90
    bot_state: int = 30
    conversation_refs: int = 90
    abandoned_draft: int = ABANDONED_DRAFT_DAYS

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise RetentionSettingError(f"{item.name} must be a whole number of days above zero")

    def days(self, kind: Kind) -> int:
        value: int = getattr(self, kind.value)
        return value

    @classmethod
    def from_env(
        cls, values: Mapping[str, str], error: type[ValueError] = RetentionSettingError
    ) -> RetentionPolicy:
        """The policy from ``RETENTION_*_DAYS`` values (unset or empty: the default). A value that is
        not a whole number, or is zero or negative, raises ``error`` naming the setting."""
        days: dict[str, int] = {}
        for kind in Kind:
            raw = values.get(kind.setting, "").strip()
            if raw:
                days[kind.value] = _days(raw, kind.setting, error)
        return cls(**days)


def _days(raw: str, name: str, error: type[ValueError]) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise error(f"{name} must be a whole number of days, such as 365, not {raw!r}") from None
    if value <= 0:
        raise error(f"{name} must be more than 0 days, not {value}")
    return value
