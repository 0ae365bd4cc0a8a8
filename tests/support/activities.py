"""Teams-shaped activities, as the Bot Connector would post them to /api/messages."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

BOT = {"id": "28:cosbot", "name": "CoS Bot"}
TENANT = "tenant-0001"
TEAM_ID = "19:team-general@thread.tacv2"
CHANNEL_ID = "19:community-channel@thread.tacv2"

_ids = itertools.count(1)


def user(n: int, name: str = "Someone", *, aad: bool = True) -> dict[str, Any]:
    account: dict[str, Any] = {"id": f"29:user-{n}", "name": name}
    if aad:
        account["aadObjectId"] = f"00000000-0000-4000-8000-{n:012d}"
    return account


def personal_message(
    service_url: str, sender: dict[str, Any], text: str | None = None, value: Any = None
) -> dict[str, Any]:
    activity: dict[str, Any] = {
        "type": "message",
        "id": f"act-{next(_ids)}",
        "channelId": "msteams",
        "serviceUrl": service_url,
        "from": sender,
        "recipient": BOT,
        "conversation": {"id": f"a:chat-{sender['id']}", "conversationType": "personal", "tenantId": TENANT},
        "channelData": {"tenant": {"id": TENANT}},
    }
    if text is not None:
        activity["text"] = text
    if value is not None:
        activity["value"] = value
    return activity


def channel_message(
    service_url: str, sender: dict[str, Any], text: str, channel_id: str = CHANNEL_ID, root: str | None = None
) -> dict[str, Any]:
    message_id = f"{next(_ids)}"
    root = root or message_id
    return {
        "type": "message",
        "id": message_id,
        "channelId": "msteams",
        "serviceUrl": service_url,
        "from": sender,
        "recipient": BOT,
        "text": f"<at>CoS Bot</at> {text}",
        "entities": [{"type": "mention", "mentioned": BOT, "text": "<at>CoS Bot</at>"}],
        "conversation": {
            "id": f"{channel_id};messageid={root}",
            "conversationType": "channel",
            "isGroup": True,
            "tenantId": TENANT,
        },
        "channelData": {
            "teamsChannelId": channel_id,
            "teamsTeamId": TEAM_ID,
            "channel": {"id": channel_id},
            "team": {"id": TEAM_ID},
            "tenant": {"id": TENANT},
        },
    }


def bot_added_to_team(service_url: str, team_name: str = "Canterbury Community") -> dict[str, Any]:
    return {
        "type": "conversationUpdate",
        "id": f"act-{next(_ids)}",
        "channelId": "msteams",
        "serviceUrl": service_url,
        "from": user(1, "Priya Shah"),
        "recipient": BOT,
        "membersAdded": [BOT],
        "conversation": {"id": TEAM_ID, "conversationType": "channel", "isGroup": True, "tenantId": TENANT},
        "channelData": {
            "eventType": "teamMemberAdded",
            "team": {"id": TEAM_ID, "name": team_name, "aadGroupId": "group-1"},
            "tenant": {"id": TENANT},
        },
    }


def installation_update(service_url: str, action: str = "add") -> dict[str, Any]:
    activity = bot_added_to_team(service_url)
    del activity["membersAdded"]
    activity["type"] = "installationUpdate"
    activity["action"] = action
    activity["channelData"]["channel"] = {"id": TEAM_ID}
    return activity


def bot_added_to_personal_chat(service_url: str, sender: dict[str, Any]) -> dict[str, Any]:
    activity = personal_message(service_url, sender)
    activity["type"] = "conversationUpdate"
    activity["membersAdded"] = [sender, BOT]
    return activity


def chat_of(sender: dict[str, Any]) -> str:
    return f"a:chat-{sender['id']}"


def submit_data(card: Any) -> Iterator[dict[str, Any]]:
    """The data of every Action.Submit in a card, nested ones included."""
    if isinstance(card, dict):
        if card.get("type") == "Action.Submit" and isinstance(card.get("data"), dict):
            yield card["data"]
        for value in card.values():
            yield from submit_data(value)
    elif isinstance(card, list):
        for value in card:
            yield from submit_data(value)


def card_action(
    service_url: str,
    sender: dict[str, Any],
    card_id: str,
    verb: str,
    data: dict[str, Any],
    *,
    trigger: str = "manual",
    channel_id: str = CHANNEL_ID,
) -> dict[str, Any]:
    """What Teams posts for an Action.Execute pressed on (or a refresh of) the bot's card ``card_id``
    in a channel thread: an ``adaptiveCard/action`` invoke (``trigger`` "automatic" for a refresh)."""
    activity = channel_message(service_url, sender, "", channel_id=channel_id, root=card_id)
    del activity["text"], activity["entities"]
    activity.update(
        type="invoke",
        name="adaptiveCard/action",
        replyToId=card_id,
        value={"action": {"type": "Action.Execute", "verb": verb, "data": data}, "trigger": trigger},
    )
    return activity
