"""The glossary in the chat: `glossary` (or its menu button) shows what the bot's terms mean."""

from __future__ import annotations

from cards.glossary import glossary_card
from communities.permissions import GLOSSARY
from dialogs.replies import send_card
from dialogs.routing import RouteTable, Turn
from dialogs.services import ChatServices


def register(table: RouteTable) -> None:
    table.button(GLOSSARY.key, _glossary, capability=GLOSSARY)
    table.command("glossary", GLOSSARY.key)


async def _glossary(chat: ChatServices, turn: Turn) -> None:
    await send_card(turn.context, glossary_card())
