"""The durable outbox: every message the bot starts itself is a row here first.

A service adds a row in the same transaction as the change it announces, then
calls :meth:`Outbox.wake`. A sender in ``bot/`` delivers rows to Teams, at most
one in flight per conversation, and records the result on the row. The
idempotency key makes a second enqueue of the same message a no-op, so a
retried job or a restart never posts twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, String
from sqlmodel import Field, SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from communities.clock import Clock
from communities.sqltypes import UtcDateTime


class DeliveryKind(StrEnum):
    #: Start a new thread in a channel (``POST /v3/conversations``).
    NEW_THREAD = "new_thread"
    #: Send into an existing conversation: a personal chat, or a reply in a thread.
    SEND = "send"
    #: Replace a message the outbox sent earlier (``PUT .../activities/{id}``).
    UPDATE = "update"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class OutboxMessage(SQLModel, table=True):
    __tablename__ = "outbox_message"
    # The sender asks "is another row of this conversation pending?" for every due row; without
    # this index that is a scan of all pending rows each time (770 ms with 1,000 queued).
    __table_args__ = (Index("ix_outbox_message_conversation_status", "conversation_key", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    idempotency_key: str = Field(max_length=255, unique=True, index=True)
    kind: DeliveryKind = Field(sa_type=String(16))
    #: The conversation this message goes to; the sender keeps one in flight per key.
    conversation_key: str = Field(max_length=1024, index=True)
    #: Plain-JSON Bot Framework conversation reference (serviceUrl, conversation.id, ...).
    reference: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    #: Plain-JSON activity fields: ``text``, ``attachments``, ``summary``.
    payload: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    #: For UPDATE: the earlier outbox message whose Teams activity is replaced.
    update_of_id: int | None = Field(default=None, foreign_key="outbox_message.id")
    #: Groups messages for reporting, e.g. ``broadcast:42``.
    batch_key: str | None = Field(default=None, max_length=255, index=True)
    status: OutboxStatus = Field(default=OutboxStatus.PENDING, sa_type=String(16), index=True)
    attempts: int = 0
    next_attempt_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False, index=True))
    #: A sender's claim on the row; another sender leaves it alone until then.
    locked_until: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    activity_id: str | None = Field(default=None, max_length=255)
    #: For NEW_THREAD: the thread's conversation id, ``<channel id>;messageid=<root id>``.
    thread_conversation_id: str | None = Field(default=None, max_length=1024)
    failure_reason: str | None = Field(default=None, max_length=1000)
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    sent_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))


@dataclass(frozen=True)
class OutgoingMessage:
    """What to post: text, an Adaptive Card, or both. Plain data, no SDK types."""

    text: str | None = None
    card: dict[str, Any] | None = None
    summary: str | None = None

    def to_payload(self) -> dict[str, Any]:
        payload: dict[str, Any] = {}
        if self.text:
            payload["text"] = self.text
        if self.summary:
            payload["summary"] = self.summary
        if self.card is not None:
            payload["attachments"] = [
                {"contentType": "application/vnd.microsoft.card.adaptive", "content": self.card}
            ]
        if not payload:
            raise ValueError("an outgoing message needs text or a card")
        return payload


@dataclass
class Outbox:
    """Adds messages to the outbox table. ``wake`` nudges the sender after a commit."""

    clock: Clock
    wake_listeners: list[Callable[[], None]] = field(default_factory=list)

    async def new_thread(
        self,
        session: AsyncSession,
        *,
        key: str,
        channel_reference: dict[str, Any],
        message: OutgoingMessage,
        batch_key: str | None = None,
    ) -> OutboxMessage:
        """Post ``message`` as a new thread in the channel of ``channel_reference``."""
        return await self._add(
            session, key, DeliveryKind.NEW_THREAD, channel_reference, message.to_payload(), batch_key
        )

    async def send(
        self,
        session: AsyncSession,
        *,
        key: str,
        reference: dict[str, Any],
        message: OutgoingMessage,
        batch_key: str | None = None,
    ) -> OutboxMessage:
        """Send ``message`` into the conversation of ``reference`` (a chat, or a thread)."""
        return await self._add(session, key, DeliveryKind.SEND, reference, message.to_payload(), batch_key)

    async def update(
        self,
        session: AsyncSession,
        *,
        key: str,
        original: OutboxMessage,
        message: OutgoingMessage,
    ) -> OutboxMessage:
        """Replace the activity that ``original`` posted with ``message``."""
        if original.id is None:
            raise ValueError("the original message has not been stored yet")
        row = await self._add(
            session, key, DeliveryKind.UPDATE, original.reference, message.to_payload(), original.batch_key
        )
        row.update_of_id = original.id
        row.conversation_key = original.conversation_key
        return row

    def wake(self) -> None:
        for listener in self.wake_listeners:
            listener()

    async def _add(
        self,
        session: AsyncSession,
        key: str,
        kind: DeliveryKind,
        reference: dict[str, Any],
        payload: dict[str, Any],
        batch_key: str | None,
    ) -> OutboxMessage:
        existing = (
            await session.exec(select(OutboxMessage).where(OutboxMessage.idempotency_key == key))
        ).first()
        if existing is not None:
            return existing
        now = self.clock.now()
        row = OutboxMessage(
            idempotency_key=key,
            kind=kind,
            conversation_key=conversation_key(kind, reference),
            reference=reference,
            payload=payload,
            batch_key=batch_key,
            next_attempt_at=now,
            created_at=now,
        )
        session.add(row)
        await session.flush()
        return row


def conversation_key(kind: DeliveryKind, reference: dict[str, Any]) -> str:
    """The conversation a delivery lands in: a new thread counts against its channel."""
    conversation_id = str((reference.get("conversation") or {}).get("id") or "")
    if not conversation_id:
        raise ValueError("a conversation reference needs conversation.id")
    if kind is DeliveryKind.NEW_THREAD:
        return conversation_id.split(";messageid=")[0]
    return conversation_id
