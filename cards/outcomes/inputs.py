"""The inputs of the outcome cards, each showing what was saved or typed (a card shown again with
its problems keeps every answer), and the buttons' names. Pure: no I/O."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cards.elements import Element, submit, text

#: The buttons of the recording (each carries ``meeting_id``; an item's also ``request_id``).
OUTCOMES_OPEN = "outcomes_open"
OUTCOMES_ATTENDANCE = "outcomes_attendance"
OUTCOMES_ATTENDANCE_SAVE = "outcomes_attendance_save"
OUTCOME_ITEM = "outcome_item"
OUTCOME_SAVE = "outcome_save"
OUTCOME_REVIEW = "outcome_review"
OUTCOME_REVIEW_SAVE = "outcome_review_save"
OUTCOMES_CONFIRM = "outcomes_confirm"
OUTCOMES_CONFIRM_YES = "outcomes_confirm_yes"
OUTCOME_BUTTONS = frozenset(
    {
        OUTCOMES_OPEN,
        OUTCOMES_ATTENDANCE,
        OUTCOMES_ATTENDANCE_SAVE,
        OUTCOME_ITEM,
        OUTCOME_SAVE,
        OUTCOME_REVIEW,
        OUTCOME_REVIEW_SAVE,
        OUTCOMES_CONFIRM,
        OUTCOMES_CONFIRM_YES,
    }
)
#: The field a card's "Keep it as written" button sets (the text is not about a pupil).
KEEP_WORDING = "keep_wording"
#: How many rows of ideas and offers, and of actions, an item's card has.
OFFER_ROWS = 2
ACTION_ROWS = 3


def button(title: str, action: str, *, inputs: bool = False, **data: Any) -> Element:
    pressed = submit(title, action, **data)
    pressed["associatedInputs"] = "auto" if inputs else "none"
    return pressed


def buttons(*actions: Element) -> Element:
    return {"type": "ActionSet", "actions": list(actions)}


def problem(message: str | None) -> list[Element]:
    """A problem shown where it is, in the attention colour (nothing when there is none)."""
    if not message:
        return []
    return [{**text(message), "color": "Attention", "weight": "Bolder"}]


def text_input(
    input_id: str,
    label: str,
    values: Mapping[str, Any],
    *,
    multiline: bool = False,
    max_length: int = 2000,
    placeholder: str = "",
) -> Element:
    element: Element = {
        "type": "Input.Text",
        "id": input_id,
        "label": label,
        "maxLength": max_length,
        "isMultiline": multiline,
    }
    value = values.get(input_id)
    if isinstance(value, str) and value:
        element["value"] = value
    if placeholder:
        element["placeholder"] = placeholder
    return element


def date_input(input_id: str, label: str, values: Mapping[str, Any]) -> Element:
    element: Element = {"type": "Input.Date", "id": input_id, "label": label}
    value = values.get(input_id)
    if isinstance(value, str) and value:
        element["value"] = value
    return element


def choice_input(
    input_id: str,
    label: str,
    choices: Mapping[str, str],
    values: Mapping[str, Any],
    *,
    placeholder: str = "Choose",
) -> Element:
    element: Element = {
        "type": "Input.ChoiceSet",
        "id": input_id,
        "label": label,
        "style": "compact",
        "placeholder": placeholder,
        "choices": [{"title": title, "value": value} for value, title in choices.items()],
    }
    value = values.get(input_id)
    if isinstance(value, str) and value in choices:
        element["value"] = value
    return element
