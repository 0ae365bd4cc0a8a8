"""What the Request Form says: notes gathered into the next message, cards, help and confirmations."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from botbuilder.core import TurnContext

from cards.elements import Card
from cards.requests.form import REVIEW_HELP, SCHOOL_HELP, moved_card, section_card
from communities.requests.form import BY_NAME, Section, request_type_of
from communities.requests.lifecycle import RequestStatus
from communities.requests.tables import Request
from dialogs.replies import pressed_card, replace_card
from dialogs.replies import send_card as send_new_card
from dialogs.requests.form.answers import REVIEW
from dialogs.requests.form.live_card import remember_live_card, retire_live_card
from dialogs.requests.form.turns import SCHOOL, is_form_submit

NOTES = "cosbot.request_form.notes"

COMMANDS_HINT = (
    "Write `back` for the previous step, `cancel` to stop (the draft stays saved), or `help` at any time."
)
NO_DRAFT = "You have no draft request. Write `request` (or choose **Raise a request**) to start one."
STALE_CARD = (
    "That card is from an earlier step or another request, so I have not used it. Here is where we are:"
)
CLOSED_FORM_KEPT = (
    "That card is from a form you had stopped, so I have not saved it yet. What you wrote on it "
    "is below: press **Save and continue** to use it."
)
EARLIER_STEP_KEPT = (
    "That card was from another step of this request, so I have not saved it over your newer "
    "answers. What you wrote on it is below: press **Save and continue** to use it, or `back` to "
    "leave it."
)


def section_card_for(
    section: Section,
    request: Request,
    values: Mapping[str, Any],
    *,
    problems: Mapping[str, str] | None = None,
    warning: str | None = None,
) -> Card:
    assert request.id is not None
    return section_card(
        section,
        ref=request.ref,
        request_id=request.id,
        values=values,
        problems=problems,
        warning=warning,
        chair_note=chair_note_of(request),
    )


def chair_note_of(request: Request) -> str | None:
    """The chair's note, while the request is returned for information and the school edits it."""
    return request.return_note if request.status == RequestStatus.RETURNED_FOR_INFO else None


def help_for(name: str, details: Mapping[str, Any] | None = None) -> str:
    """The help for a step, in the words for the request's type once it is known."""
    if name == SCHOOL:
        return SCHOOL_HELP
    if name == REVIEW:
        return REVIEW_HELP
    return BY_NAME[name].help_for(request_type_of(details or {}))


def told_text(names: list[str], anyone: bool) -> str:
    if names:
        return f"I have sent a message about it to {', '.join(names)}."
    if anyone:
        return (
            "Your community's chair and vice chair can't be reached by the bot yet, so I have asked the "
            "council officers to pass it on."
        )
    return "I couldn't message anyone about it yet: please let your community's chair know."


def note(context: TurnContext, text: str) -> None:
    """Say ``text`` with the next card (one message, not two: Teams counts messages per chat)."""
    context.turn_state.setdefault(NOTES, []).append(text)


def pending_notes(context: TurnContext) -> list[str]:
    notes: list[str] = context.turn_state.pop(NOTES, None) or []
    return notes


async def say(context: TurnContext, text: str) -> None:
    await context.send_activity("\n\n".join([*pending_notes(context), text]))


async def send_card(context: TurnContext, card: Card) -> None:
    """Show ``card`` with the notes gathered: in place of the form's card that was pressed, so the
    form moves through its steps on one card; sent new when the turn was typed or came from
    another card (the menu stays where it is). Either way the form keeps one live card: an
    earlier one still showing buttons is made read-only."""
    note = "\n\n".join(pending_notes(context))
    pressed = pressed_card(context) if is_form_submit(context.activity.value) else None
    await retire_live_card(context, moved_card(), keep=pressed)
    shown = pressed if pressed is not None and await replace_card(context, pressed, card, note) else None
    if shown is None:
        shown = await send_new_card(context, card, note)
    if shown is not None:
        remember_live_card(context, shown)
