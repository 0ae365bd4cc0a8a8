"""Answering in the conversation of the turn: the one helper that sends a card."""

from __future__ import annotations

from collections.abc import Iterable

from botbuilder.core import CardFactory, MessageFactory, TurnContext

from cards.elements import Card


async def send_card(ctx: TurnContext, card: Card, note: str = "") -> None:
    """Send ``card``, with ``note`` as the message's text above it when given."""
    activity = MessageFactory.attachment(CardFactory.adaptive_card(card))
    if note:
        activity.text = note
    await ctx.send_activity(activity)


async def send_cards(ctx: TurnContext, cards: Iterable[Card]) -> None:
    for card in cards:
        await send_card(ctx, card)
