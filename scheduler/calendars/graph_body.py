"""An online meeting's event body: our text, then the join block Teams adds.

When an event is created with ``isOnlineMeeting``, Graph appends Teams' join block (the "meeting
blob": a rule of underscores, "Microsoft Teams meeting", the join link, dial-in details) to the
body. Graph's documentation for updating an event (api/event-update, "body property and online
meetings") says: before updating the body of an online meeting, first get the body, apply the
changes to the content and preserve the meeting blob; inadvertently removing it disables the
online meeting. PATCH leaves out properties it is not sent, so :func:`new_body` says what to send:
nothing when our text is unchanged, else our new text followed by the join block as Graph wrote it.

Our part is compared as visible text, because Exchange rewrites the HTML it is given (a whole
``<html>`` document comes back, tags and entities may change).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

#: The rule of underscores that opens Teams' join block, in every layout Teams has used.
_JOIN_RULE = re.compile(r"_{20,}")
_BODY_START = re.compile(r"<body[^>]*>", re.IGNORECASE)
_BODY_END = re.compile(r"</body\s*>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class BodyChange:
    """What to PATCH: ``content`` (None: leave the body out); ``kept_old`` when our text differs
    but the join block could not be told apart, so the old body stays to keep the meeting."""

    content: str | None
    kept_old: bool = False


def visible_text(fragment: str) -> str:
    """The text a reader sees in an HTML fragment, whitespace collapsed."""
    return _SPACE.sub(" ", html.unescape(_TAG.sub(" ", fragment))).strip()


def split_join_block(content: str) -> tuple[str, str]:
    """(our part, the join block) of an event body as Graph returns it; the block may be empty."""
    start = _BODY_START.search(content)
    end = _BODY_END.search(content)
    inner = content[start.end() if start else 0 : end.start() if end else len(content)]
    rule = _JOIN_RULE.search(inner)
    if rule is None:
        return inner, ""
    opening = inner.rfind("<div", 0, rule.start())
    cut = opening if opening != -1 else rule.start()
    return inner[:cut], inner[cut:].strip()


def new_body(current: str | None, wanted: str, join_url: str | None) -> BodyChange:
    """The body to send so the event says ``wanted`` and keeps its join link (see the module)."""
    ours, block = split_join_block(current or "")
    if visible_text(ours) == visible_text(wanted):
        return BodyChange(None)
    if join_url is None:
        return BodyChange(wanted)
    if not block or join_url not in html.unescape(block):
        return BodyChange(None, kept_old=True)
    return BodyChange(wanted + "\r\n" + block)
