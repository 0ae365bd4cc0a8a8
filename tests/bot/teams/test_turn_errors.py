"""What a person hears when a turn fails, and what happens to their conversation state."""

from __future__ import annotations

from botbuilder.core import ConversationState, TurnContext
from botbuilder.core.adapters import TestAdapter
from botbuilder.schema import Activity, ActivityTypes, ChannelAccount, ConversationAccount

from bot.app import _on_turn_error
from bot.config import Settings
from bot.teams.state_storage import SqlStorage, StateConflictError
from communities.clock import FixedClock
from communities.db import Database


async def run_error(db: Database, clock: FixedClock, error: Exception) -> tuple[list[str], dict[str, object]]:
    storage = SqlStorage(db, clock)
    state = ConversationState(storage)
    adapter = TestAdapter()
    activity = Activity(
        type=ActivityTypes.message,
        id="m1",
        channel_id="msteams",
        conversation=ConversationAccount(id="a:chat"),
        from_property=ChannelAccount(id="29:u"),
        recipient=ChannelAccount(id="28:bot"),
        text="thanet",
    )
    context = TurnContext(adapter, activity)
    await state.load(context)
    state.create_property("DialogState")
    await state.save_changes(context, force=True)
    await _on_turn_error(Settings(support_contact="help@kent.example"), state)(context, error)
    replies = [a.text for a in adapter.activity_buffer]
    return replies, await storage.read(["msteams/conversations/a:chat"])


async def test_a_state_race_asks_again_and_keeps_the_dialog(db: Database, clock: FixedClock) -> None:
    replies, stored = await run_error(db, clock, StateConflictError("raced"))
    assert replies == ["I was still answering your previous message. Please send that last one again."]
    assert stored, "the conversation state must survive a race"


async def test_a_failure_apologises_and_starts_the_conversation_afresh(
    db: Database, clock: FixedClock
) -> None:
    replies, stored = await run_error(db, clock, ValueError("Jack Smith"))
    assert len(replies) == 1 and "help@kent.example" in replies[0] and "Jack" not in replies[0]
    assert stored == {}
