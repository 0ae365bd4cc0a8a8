"""What became of a broadcast: each community channel's delivery, for the officer's report card."""

from __future__ import annotations

import hashlib
import json
from dataclasses import astuple, dataclass
from enum import StrEnum

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from communities.broadcasts.selection import BroadcastRefused
from communities.broadcasts.tables import Broadcast, BroadcastTarget, TargetState
from communities.messaging.outbox import (
    OutboxMessage,
    OutboxStatus,
)
from communities.roster.tables import Community


class Delivery(StrEnum):
    SENT = "sent"
    UPDATED = "updated"
    PENDING = "pending"
    FAILED = "failed"
    UNCHANGED = "unchanged"
    NOT_SENT = "not_sent"


@dataclass(frozen=True)
class ReportLine:
    code: str
    name: str
    delivery: Delivery
    reason: str | None = None


@dataclass(frozen=True)
class DeliveryReport:
    broadcast_id: int
    description: str
    lines: tuple[ReportLine, ...]

    def count(self, *deliveries: Delivery) -> int:
        return sum(1 for line in self.lines if line.delivery in deliveries)

    @property
    def settled(self) -> bool:
        return self.count(Delivery.PENDING) == 0

    @property
    def failures(self) -> int:
        return self.count(Delivery.FAILED, Delivery.NOT_SENT)

    @property
    def digest(self) -> str:
        return hashlib.sha256(json.dumps([astuple(line) for line in self.lines]).encode()).hexdigest()


async def report(session: AsyncSession, broadcast_id: int) -> DeliveryReport:
    broadcast = await session.get(Broadcast, broadcast_id)
    if broadcast is None:
        raise BroadcastRefused("That broadcast does not exist.")
    rows = (
        await session.exec(
            select(BroadcastTarget, Community)
            .join(Community, col(Community.id) == col(BroadcastTarget.community_id))
            .where(BroadcastTarget.broadcast_id == broadcast_id)
            .order_by(col(Community.code))
        )
    ).all()
    messages = await messages_by_id(session, [t.message_id for t, _ in rows if t.message_id])
    lines = []
    for target, community in rows:
        message = messages.get(target.message_id) if target.message_id else None
        lines.append(ReportLine(community.code, community.name, *_delivery(target, message)))
    return DeliveryReport(broadcast_id, broadcast.description, tuple(lines))


async def unsettled(session: AsyncSession) -> list[Broadcast]:
    """Broadcasts whose report may still change (their cards are being delivered)."""
    rows = await session.exec(select(Broadcast).where(col(Broadcast.settled_at).is_(None)))
    return list(rows.all())


def _delivery(target: BroadcastTarget, message: OutboxMessage | None) -> tuple[Delivery, str | None]:
    if target.state == TargetState.UNCHANGED:
        return Delivery.UNCHANGED, "the channel already shows these dates"
    if target.state == TargetState.NOT_SENT or message is None:
        return Delivery.NOT_SENT, target.problem
    if message.status == OutboxStatus.SENT:
        return (Delivery.UPDATED if target.edits_earlier else Delivery.SENT), None
    if message.status == OutboxStatus.FAILED:
        return Delivery.FAILED, message.failure_reason or "Teams refused the message"
    return Delivery.PENDING, None


async def messages_by_id(session: AsyncSession, ids: list[int]) -> dict[int, OutboxMessage]:
    if not ids:
        return {}
    rows = await session.exec(select(OutboxMessage).where(col(OutboxMessage.id).in_(ids)))
    return {row.id: row for row in rows.all() if row.id is not None}
