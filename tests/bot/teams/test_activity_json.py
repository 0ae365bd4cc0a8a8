"""Replies are written without msrest's serializer: the JSON must be what msrest would send."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from enum import Enum, IntEnum

import pytest
from botbuilder.core import CardFactory, MessageFactory, TurnContext
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    CardAction,
    ChannelAccount,
    ConversationAccount,
    ConversationReference,
    Mention,
    SuggestedActions,
)

from bot.teams.activity_json import activity_json, activity_json_text
from cards.menu import menu_card
from communities.roster.directory import PersonProfile

INCOMING = Activity(
    type=ActivityTypes.message,
    id="1234",
    channel_id="msteams",
    service_url="https://smba.example/uk/",
    from_property=ChannelAccount(id="29:user", name="Priya Shah", aad_object_id="aad-1"),
    recipient=ChannelAccount(id="28:bot", name="CoS Bot"),
    conversation=ConversationAccount(id="a:chat", conversation_type="personal", tenant_id="t-1"),
    channel_data={"tenant": {"id": "t-1"}},
    text="help",
)


def _reply(activity: Activity) -> Activity:
    reference: ConversationReference = TurnContext.get_conversation_reference(INCOMING)
    return TurnContext.apply_conversation_reference(activity, reference)


CARD = menu_card(PersonProfile(7, "Priya Shah", "priya@example.org", ()), [], {})

CASES = {
    "text": _reply(MessageFactory.text("Cancelled. Write `help` to see the menu.")),
    "card": _reply(MessageFactory.attachment(CardFactory.adaptive_card(CARD))),
    "card with text": _reply(MessageFactory.attachment(CardFactory.adaptive_card(CARD), text="Here")),
    "mention": _reply(
        Activity(
            type=ActivityTypes.message,
            text="<at>Priya</at> done",
            entities=[Mention(mentioned=ChannelAccount(id="29:user", name="Priya"), text="<at>Priya</at>")],
        )
    ),
    "suggested actions": _reply(
        Activity(
            type=ActivityTypes.message,
            text="Pick",
            suggested_actions=SuggestedActions(
                actions=[CardAction(type="imBack", title="Yes", value="yes")], to=["29:user"]
            ),
        )
    ),
    "timestamp and channel data": _reply(
        Activity(
            type=ActivityTypes.message,
            text="x",
            timestamp=datetime(2026, 11, 23, 9, 30, 1, 250000, tzinfo=UTC),
            channel_data={"notification": {"alert": True}, "nested": [{"a": 1}, None]},
        )
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_json_is_what_msrest_would_send(name: str) -> None:
    activity = CASES[name]
    assert activity_json(activity) == activity.serialize()
    # And it is plain JSON (no model objects left inside).
    assert json.loads(json.dumps(activity_json(activity))) == activity.serialize()


def test_unset_fields_are_left_out_and_keys_are_the_wire_names() -> None:
    body = activity_json(CASES["text"])
    assert body["from"] == {"id": "28:bot", "name": "CoS Bot"}
    assert body["conversation"]["conversationType"] == "personal"
    assert body["replyToId"] == "1234"
    assert "attachments" not in body and "value" not in body


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_text_sent_is_that_json_written_compactly(name: str) -> None:
    activity = CASES[name]
    text = activity_json_text(activity)
    assert text == json.dumps(activity_json(activity), separators=(",", ":"))
    assert json.loads(text) == activity.serialize()


class Colour(Enum):
    RED = "red"


class Size(IntEnum):
    LARGE = 3


def test_models_enums_and_times_inside_a_card_are_written_as_activity_json_writes_them() -> None:
    content = {
        "body": [{"type": "TextBlock", "text": "x", "color": Colour.RED, "size": Size.LARGE}],
        "when": datetime(2026, 11, 23, 9, 30, tzinfo=UTC),
        "who": ChannelAccount(id="29:user", name="Priya"),
        "hints": ActivityTypes.message,  # a str enum
        "pair": ("a", 1),
        3: "a number key",
    }
    activity = _reply(MessageFactory.attachment(CardFactory.adaptive_card(content)))
    assert activity_json_text(activity) == json.dumps(activity_json(activity), separators=(",", ":"))


def test_something_that_is_not_json_is_refused_as_before() -> None:
    activity = _reply(MessageFactory.attachment(CardFactory.adaptive_card({"body": {1, 2}})))
    with pytest.raises(TypeError):
        json.dumps(activity_json(activity))
    with pytest.raises(TypeError):
        activity_json_text(activity)
