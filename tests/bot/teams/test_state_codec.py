"""The bot state's own JSON codec: every type the dialogs really keep comes back equal, the JSON is
readable, and an object it does not know is refused when written, naming its type."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from botbuilder.core import CardFactory, MessageFactory
from botbuilder.dialogs import DialogInstance, DialogState
from botbuilder.dialogs.choices import Choice, ListStyle
from botbuilder.dialogs.prompts import PromptOptions
from botbuilder.schema import Activity, CardAction
from hypothesis import given
from hypothesis import strategies as st

from bot.teams.state_codec import StateCodecError, decode, encode


def same(a: Any, b: Any) -> bool:
    """Equal, looking inside the botbuilder objects that have no ``__eq__`` of their own."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, DialogState | DialogInstance | PromptOptions | Choice):
        return same(vars(a), vars(b))
    return bool(a == b)


def round_trip(value: Any) -> Any:
    return decode(encode(value))


def find_community_prompt() -> DialogState:
    """The dialog stack while dialogs/roster/find_community.py waits at its choice prompt."""
    options = PromptOptions(
        prompt=MessageFactory.text("Which one?"),
        retry_prompt=MessageFactory.text("Please pick one of the communities."),
        choices=[Choice("Ashford North"), Choice("Dover", synonyms=["dover town"])],
        style=ListStyle.hero_card,
    )
    prompt = DialogInstance("pick", {"options": options, "state": {"attemptCount": 0}})
    steps = DialogInstance(
        "steps",
        {"options": None, "values": {"query": "ash"}, "instanceId": "9f0c", "stepIndex": 1},
    )
    inner = DialogState([prompt, steps])
    return DialogState([DialogInstance("find_community", {"dialogs": inner})])


def test_a_dialog_stack_at_a_choice_prompt_comes_back_equal_and_reads_as_json() -> None:
    state = {"DialogState": find_community_prompt()}
    text = encode(state)
    back = decode(text)
    assert same(back, state)
    stack = back["DialogState"].dialog_stack[0].state["dialogs"].dialog_stack
    assert stack[0].state["options"].style is ListStyle.hero_card
    assert stack[0].state["options"].prompt.text == "Which one?"
    # Readable: a person sees the dialog, the step and the answers so far.
    plain = json.loads(text)
    outer = plain["DialogState"]
    assert outer["$type"] == "DialogState"
    pick, steps = outer["dialogStack"][0]["state"]["dialogs"]["dialogStack"]
    assert pick["id"] == "pick"
    assert pick["state"]["options"]["prompt"] == {
        "$type": "Activity",
        "type": "message",
        "text": "Which one?",
        "inputHint": "acceptingInput",
    }
    assert pick["state"]["options"]["choices"][1] == {
        "$type": "Choice",
        "value": "Dover",
        "synonyms": ["dover town"],
    }
    assert steps["state"]["values"] == {"query": "ash"} and steps["state"]["stepIndex"] == 1
    assert "py/object" not in text


@pytest.mark.parametrize(
    "value",
    [
        DialogState(),
        DialogInstance("form", {}),
        PromptOptions(),
        PromptOptions(prompt=MessageFactory.text("Name?"), number_of_attempts=2, validations={"min": 1}),
        Choice("Yes", action=CardAction(type="imBack", title="Yes", value="yes"), synonyms=["y"]),
        ListStyle.none,
        MessageFactory.text("Hello", input_hint="expectingInput"),
        MessageFactory.attachment(CardFactory.adaptive_card({"type": "AdaptiveCard", "body": []})),
        datetime(2026, 12, 7, 23, 30, 15, 123456, tzinfo=UTC),
        datetime(2026, 12, 7, 9, 0),
        date(2026, 12, 7),
        (1, "two", [3]),
        {"$type": "not a tag", "nested": {"$type": ["still", "data"]}},
        {"py/object": "just words"},
    ],
    ids=lambda value: type(value).__name__,
)
def test_each_kept_type_comes_back_equal(value: Any) -> None:
    assert same(round_trip(value), value)


def test_an_activity_s_card_content_with_a_type_key_is_kept_as_it_was() -> None:
    card = {"type": "AdaptiveCard", "$type": "odd", "body": [{"$type": 1}]}
    activity = MessageFactory.attachment(CardFactory.adaptive_card(card))
    back = round_trip(activity)
    assert isinstance(back, Activity) and back.attachments[0].content == card


class Pupil:
    def __init__(self, name: str) -> None:
        self.name = name


@pytest.mark.parametrize(
    ("value", "named"),
    [
        ({"values": {"who": Pupil("x")}}, "Pupil"),
        ({"amount": Decimal("1.50")}, "decimal.Decimal"),
        ({"seen": {1, 2}}, "builtins.set"),
        ({1: "int key"}, "strings"),
        ({"n": float("nan")}, "nan"),
    ],
)
def test_an_unknown_type_is_refused_when_written_naming_it(value: Any, named: str) -> None:
    with pytest.raises(StateCodecError, match=named):
        encode(value)


def test_text_that_is_not_the_codec_s_json_is_refused() -> None:
    with pytest.raises(StateCodecError):
        decode('{"py/object": ')
    with pytest.raises(StateCodecError, match="jsonpickle"):
        decode('{"DialogState": {"py/object": "botbuilder.dialogs.dialog_state.DialogState"}}')
    with pytest.raises(StateCodecError, match="unknown type"):
        decode('{"$type": "os.system"}')


plain_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=8) | st.sampled_from(["$type", "py/object"]), children, max_size=4)
    ),
    max_leaves=30,
)


@given(plain_values)
def test_nested_plain_values_come_back_as_they_were(value: Any) -> None:
    assert same(round_trip(value), value)
