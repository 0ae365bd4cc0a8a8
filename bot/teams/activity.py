"""Reading what the bot needs out of a Teams activity: who, where, and references to come back."""

from __future__ import annotations

import re
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.schema import Activity, ActivityTypes, ChannelAccount, ConversationAccount
from botframework.connector import Channels

_MENTION = re.compile(r"<at>.*?</at>", re.IGNORECASE | re.DOTALL)


def reference_of(activity: Activity) -> dict[str, Any]:
    """The conversation reference of ``activity``, as plain JSON.

    What ``TurnContext.get_conversation_reference(activity).serialize()`` gives, written out
    directly when the accounts hold only strings and booleans (msrest's serializer took about
    0.15 ms a turn); anything else is left to msrest.
    """
    try:
        return _reference_json(activity)
    except _Unusual:
        reference: dict[str, Any] = TurnContext.get_conversation_reference(activity).serialize()
        return reference


class _Unusual(Exception):
    pass


#: Activities whose id is not kept in a reference (as botbuilder's get_conversation_reference).
_NO_ACTIVITY_ID_CHANNELS = frozenset({Channels.direct_line, Channels.webchat})


def _reference_json(activity: Activity) -> dict[str, Any]:
    reference: dict[str, Any] = {}
    if (
        activity.id is not None
        and activity.type != ActivityTypes.conversation_update
        and activity.channel_id not in _NO_ACTIVITY_ID_CHANNELS
    ):
        reference["activityId"] = _plain(activity.id)
    for key, account in (
        ("user", activity.from_property),
        ("bot", activity.recipient),
        ("conversation", activity.conversation),
    ):
        if account is not None:
            reference[key] = _account_json(account)
    for key, value in (
        ("channelId", activity.channel_id),
        ("locale", activity.locale),
        ("serviceUrl", activity.service_url),
    ):
        if value is not None:
            reference[key] = _plain(value)
    return reference


def _account_json(account: Any) -> dict[str, Any]:
    """A ChannelAccount or ConversationAccount as msrest writes it: its own fields only."""
    if type(account) not in (ChannelAccount, ConversationAccount):
        raise _Unusual
    out: dict[str, Any] = {}
    for name, spec in type(account)._attribute_map.items():
        value = getattr(account, name, None)
        if value is not None:
            out[spec["key"]] = _plain(value)
    return out


def _plain(value: Any) -> str | bool:
    if type(value) is str or type(value) is bool:
        return value
    raise _Unusual


def channel_data(activity: Activity) -> dict[str, Any]:
    data = activity.channel_data
    if isinstance(data, dict):
        return data
    if data is not None and hasattr(data, "serialize"):
        serialized: dict[str, Any] = data.serialize()
        return serialized
    return {}


def team_of(activity: Activity) -> dict[str, Any] | None:
    team = channel_data(activity).get("team")
    return team if isinstance(team, dict) and team.get("id") else None


def tenant_of(activity: Activity) -> str | None:
    tenant = channel_data(activity).get("tenant")
    if isinstance(tenant, dict) and tenant.get("id"):
        return str(tenant["id"])
    return getattr(activity.conversation, "tenant_id", None) if activity.conversation else None


def channel_id_of(activity: Activity) -> str | None:
    data = channel_data(activity)
    channel = data.get("channel")
    if isinstance(channel, dict) and channel.get("id"):
        return str(channel["id"])
    if data.get("teamsChannelId"):
        return str(data["teamsChannelId"])
    conversation_id = activity.conversation.id if activity.conversation else ""
    return conversation_id.split(";messageid=")[0] or None


def conversation_type(activity: Activity) -> str:
    conversation = activity.conversation
    kind = getattr(conversation, "conversation_type", None) if conversation else None
    if kind:
        return str(kind)
    return "channel" if team_of(activity) else "personal"


def reference_to(activity: Activity, conversation_id: str) -> dict[str, Any]:
    """A reference to another conversation of the same team (e.g. the channel, not the thread)."""
    reference = reference_of(activity)
    reference["conversation"] = {
        "id": conversation_id,
        "isGroup": True,
        "conversationType": "channel",
        "tenantId": tenant_of(activity),
    }
    reference.pop("activityId", None)
    reference.pop("user", None)
    return reference


def command_text(activity: Activity) -> str:
    """The message text without @mentions, trimmed."""
    text = activity.text or ""
    return " ".join(_MENTION.sub(" ", text).split())
