"""Channel posts that are edited in place: which earlier posts can still be edited, and queuing
a new thread (through :mod:`communities.messaging.notices`) or an edit of one with an idempotency
key (used by the agenda's channel copy)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from communities.messaging import notices
from communities.messaging.outbox import Outbox, OutboxMessage, OutboxStatus, OutgoingMessage


async def editable_posts(session: AsyncSession, ids: Sequence[int], channel: str) -> list[OutboxMessage]:
    """The posts ``ids`` (in order) that can still be edited: in ``channel``, and not failed.

    The list stops at the first that cannot: if the first never got through, or the channel
    changed, the caller starts again with new posts.
    """
    rows = [await session.get(OutboxMessage, i) for i in ids]
    usable: list[OutboxMessage] = []
    for row in rows:
        if row is None or row.status == OutboxStatus.FAILED or row.conversation_key != channel:
            break
        usable.append(row)
    return usable


async def queue_post(
    session: AsyncSession,
    outbox: Outbox,
    key: str,
    message: OutgoingMessage,
    original: OutboxMessage | None,
    channel_reference: dict[str, Any],
    batch_key: str,
) -> OutboxMessage:
    """An in-place edit of ``original``, or a new thread in the channel.

    A key already queued returns that row (the same thing asked twice); a key whose post failed
    gets a suffix, so that asking again really posts again.
    """
    key = await _fresh_key(session, key)
    existing = await _by_key(session, key)
    if existing is not None:
        return existing  # queued already (the same version published twice at once)
    if original is not None:
        return await outbox.update(session, key=key, original=original, message=message)
    channel = notices.Conversation(channel_reference, new_thread=True)
    told = await notices.tell(session, outbox, notices.Notice.to(channel, key, message, batch_key=batch_key))
    return told.rows[0]


async def _fresh_key(session: AsyncSession, key: str) -> str:
    base = key
    while (row := await _by_key(session, key)) is not None and row.status == OutboxStatus.FAILED:
        key = f"{base}:after{row.id}"
    return key


async def _by_key(session: AsyncSession, key: str) -> OutboxMessage | None:
    return (await session.exec(select(OutboxMessage).where(OutboxMessage.idempotency_key == key))).first()


def row_id(row: OutboxMessage) -> int:
    assert row.id is not None
    return row.id
