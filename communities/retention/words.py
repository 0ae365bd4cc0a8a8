"""What views show where the retention policy removed a request's answers (one place to change it)."""

from __future__ import annotations

#: Shown wherever pupil-level answers or free text were before the purge removed them.
DETAIL_REMOVED = "detail removed under the retention policy"


def removed_or(value: str | None, removed: bool) -> str | None:
    """``value``, or the removed-detail words when the purge has cleared it."""
    return DETAIL_REMOVED if removed else value


def removed_text(value: str, removed: bool) -> str:
    """A required text (an action's description), or the removed-detail words."""
    return DETAIL_REMOVED if removed else value
