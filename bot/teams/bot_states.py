"""Conversation and user state whose change check uses the state codec, not jsonpickle.

botbuilder's ``BotState`` keeps each turn's state in a ``CachedBotState`` and decides whether to
save by comparing a hash of the state taken when it was read with one taken at the end of the
turn; its hash is the text of jsonpickle's ``Pickler().flatten``, computed three times a turn for
each state. These subclasses hash with :func:`bot.teams.state_codec.encode` instead: the same
question (did anything in the state change?) answered by the JSON the storage writes anyway.
"""

from __future__ import annotations

from typing import Any

from botbuilder.core import BotAssert, ConversationState, TurnContext, UserState
from botbuilder.core.bot_state import CachedBotState

from bot.teams import state_codec


class CodecCachedBotState(CachedBotState):  # type: ignore[misc]
    def compute_hash(self, obj: object) -> str:
        return state_codec.encode(obj)


async def _load(state: Any, turn_context: TurnContext, force: bool) -> None:
    """``BotState.load`` as botbuilder 4.17.1 has it, caching a :class:`CodecCachedBotState`."""
    BotAssert.context_not_none(turn_context)
    cached_state = state.get_cached_state(turn_context)
    storage_key = state.get_storage_key(turn_context)
    if force or not cached_state or not cached_state.state:
        items = await state._storage.read([storage_key])
        turn_context.turn_state[state._context_service_key] = CodecCachedBotState(items.get(storage_key))


class CodecConversationState(ConversationState):  # type: ignore[misc]
    async def load(self, turn_context: TurnContext, force: bool = False) -> None:
        await _load(self, turn_context, force)


class CodecUserState(UserState):  # type: ignore[misc]
    async def load(self, turn_context: TurnContext, force: bool = False) -> None:
        await _load(self, turn_context, force)
