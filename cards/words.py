"""Helpers that keep a card's words to the style guide (``docs/style.md``)."""

from __future__ import annotations

from collections.abc import Iterable

from cards.elements import Element, text
from communities.glossary import acronyms, acronyms_in


def short_forms(shown: Iterable[str]) -> Element | None:
    """A line spelling out the acronyms in ``shown`` (say, people's roles in a table), placed
    before them on the card: "SENCO: special educational needs coordinator." None when there are none."""
    known = acronyms()
    found = dict.fromkeys(a for words in shown for a in acronyms_in(words) if a in known)
    if not found:
        return None
    return text(" ".join(f"{a}: {known[a].spelled_out}." for a in found), subtle=True)
