"""The community a person asked for: typed after a command (`meetings CANT1`), or on a card button."""

from __future__ import annotations

from typing import Any

from cards.elements import COMMUNITY_FIELD

#: A community code is short; an unknown one is refused by quoting it back, so it is cut to this.
MAX_CODE = 20


def community_asked(command: str, text: str, value: Any) -> str | None:
    """The community code a button carries, or typed after ``command`` (`meetings CANT1`)."""
    if isinstance(value, dict):
        asked = value.get(COMMUNITY_FIELD)
        code = asked if isinstance(asked, str) else ""
    else:
        word, _, rest = text.strip().partition(" ")
        code = rest if word.lower() == command else ""
    return code.strip()[:MAX_CODE] or None
