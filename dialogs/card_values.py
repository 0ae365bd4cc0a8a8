"""Reading what a card submit carries: ids that came back from a card are checked, not trusted."""

from __future__ import annotations

from typing import Any


def as_id(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    if isinstance(value, str) and value.isdigit() and len(value) < 12:
        return int(value)
    return None
