"""Small helpers for the bot's words (``docs/style.md``): real plurals and lists as people say them."""

from __future__ import annotations

from collections.abc import Sequence


def counted(count: int, singular: str, plural: str = "") -> str:
    """A count with its noun: "1 meeting", "6 meetings", "2 communities" (give ``plural`` when
    it is not ``singular`` + s)."""
    return f"{count} {singular if count == 1 else (plural or singular + 's')}"


def listed(words: Sequence[str], last: str = "or") -> str:
    """Words as a sentence lists them: "edited", "edited or withdrawn", "edited, resubmitted or withdrawn"."""
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} {last} {words[-1]}"
