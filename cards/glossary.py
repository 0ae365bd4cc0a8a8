"""The glossary card: the terms the bot uses, explained in plain words (``communities/glossary.py``)."""

from __future__ import annotations

from cards.elements import Card, Element, card, heading, subheading, text
from communities.glossary import TERMS


def glossary_card() -> Card:
    """Acronyms first, spelled out, then the other terms, each with what it means."""
    body: list[Element] = [
        heading("Words the bot uses"),
        text(
            "What each term means here, in plain words. These are our explanations, not official definitions."
        ),
        subheading("Short forms"),
    ]
    body += [text(f"**{t.term}**: {t.spelled_out}. {t.meaning}") for t in TERMS if t.acronym]
    body.append(subheading("Other terms"))
    body += [text(f"**{t.term}**: {t.meaning}") for t in TERMS if not t.acronym]
    body.append(text("Write `help` at any time to see the menu.", subtle=True))
    return card(body)
