"""The form's one live card: the message whose buttons are current, kept in the form's own state.

Every card the form shows becomes the live one; the one before, if it was another message, is
made read-only, so only one card of the form ever has buttons to press.
"""

from __future__ import annotations

from botbuilder.core import TurnContext
from botbuilder.dialogs import DialogContext

from cards.elements import Card
from dialogs.replies import replace_card

#: The form's own stored state this turn (see :func:`share_form_state`), and its key for the card.
FORM_STATE = "cosbot.request_form.state"
LIVE_CARD = "card"


def share_form_state(dialog_context: DialogContext) -> None:
    """Put the form's stored state (the active dialog's) where this turn's replies find it."""
    active = dialog_context.active_dialog
    if active is not None and isinstance(active.state, dict):
        dialog_context.context.turn_state[FORM_STATE] = active.state


def remember_live_card(context: TurnContext, message_id: str) -> None:
    state = context.turn_state.get(FORM_STATE)
    if isinstance(state, dict):
        state[LIVE_CARD] = message_id


async def retire_live_card(context: TurnContext, card: Card, *, keep: str | None = None) -> None:
    """Show ``card`` (read-only) on the form's live card, unless that is ``keep``."""
    state = context.turn_state.get(FORM_STATE)
    live = state.get(LIVE_CARD) if isinstance(state, dict) else None
    if isinstance(live, str) and live != keep:
        await replace_card(context, live, card)
        assert isinstance(state, dict)
        state.pop(LIVE_CARD, None)
