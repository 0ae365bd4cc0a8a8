"""Conversation and user state that check for changes with the state codec: a turn that changes
nothing writes nothing, a turn that changes something (inside a dialog's objects too) is saved."""

from __future__ import annotations

from botbuilder.core import ConversationState, TurnContext
from botbuilder.core.adapters import TestAdapter
from botbuilder.dialogs import DialogInstance, DialogState
from botbuilder.schema import Activity, ChannelAccount, ConversationAccount

from bot.teams.state_storage import CodecConversationState, CodecUserState, SqlStorage
from communities.clock import FixedClock
from communities.db import Database


def _context(text: str) -> TurnContext:
    activity = Activity(
        type="message",
        text=text,
        channel_id="test",
        conversation=ConversationAccount(id="convo1"),
        from_property=ChannelAccount(id="user1"),
        recipient=ChannelAccount(id="bot"),
    )
    return TurnContext(TestAdapter(), activity)


async def _turn(state: ConversationState, change: bool) -> None:
    context = _context("hi")
    prop = state.create_property("DialogState")
    stack = await prop.get(context, DialogState)
    if change:
        stack.dialog_stack.append(DialogInstance("steps", {"stepIndex": len(stack.dialog_stack)}))
    await state.save_changes(context)


async def test_only_a_turn_that_changes_the_state_saves_it(db: Database, clock: FixedClock) -> None:
    storage = SqlStorage(db, clock)
    state = CodecConversationState(storage)
    await _turn(state, change=True)  # a new conversation's first turn
    key = "test/conversations/convo1"
    saved = await storage.read([key])
    assert saved[key]["e_tag"] == "1" and len(saved[key]["DialogState"].dialog_stack) == 1

    await _turn(state, change=False)
    assert (await storage.read([key]))[key]["e_tag"] == "1"  # nothing changed: not written

    await _turn(state, change=True)
    again = (await storage.read([key]))[key]
    assert again["e_tag"] == "2" and [i.state for i in again["DialogState"].dialog_stack] == [
        {"stepIndex": 0},
        {"stepIndex": 1},
    ]


async def test_user_state_is_kept_per_user(db: Database, clock: FixedClock) -> None:
    storage = SqlStorage(db, clock)
    state = CodecUserState(storage)
    context = _context("hi")
    await state.create_property("seen").set(context, 3)
    await state.save_changes(context)
    assert (await storage.read(["test/users/user1"]))["test/users/user1"]["seen"] == 3
    later = _context("again")
    assert await CodecUserState(storage).create_property("seen").get(later) == 3
