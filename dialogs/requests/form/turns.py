"""What a turn brings the Request Form: a command, this step's own card, other text, or a stale card."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.dialogs import WaterfallStepContext

from cards.requests.form import FORM
from dialogs.card_values import as_id
from dialogs.requests.form.answers import REVIEW

OPEN = "open"
SCHOOL = "school"
CANCEL_WORDS = frozenset({"cancel", "stop", "quit"})
HELP_WORDS = frozenset({"help", "?"})
#: Typed words that leave the form for the handler (which shows the menu); the draft stays.
LEAVE_WORDS = frozenset({"menu"})
#: The request this turn has just loaded and checked, for the next step's card (no second read).
CHECKED = "cosbot.request_form.checked"


def is_form_submit(value: Any) -> bool:
    """Whether an activity's value is a submit from one of the Request Form's cards."""
    return isinstance(value, dict) and value.get("form") == FORM


@dataclass(frozen=True)
class TurnInput:
    """What arrived at a step: a command, this step's own card, anything else typed, or a stale card."""

    kind: str  # cancel | back | help | submit | edit | answer | text | stale
    value: dict[str, Any]


def read_turn(context: TurnContext, name: str, request_id: int | None) -> TurnInput:
    activity = context.activity
    value = activity.value if isinstance(activity.value, dict) else None
    if value is None:
        word = " ".join((activity.text or "").split()).lower()
        if word in CANCEL_WORDS:
            return TurnInput("cancel", {})
        if word in HELP_WORDS:
            return TurnInput("help", {})
        if word == "back":
            return TurnInput("back", {})
        if word == "submit" and name == REVIEW:
            return TurnInput("submit", {})
        return TurnInput("text", {})
    if not (
        is_form_submit(value)
        and value.get("section") == name
        and as_id(value.get("request_id")) == request_id
    ):
        return TurnInput("stale", value)
    command = value.get("command")
    if command in ("cancel", "help", "back"):
        return TurnInput(str(command), value)
    if name == REVIEW and command in ("submit", "edit"):
        return TurnInput(str(command), value)
    if command is not None:
        return TurnInput("text", value)
    return TurnInput("answer", value)


def options_of(step: WaterfallStepContext) -> dict[str, Any]:
    options = step.options
    return options if isinstance(options, dict) else {}


def carry(options: Mapping[str, Any], request_id: int | None, *, quiet: bool = False) -> dict[str, Any]:
    """The options to stay at a step: the request, whether to return to the review, and quiet."""
    carried: dict[str, Any] = {"request_id": request_id}
    if options.get("review"):
        carried["review"] = True
    if quiet:
        carried["quiet"] = True
    return carried
