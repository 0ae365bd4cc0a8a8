"""One outbox row as Bot Connector calls: a new channel thread, a message, or an update in place."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.outbox.leases import Claim
from bot.teams.connector import BotConnector, ConnectorError
from communities.clock import Clock
from communities.db import Database
from communities.messaging.outbox import OutboxMessage, OutboxStatus
from communities.reach.members import is_start_chat

if TYPE_CHECKING:
    from bot.outbox.chat_starts import ChatStarter


@dataclass(frozen=True)
class Delivered:
    activity_id: str | None
    thread_conversation_id: str | None = None


class Undeliverable(Exception):
    """The row itself is unusable (a broken reference); retrying cannot help."""


class Deferred(Exception):
    """An UPDATE whose original has not been sent yet."""


class BotFailure(ConnectorError):
    """An unexpected error in the bot while sending; retried like a network error."""

    def __init__(self, error: Exception) -> None:
        super().__init__(0, type(error).__name__)

    @property
    def reason(self) -> str:
        return f"the bot failed while sending ({self.detail}); see the bot's log"


class TeamsDelivery:
    """Builds each row's activity and makes the one connector call it needs."""

    def __init__(
        self,
        connector: BotConnector,
        bot_id: str = "",
        database: Database | None = None,
        clock: Clock | None = None,
    ) -> None:
        self._connector = connector
        self._bot_id = bot_id
        #: Starts a person's 1:1 chat before the first message to them (needs the database).
        self._chats: ChatStarter | None = None
        if database is not None and clock is not None:
            from bot.outbox.chat_starts import ChatStarter  # it raises this module's Undeliverable

            self._chats = ChatStarter(database, connector, clock, bot_id)

    async def start_thread(self, service_url: str, row: OutboxMessage) -> Delivered:
        channel_id = row.conversation_key
        parameters: dict[str, Any] = {
            "isGroup": True,
            "channelData": {"channel": {"id": channel_id}},
            "activity": self._activity(row),
        }
        bot = self._bot(row)
        if bot:
            parameters["bot"] = bot
        tenant_id = _tenant_id(row.reference)
        if tenant_id:
            parameters["tenantId"] = tenant_id
            parameters["channelData"]["tenant"] = {"id": tenant_id}
        response = await self._connector.create_conversation(service_url, parameters)
        thread_id = str(response.get("id") or "")
        root_id = str(response.get("activityId") or "") or thread_id.partition(";messageid=")[2]
        if not thread_id or not root_id:
            raise ConnectorError(0, "Teams did not return the new thread's id")
        return Delivered(activity_id=root_id, thread_conversation_id=thread_id)

    async def send_message(self, service_url: str, row: OutboxMessage) -> Delivered:
        """Send into the row's conversation; to a person with no chat yet, start it first.

        The chat's id is kept on the row (``thread_conversation_id``), so that an update in place
        finds the message.
        """
        started = None
        if self._chats is not None and is_start_chat(row.reference):
            started = await self._chats.conversation_for(service_url, row.reference)
        conversation_id = started or _conversation_id(row.reference)
        activity = self._activity(row)
        activity["conversation"] = {"id": conversation_id}
        response = await self._connector.send_to_conversation(service_url, conversation_id, activity)
        return Delivered(str(response["id"]) if response.get("id") else None, started)

    async def update(
        self, service_url: str, row: OutboxMessage, conversation_id: str, activity_id: str
    ) -> Delivered:
        activity = self._activity(row)
        activity["id"] = activity_id
        activity["conversation"] = {"id": conversation_id}
        await self._connector.update_activity(service_url, conversation_id, activity_id, activity)
        return Delivered(activity_id=activity_id)

    def update_target(self, claim: Claim) -> tuple[str, str]:
        """(conversation id, activity id) that an UPDATE replaces."""
        original = claim.original
        if original is None:
            raise Undeliverable("the message to update no longer exists")
        if original.status == OutboxStatus.FAILED:
            raise Undeliverable(
                f"the original message was never delivered, so it cannot be updated "
                f"({original.failure_reason or 'no reason recorded'})"
            )
        if original.status != OutboxStatus.SENT:
            raise Deferred
        if not original.activity_id:
            raise Undeliverable("Teams gave no id for the original message, so it cannot be updated")
        conversation_id = original.thread_conversation_id or _conversation_id(original.reference)
        return conversation_id, original.activity_id

    def _activity(self, row: OutboxMessage) -> dict[str, Any]:
        activity: dict[str, Any] = {"type": "message", **row.payload}
        activity.setdefault("channelId", row.reference.get("channelId") or "msteams")
        bot = self._bot(row)
        if bot:
            activity["from"] = bot
        return activity

    def _bot(self, row: OutboxMessage) -> dict[str, Any] | None:
        if self._bot_id:
            return {"id": self._bot_id}
        bot = row.reference.get("bot")
        return dict(bot) if isinstance(bot, dict) and bot.get("id") else None


def _conversation_id(reference: dict[str, Any]) -> str:
    conversation_id = str((reference.get("conversation") or {}).get("id") or "")
    if not conversation_id:
        raise Undeliverable("the stored conversation reference has no conversation id")
    return conversation_id


def _tenant_id(reference: dict[str, Any]) -> str | None:
    conversation = reference.get("conversation") or {}
    channel_data = reference.get("channelData") or {}
    tenant = conversation.get("tenantId") or (channel_data.get("tenant") or {}).get("id")
    return str(tenant) if tenant else None
