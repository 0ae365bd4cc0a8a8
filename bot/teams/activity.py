"""Reading what the bot needs out of a Teams activity: who, where, and references to come back."""

from __future__ import annotations

import re
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.schema import Activity

_MENTION = re.compile(r"<at>.*?</at>", re.IGNORECASE | re.DOTALL)


def reference_of(activity: Activity) -> dict[str, Any]:
    """The conversation reference of ``activity``, as plain JSON."""
    reference: dict[str, Any] = TurnContext.get_conversation_reference(activity).serialize()
    return reference


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
