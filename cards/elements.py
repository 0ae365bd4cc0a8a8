"""Small builders for Adaptive Card 1.5 elements. Plain dicts, no I/O."""

from __future__ import annotations

from typing import Any

Card = dict[str, Any]
Element = dict[str, Any]

SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
#: A card button's field naming a community (summary cards' "Open CODE" buttons).
COMMUNITY_FIELD = "community"
VERSION = "1.5"


def card(body: list[Element], actions: list[Element] | None = None) -> Card:
    result: Card = {"type": "AdaptiveCard", "$schema": SCHEMA, "version": VERSION, "body": body}
    if actions:
        result["actions"] = actions
    return result


def heading(text: str) -> Element:
    return {"type": "TextBlock", "text": text, "size": "Large", "weight": "Bolder", "wrap": True}


def subheading(text: str) -> Element:
    return {"type": "TextBlock", "text": text, "weight": "Bolder", "wrap": True, "spacing": "Medium"}


def text(value: str, *, subtle: bool = False) -> Element:
    block: Element = {"type": "TextBlock", "text": value, "wrap": True}
    if subtle:
        block["isSubtle"] = True
    return block


def facts(pairs: list[tuple[str, str]]) -> Element:
    return {"type": "FactSet", "facts": [{"title": title, "value": value} for title, value in pairs]}


def submit(title: str, action: str, **data: Any) -> Element:
    """An Action.Submit whose ``data.action`` names the bot action it asks for."""
    return {"type": "Action.Submit", "title": title, "data": {"action": action, **data}}


#: The dataset a school picker searches (the bot answers Teams' ``application/search`` invoke for it).
SCHOOLS_DATASET = "schools"


def school_title(name: str, urn: str) -> str:
    return f"{name} (URN {urn})"


def school_picker(input_id: str, label: str, current: tuple[str, str] | None = None) -> Element:
    """Find a school by typing its name (Teams' typeahead search); the value is its URN.

    ``current`` is the school already chosen, as (URN, name), shown as the picker's value.
    """
    element: Element = {
        "type": "Input.ChoiceSet",
        "id": input_id,
        "label": label,
        "style": "filtered",
        "placeholder": "Start typing the school's name",
        "choices": [],
        "choices.data": {"type": "Data.Query", "dataset": SCHOOLS_DATASET},
    }
    if current is not None:
        urn, name = current
        element["choices"] = [{"title": school_title(name, urn), "value": urn}]
        element["value"] = urn
    return element
