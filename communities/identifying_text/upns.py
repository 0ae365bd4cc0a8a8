"""UPNs (the DfE's unique pupil numbers): a letter and 12 characters, with a check letter."""

from __future__ import annotations

import re

from communities.identifying_text.findings import ADVICE, UPN, Finding


def upn_check_letter(body: str) -> str | None:
    """The DfE check letter for the 12 characters after it, or None if they cannot be a UPN.

    Characters 2 to 13 are weighted 2 to 13 (a temporary UPN's final letter counts as its
    position in the letter table), the sum is taken modulo 23, and the remainder indexes the
    table (A-Z without I, O and S).
    """
    body = body.upper()
    if len(body) != 12 or not body[:11].isdigit():
        return None
    last = body[11]
    if not last.isdigit() and last not in _UPN_LETTERS:
        return None
    total = 0
    for weight, char in enumerate(body, start=2):
        total += weight * (int(char) if char.isdigit() else _UPN_LETTERS.index(char))
    return _UPN_LETTERS[total % 23]


def is_valid_upn(candidate: str) -> bool:
    """Whether ``candidate`` (spaces and hyphens ignored) is a UPN with the right check letter."""
    compact = re.sub(r"[\s\-]", "", candidate).upper()
    return len(compact) == 13 and upn_check_letter(compact[1:]) == compact[0]


_UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
_UPN_RE = re.compile(r"(?<![\w/.\-])[A-Za-z](?:[ \-]?\d){11}[ \-]?[0-9A-Za-z](?![\w/\-]|\.\w)")


def find_upns(text: str) -> list[Finding]:
    found = []
    for match in _UPN_RE.finditer(text):
        span = match.group()
        spaced = any(c in " -" for c in span)
        if spaced and not is_valid_upn(span):
            continue
        found.append(Finding(UPN, span, match.start(), match.end(), ADVICE[UPN]))
    return found
