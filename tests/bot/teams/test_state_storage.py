from __future__ import annotations

import json
from decimal import Decimal

import pytest
from botbuilder.core import ConversationState, MessageFactory, TurnContext
from botbuilder.core.adapters import TestAdapter
from botbuilder.dialogs import (
    DialogInstance,
    DialogSet,
    DialogState,
    DialogTurnStatus,
    WaterfallDialog,
    WaterfallStepContext,
)
from botbuilder.dialogs.prompts import PromptOptions, TextPrompt

from bot.teams.state_codec import StateCodecError
from bot.teams.state_storage import BotStateRow, SqlStorage, StateConflictError
from communities.clock import FixedClock
from communities.db import Database


async def test_items_round_trip_with_a_fresh_etag(db: Database, clock: FixedClock) -> None:
    storage = SqlStorage(db, clock)
    item = {"count": 1}
    await storage.write({"k": item})
    assert item["e_tag"] == "1"
    read = await storage.read(["k", "missing"])
    assert read == {"k": {"count": 1, "e_tag": "1"}}


async def test_a_stale_etag_is_a_conflict_and_the_newer_write_survives(
    db: Database, clock: FixedClock
) -> None:
    storage = SqlStorage(db, clock)
    await storage.write({"k": {"n": 0}})
    first = (await storage.read(["k"]))["k"]
    second = (await storage.read(["k"]))["k"]
    first["n"] = 1
    await storage.write({"k": first})
    second["n"] = 2
    with pytest.raises(StateConflictError):
        await storage.write({"k": second})
    assert (await storage.read(["k"]))["k"]["n"] == 1


async def test_star_or_no_etag_overwrites_and_delete_removes(db: Database, clock: FixedClock) -> None:
    storage = SqlStorage(db, clock)
    await storage.write({"k": {"n": 1}})
    await storage.write({"k": {"n": 2, "e_tag": "*"}})
    assert (await storage.read(["k"]))["k"] == {"n": 2, "e_tag": "2"}
    with pytest.raises(ValueError):
        await storage.write({"k": {"n": 3, "e_tag": ""}})
    await storage.delete(["k"])
    assert await storage.read(["k"]) == {}


async def test_a_dialog_in_progress_survives_a_new_storage_instance(db: Database, clock: FixedClock) -> None:
    """The same shape as a service restart: new storage, state and dialog objects, same database."""

    def make_bot(storage: SqlStorage, answers: list[str]):  # type: ignore[no-untyped-def]
        state = ConversationState(storage)
        dialogs = DialogSet(state.create_property("DialogState"))
        dialogs.add(TextPrompt("ask"))

        async def ask(step: WaterfallStepContext):  # type: ignore[no-untyped-def]
            return await step.prompt("ask", PromptOptions(prompt=MessageFactory.text("Which community?")))

        async def done(step: WaterfallStepContext):  # type: ignore[no-untyped-def]
            answers.append(step.result)
            await step.context.send_activity(f"You said {step.result}")
            return await step.end_dialog()

        dialogs.add(WaterfallDialog("flow", [ask, done]))

        async def logic(context: TurnContext) -> None:
            dc = await dialogs.create_context(context)
            result = await dc.continue_dialog()
            if result.status == DialogTurnStatus.Empty:
                await dc.begin_dialog("flow")
            await state.save_changes(context)

        return logic

    answers: list[str] = []
    before = TestAdapter(make_bot(SqlStorage(db, clock), answers))
    await (await before.send("hi")).assert_reply("Which community?")

    after = TestAdapter(make_bot(SqlStorage(db, clock), answers))
    await (await after.send("CANT1")).assert_reply("You said CANT1")
    assert answers == ["CANT1"]


async def test_the_saved_dialog_reads_as_plain_json_in_the_table(db: Database, clock: FixedClock) -> None:
    storage = SqlStorage(db, clock)
    stack = DialogState([DialogInstance("steps", {"values": {"query": "ash"}, "stepIndex": 1})])
    await storage.write({"k": {"DialogState": stack}})
    async with db.session() as session:
        row = await session.get(BotStateRow, "k")
    assert row is not None
    assert json.loads(row.data) == {
        "DialogState": {
            "$type": "DialogState",
            "dialogStack": [
                {
                    "$type": "DialogInstance",
                    "id": "steps",
                    "state": {"values": {"query": "ash"}, "stepIndex": 1},
                }
            ],
        }
    }


async def test_state_holding_an_unknown_object_is_refused_and_nothing_is_written(
    db: Database, clock: FixedClock
) -> None:
    storage = SqlStorage(db, clock)
    await storage.write({"a": {"n": 1}})
    with pytest.raises(StateCodecError, match="Decimal"):
        await storage.write({"a": {"n": 2}, "b": {"amount": Decimal("1.50")}})
    assert await storage.read(["a", "b"]) == {"a": {"n": 1, "e_tag": "1"}}


async def test_a_row_that_is_not_the_codec_s_json_reads_as_no_state_and_is_overwritten(
    db: Database, clock: FixedClock
) -> None:
    async with db.session() as session:
        session.add(BotStateRow(key="k", etag=3, data='{"py/object": "gone.Module"}', updated_at=clock.now()))
        await session.commit()
    storage = SqlStorage(db, clock)
    assert await storage.read(["k"]) == {}
    await storage.write({"k": {"n": 1}})
    assert await storage.read(["k"]) == {"k": {"n": 1, "e_tag": "4"}}
