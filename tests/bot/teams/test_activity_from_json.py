"""Incoming activities are read without msrest's deserializer: the Activity must be msrest's.

``activities_corpus.json`` holds one body of every shape the journey tests (tests/bot/journeys,
tests/bot/teams) and the Playground (menu and Universal Actions e2e tests) posted to
/api/messages, recorded once with a temporary hook. Variations of them (hypothesis) check the
odd and malformed cases: whatever msrest gives or raises, ``activity_from_json`` gives or raises.
"""

from __future__ import annotations

import copy
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from botbuilder.core import TurnContext
from botbuilder.schema import Activity, ConversationReference
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from msrest.serialization import Model

from bot.teams.activity import reference_of
from bot.teams.activity_json import activity_from_json

CORPUS: list[dict[str, Any]] = json.loads((Path(__file__).parent / "activities_corpus.json").read_text())

#: As Teams sends a channel message: 7-digit fractions, a local time with an offset, a mention.
TEAMS_CHANNEL_MESSAGE: dict[str, Any] = {
    "text": "<at>CoS Bot</at> help",
    "textFormat": "plain",
    "attachments": [{"contentType": "text/html", "content": "<div><at>CoS Bot</at> help</div>"}],
    "type": "message",
    "timestamp": "2026-11-23T09:30:01.2534567Z",
    "localTimestamp": "2026-11-23T09:30:01.2534567+00:00",
    "id": "1763890201253",
    "channelId": "msteams",
    "serviceUrl": "https://smba.trafficmanager.net/uk/",
    "from": {"id": "29:1abc", "name": "Priya Shah", "aadObjectId": "6b1c0000-0000-4000-8000-000000000001"},
    "conversation": {
        "isGroup": True,
        "conversationType": "channel",
        "tenantId": "t-1",
        "id": "19:abc@thread.tacv2;messageid=1763890201253",
    },
    "recipient": {"id": "28:bot", "name": "CoS Bot"},
    "entities": [
        {"mentioned": {"id": "28:bot", "name": "CoS Bot"}, "text": "<at>CoS Bot</at>", "type": "mention"},
        {
            "locale": "en-GB",
            "country": "GB",
            "platform": "Web",
            "timezone": "Europe/London",
            "type": "clientInfo",
        },
    ],
    "channelData": {
        "teamsChannelId": "19:abc@thread.tacv2",
        "teamsTeamId": "19:team@thread.tacv2",
        "channel": {"id": "19:abc@thread.tacv2"},
        "team": {"id": "19:team@thread.tacv2"},
        "tenant": {"id": "t-1"},
    },
    "locale": "en-GB",
    "localTimezone": "Europe/London",
}
BODIES = [*CORPUS, TEAMS_CHANNEL_MESSAGE]


def shape(value: Any) -> Any:
    """Everything about a value a reader could notice: types, nested models, time zones."""
    if isinstance(value, Model):
        return (type(value).__name__, {name: shape(item) for name, item in vars(value).items()})
    if isinstance(value, dict):
        return ("dict", {key: shape(item) for key, item in value.items()})
    if isinstance(value, list):
        return ("list", [shape(item) for item in value])
    if isinstance(value, datetime):
        return ("datetime", value.isoformat(), value.tzname(), value.utcoffset(), type(value.tzinfo))
    return (type(value).__name__, value)


def outcome(read: Any, body: Any) -> Any:
    """What reading ``body`` gives: the activity's shape, or the kind of error."""
    try:
        return shape(read(body))
    except Exception as error:  # noqa: BLE001 - the kind of error is what is compared
        return ("error", type(error).__name__)


def msrest(body: Any) -> Activity:
    return Activity().deserialize(body)


def test_the_corpus_has_every_kind_of_activity_the_bot_receives() -> None:
    kinds = {(body.get("type"), body.get("name")) for body in CORPUS if isinstance(body, dict)}
    assert {("message", None), ("invoke", "adaptiveCard/action"), ("conversationUpdate", None)} <= kinds
    assert ("installationUpdate", None) in kinds
    assert any("timestamp" in body for body in CORPUS if isinstance(body, dict))


@pytest.mark.parametrize("index", range(len(BODIES)))
def test_every_recorded_activity_reads_as_msrest_reads_it(index: int) -> None:
    body = BODIES[index]
    assert outcome(activity_from_json, body) == outcome(msrest, body)


@pytest.mark.parametrize("index", range(len(BODIES)))
def test_the_reference_kept_for_later_is_msrests(index: int) -> None:
    body = BODIES[index]
    try:
        activity = msrest(body)
    except Exception:  # noqa: BLE001 - a malformed body in the corpus has no reference
        return
    assert reference_of(activity) == TurnContext.get_conversation_reference(activity).serialize()


