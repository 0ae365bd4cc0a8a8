"""The outbox's rows seen by a sender: which conversations are due, and leases on rows.

A row is *claimed* with one atomic UPDATE that sets ``locked_until``. The UPDATE only matches if the
row is still pending, due and unleased, no older row of the same conversation is pending and no row
of the same thread is leased, so two senders (two replicas, or a restarted process) never hold the
same row and order is kept. A result is written back only while the lease is still held.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, func, or_, text, update
from sqlalchemy.orm import aliased
from sqlmodel import col, select

from communities.db import Database
from communities.messaging.outbox import DeliveryKind, OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Candidate:
    id: int
    conversation_key: str


@dataclass(frozen=True)
class Claim:
    row: OutboxMessage
    lease: datetime
    #: For UPDATE rows: the message whose Teams activity is replaced.
    original: OutboxMessage | None


class OutboxLeases:
    """The SQL of delivery: due conversations, the next row of one, its claim and its outcome."""

    def __init__(self, database: Database, *, lease: timedelta, batch_size: int) -> None:
        self._db = database
        self._lease = lease
        self._batch_size = batch_size

    async def due_conversations(self, now: datetime) -> list[str]:
        """Conversations with a row to send now, the longest waiting first.

        One entry per conversation, so that a long queue in one of them cannot
        crowd the others out of the batch. A conversation waits while one of its
        rows is leased, or while its oldest due row is behind one backing off.
        """
        other = aliased(OutboxMessage)
        blocking = exists().where(
            col(other.conversation_key) == col(OutboxMessage.conversation_key),
            col(other.status) == OutboxStatus.PENDING,
            col(other.id) != col(OutboxMessage.id),
            or_(
                col(other.locked_until) > now,
                and_(col(other.id) < col(OutboxMessage.id), col(other.next_attempt_at) > now),
            ),
        )
        oldest = func.min(col(OutboxMessage.id))
        statement = (
            select(col(OutboxMessage.conversation_key), oldest)
            .where(
                col(OutboxMessage.status) == OutboxStatus.PENDING,
                col(OutboxMessage.next_attempt_at) <= now,
                _lease_free(now),
                ~blocking,
            )
            .group_by(col(OutboxMessage.conversation_key))
            .order_by(oldest)
            .limit(self._batch_size)
        )
        async with self._db.session() as session:
            rows = (await session.exec(statement)).all()
        return [key for key, _ in rows]

    async def next_row(self, key: str, now: datetime) -> Candidate | None:
        """The oldest due, unleased row of one conversation (the claim checks it heads the queue)."""
        statement = (
            select(col(OutboxMessage.id))
            .where(
                col(OutboxMessage.conversation_key) == key,
                col(OutboxMessage.status) == OutboxStatus.PENDING,
                col(OutboxMessage.next_attempt_at) <= now,
                _lease_free(now),
            )
            .order_by(col(OutboxMessage.id))
            .limit(1)
        )
        async with self._db.session() as session:
            row_id = (await session.exec(statement)).first()
        return None if row_id is None else Candidate(id=row_id, conversation_key=key)

    async def claim(self, candidate: Candidate, lane: str, now: datetime) -> Claim | None:
        """Lease one row atomically, or return None if it is not this sender's to send now."""
        lease = now + self._lease
        other = aliased(OutboxMessage)
        same_thread = or_(
            col(other.conversation_key) == lane,
            col(other.conversation_key).startswith(lane + ";messageid=", autoescape=True),
        )
        blocking = exists().where(
            col(other.status) == OutboxStatus.PENDING,
            col(other.id) != candidate.id,
            or_(
                and_(col(other.conversation_key) == candidate.conversation_key, col(other.id) < candidate.id),
                and_(same_thread, col(other.locked_until) > now),
            ),
        )
        statement = (
            update(OutboxMessage)
            .where(
                col(OutboxMessage.id) == candidate.id,
                col(OutboxMessage.conversation_key) == candidate.conversation_key,
                col(OutboxMessage.status) == OutboxStatus.PENDING,
                col(OutboxMessage.next_attempt_at) <= now,
                _lease_free(now),
                ~blocking,
            )
            .values(locked_until=lease, attempts=col(OutboxMessage.attempts) + 1)
            .execution_options(synchronize_session=False)
        )
        async with self._db.session() as session:
            if not self._db.is_sqlite:
                # PostgreSQL runs two claims of one thread side by side, and neither sees the
                # other's uncommitted lease; a per-thread lock for this transaction orders them.
                # (SQLite lets one writer in at a time, which orders them already.)
                await session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:lane))"), {"lane": lane})
            result = await session.exec(statement)
            if result.rowcount != 1:
                await session.rollback()
                return None
            await session.commit()
            row = await session.get(OutboxMessage, candidate.id)
            if row is None:
                return None
            original = None
            if row.kind == DeliveryKind.UPDATE and row.update_of_id is not None:
                original = await session.get(OutboxMessage, row.update_of_id)
        return Claim(row=row, lease=lease, original=original)

    async def finish(self, claim: Claim, **values: Any) -> bool:
        """Write the outcome, but only while this sender still holds the row's lease."""
        statement = (
            update(OutboxMessage)
            .where(
                col(OutboxMessage.id) == claim.row.id,
                col(OutboxMessage.status) == OutboxStatus.PENDING,
                col(OutboxMessage.locked_until) == claim.lease,
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        async with self._db.session() as session:
            result = await session.exec(statement)
            await session.commit()
        if result.rowcount != 1:
            log.warning(
                "outbox %s: the lease ran out before the result was recorded; another sender may "
                "send it again",
                claim.row.id,
            )
            return False
        return True


def _lease_free(now: datetime) -> Any:
    return or_(col(OutboxMessage.locked_until).is_(None), col(OutboxMessage.locked_until) <= now)
