"""Answering in the conversation of the turn: sending a card, or showing it in place of the card pressed.

A button on a card (an Action.Submit) arrives as a message whose ``reply_to_id`` is the card's
message. :func:`show_card` edits that message to show the answer, so one card moves through a
task instead of each press posting another; with nothing to replace (a typed command) it sends
the card new. Teams may refuse an edit (a message too old, or deleted): then it is sent new, so
the answer is never lost.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from botbuilder.core import CardFactory, MessageFactory, TurnContext
from botbuilder.schema import Activity

from cards.elements import Card

log = logging.getLogger(__name__)


def _card_activity(card: Card, note: str) -> Activity:
    activity = MessageFactory.attachment(CardFactory.adaptive_card(card))
    if note:
        activity.text = note
    return activity


async def send_card(ctx: TurnContext, card: Card, note: str = "") -> str | None:
    """Send ``card`` as a new message, with ``note`` as its text above it; the new message's id."""
    response = await ctx.send_activity(_card_activity(card, note))
    return str(response.id) if response is not None and response.id else None


async def send_cards(ctx: TurnContext, cards: Iterable[Card]) -> None:
    for card in cards:
        await send_card(ctx, card)


def pressed_card(ctx: TurnContext) -> str | None:
    """The message id of the card whose button made this turn, or None for anything typed."""
    activity = ctx.activity
    if isinstance(activity.value, dict) and activity.reply_to_id:
        return str(activity.reply_to_id)
    return None


async def replace_card(ctx: TurnContext, message_id: str, card: Card, note: str = "") -> bool:
    """Edit the bot's message ``message_id`` to show ``card`` (and ``note``); False if Teams refused."""
    activity = _card_activity(card, note)
    activity.id = message_id
    try:
        await ctx.update_activity(activity)
    except Exception as error:  # noqa: BLE001 - any refusal means: send it new instead
        log.warning("a card could not be updated in place (%s); sending it new", type(error).__name__)
        return False
    return True


async def show_card(
    ctx: TurnContext, card: Card, note: str = "", *, in_place_of: str | None = None
) -> str | None:
    """Show ``card`` in place of the card pressed this turn (or of ``in_place_of``), or send it new
    when there is nothing to replace; the id of the message that now shows it."""
    target = in_place_of or pressed_card(ctx)
    if target is not None and await replace_card(ctx, target, card, note):
        return target
    return await send_card(ctx, card, note)
