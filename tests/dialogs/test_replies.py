"""show_card: the answer to a button on the card pressed, or a new message when there is none."""

from __future__ import annotations

from typing import Any

from botbuilder.core import TurnContext
from botbuilder.core.adapters import TestAdapter
from botbuilder.schema import Activity

from cards.elements import card, text
from dialogs.replies import show_card

CARD = card([text("Saved: step 2 of 6")])


class RefusingAdapter(TestAdapter):  # type: ignore[misc]
    """Teams refusing the edit (the message was deleted, say)."""

    async def update_activity(self, context: TurnContext, activity: Activity) -> None:
        raise RuntimeError("404 ActivityNotFound")


async def answer(adapter: TestAdapter, **activity: Any) -> list[str | None]:
    shown: list[str | None] = []

    async def logic(context: TurnContext) -> None:
        shown.append(await show_card(context, CARD, "Saved."))

    adapter.logic = logic
    await adapter.receive_activity(Activity(type="message", **activity))
    return shown


async def test_a_button_press_edits_the_card_it_was_pressed_on() -> None:
    adapter = TestAdapter()
    assert await answer(adapter, value={"action": "x"}, reply_to_id="card-7") == ["card-7"]
    [edited] = adapter.updated_activities
    assert edited.id == "card-7" and edited.text == "Saved." and edited.attachments[0].content == CARD
    assert adapter.activity_buffer == []


async def test_typed_text_gets_a_new_message() -> None:
    adapter = TestAdapter()
    [new_id] = await answer(adapter, text="back", reply_to_id="card-7")  # typed: nothing was pressed
    assert new_id and adapter.updated_activities == [] and len(adapter.activity_buffer) == 1


async def test_a_card_teams_will_not_edit_is_sent_new() -> None:
    adapter = RefusingAdapter()
    [new_id] = await answer(adapter, value={"action": "x"}, reply_to_id="card-7")
    assert new_id != "card-7" and adapter.activity_buffer[0].attachments[0].content == CARD