def test_the_common_shape_is_read_without_msrest(monkeypatch: pytest.MonkeyPatch) -> None:
    """The point of the reader: msrest only sees the unusual and the malformed."""
    well_formed = []
    for body in BODIES:
        try:
            msrest(body)
            well_formed.append(body)
        except Exception:  # noqa: BLE001 - malformed bodies are msrest's to refuse
            continue

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("msrest was asked")

    monkeypatch.setattr(Activity, "deserialize", refuse)
    monkeypatch.setattr(ConversationReference, "serialize", refuse)
    for body in well_formed:
        activity_from_json(body)
        reference_of(activity_from_json(body))
    assert len(well_formed) >= len(BODIES) - 6


def test_a_teams_timestamp_keeps_its_microseconds_and_zone() -> None:
    activity = activity_from_json(TEAMS_CHANNEL_MESSAGE)
    assert activity.timestamp.isoformat() == "2026-11-23T09:30:01.253456+00:00"
    assert activity.entities[0].additional_properties["text"] == "<at>CoS Bot</at>"
    # msrest reads the conversation's "tenantId" as an unknown key (its own is "tenantID"); so do we.
    assert activity.conversation.tenant_id is None
    assert activity.conversation.additional_properties == {"tenantId": "t-1"}


# Variations ----------------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)
timestamps = st.builds(
    lambda date, time, fraction, zone: f"{date}T{time}{fraction}{zone}",
    st.sampled_from(["2026-11-23", "0000-01-01", "9999-12-31", "2026-02-30", "26-11-23", "2026-1-3"]),
    st.sampled_from(["09:30:01", "23:59:60", "24:00:00", "9:30:01", "09:30"]),
    st.sampled_from(["", ".", ".1", ".123", ".1234567", ".123456789", ",5", ".12a"]),
    st.sampled_from(["Z", "z", "", "+01:00", "-05:30", "+0100", "+14:00", "-23:59", "+24:00", " Z"]),
)
values = json_values | timestamps
#: Fields of the activity and of its accounts, the common and the unknown.
paths = st.sampled_from(
    [
        ("timestamp",),
        ("localTimestamp",),
        ("expiration",),
        ("text",),
        ("id",),
        ("locale",),
        ("value",),
        ("channelData",),
        ("entities",),
        ("attachments",),
        ("membersAdded",),
        ("listenFor",),
        ("suggestedActions",),
        ("relatesTo",),
        ("historyDisclosed",),
        ("replyToId",),
        ("somethingNew",),
        ("from", "name"),
        ("from", "aadObjectId"),
        ("from", "properties"),
        ("from", "role"),
        ("recipient", "id"),
        ("conversation", "isGroup"),
        ("conversation", "tenantID"),
        ("conversation", "somethingNew"),
    ]
)


def vary(body: Any, path: tuple[str, ...], value: Any) -> Any:
    changed = copy.deepcopy(body)
    target = changed
    for key in path[:-1]:
        if not isinstance(target, dict) or not isinstance(target.get(key), dict):
            return changed
        target = target[key]
    target[path[-1]] = value
    return changed


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from([body for body in BODIES if isinstance(body, dict)]),
    st.lists(st.tuples(paths, values), min_size=1, max_size=3),
)
def test_any_variation_reads_as_msrest_reads_it(body: dict[str, Any], changes: list[Any]) -> None:
    for path, value in changes:
        body = vary(body, path, value)
    assert outcome(activity_from_json, body) == outcome(msrest, body)
    try:
        activity = msrest(body)
    except Exception:  # noqa: BLE001 - refused alike, checked above
        return
    assert reference_of(activity) == TurnContext.get_conversation_reference(activity).serialize()


@settings(max_examples=200, deadline=None)
@given(timestamps)
def test_any_timestamp_reads_as_msrest_reads_it(timestamp: str) -> None:
    body = vary(TEAMS_CHANNEL_MESSAGE, ("timestamp",), timestamp)
    assert outcome(activity_from_json, body) == outcome(msrest, body)


@settings(max_examples=100, deadline=None)
@given(st.lists(json_values | st.just([]), max_size=3))
def test_a_list_of_entities_or_members_reads_as_msrest_reads_it(items: list[Any]) -> None:
    for key in ("entities", "membersAdded", "attachments"):
        body = vary(TEAMS_CHANNEL_MESSAGE, (key,), items)
        assert outcome(activity_from_json, body) == outcome(msrest, body)
