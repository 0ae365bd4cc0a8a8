"""Retention for the records that are not requests: declarations, audit, outbox bodies, bot state
and conversation references.

Each finder lists the ids due; each applier does a batch of them in its caller's one transaction,
re-checking in its ``WHERE`` that each is still due (a rerun, or another runner, changes nothing).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import String, and_, cast, column, delete, func, or_, table, update
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from communities.academic_year import academic_year_of
from communities.audit import AuditEvent
from communities.declarations.tables import DeclarationConfirmation, InterestDeclaration
from communities.messaging.outbox import OutboxMessage, OutboxStatus
from communities.messaging.teams_links import ChannelLink, PersonalChat, TeamInstallation
from communities.retention.policy import RetentionPolicy
from communities.roster.tables import Membership, Person
from communities.sqltypes import UtcDateTime

#: The bot's dialog and user state (``bot.teams.state_storage``), named here without importing the edge.
BOT_STATE = table("bot_state", column("key", String), column("updated_at", UtcDateTime()))
_EMPTY = "{}"


def _cutoff(now: datetime, days: int) -> datetime:
    return now - timedelta(days=days)


# ---- declarations -------------------------------------------------------------------------------


async def declarations_due(session: AsyncSession, policy: RetentionPolicy, now: datetime) -> list[int]:
    cutoff = _cutoff(now, policy.declarations)
    found = await session.exec(
        select(InterestDeclaration.id)
        .where(col(InterestDeclaration.ended_at) <= cutoff)
        .order_by(col(InterestDeclaration.id))
    )
    return [i for i in found.all() if i is not None]


async def delete_declarations(
    session: AsyncSession, ids: Sequence[int], policy: RetentionPolicy, now: datetime
) -> int:
    cutoff = _cutoff(now, policy.declarations)
    await session.exec(
        update(InterestDeclaration)
        .where(col(InterestDeclaration.previous_id).in_(ids))
        .values(previous_id=None)
    )
    result = await session.exec(
        delete(InterestDeclaration).where(
            col(InterestDeclaration.id).in_(ids), col(InterestDeclaration.ended_at) <= cutoff
        )
    )
    return int(result.rowcount)


def _confirmation_due(now: datetime, policy: RetentionPolicy) -> ColumnElement[bool]:
    cutoff = _cutoff(now, policy.declarations)
    # A confirmation not superseded ends with its academic year (the next year's start).
    last_ended_year = academic_year_of(cutoff) - 1
    return or_(
        col(DeclarationConfirmation.superseded_at) <= cutoff,
        col(DeclarationConfirmation.academic_year) <= last_ended_year,
    )


async def confirmations_due(session: AsyncSession, policy: RetentionPolicy, now: datetime) -> list[int]:
    found = await session.exec(
        select(DeclarationConfirmation.id)
        .where(_confirmation_due(now, policy))
        .order_by(col(DeclarationConfirmation.id))
    )
    return [i for i in found.all() if i is not None]


async def delete_confirmations(
    session: AsyncSession, ids: Sequence[int], policy: RetentionPolicy, now: datetime
) -> int:
    result = await session.exec(
        delete(DeclarationConfirmation).where(
            col(DeclarationConfirmation.id).in_(ids), _confirmation_due(now, policy)
        )
    )
    return int(result.rowcount)


# ---- audit --------------------------------------------------------------------------------------


async def audit_due(session: AsyncSession, policy: RetentionPolicy, now: datetime) -> list[int]:
    cutoff = _cutoff(now, policy.audit)
    found = await session.exec(
        select(AuditEvent.id).where(col(AuditEvent.at) <= cutoff).order_by(col(AuditEvent.id))
    )
    return [i for i in found.all() if i is not None]


async def delete_audit(
    session: AsyncSession, ids: Sequence[int], policy: RetentionPolicy, now: datetime
) -> int:
    cutoff = _cutoff(now, policy.audit)
    result = await session.exec(
        delete(AuditEvent).where(col(AuditEvent.id).in_(ids), col(AuditEvent.at) <= cutoff)
    )
    return int(result.rowcount)


# ---- outbox -------------------------------------------------------------------------------------


def _outbox_due(now: datetime, policy: RetentionPolicy) -> ColumnElement[bool]:
    cutoff = _cutoff(now, policy.outbox)
    # Sent: since it was sent; given up: since its last attempt was due.
    ended = func.coalesce(col(OutboxMessage.sent_at), col(OutboxMessage.next_attempt_at))
    return and_(
        col(OutboxMessage.status).in_((OutboxStatus.SENT, OutboxStatus.FAILED)),
        ended <= cutoff,
        cast(col(OutboxMessage.payload), String) != _EMPTY,
    )


async def outbox_due(session: AsyncSession, policy: RetentionPolicy, now: datetime) -> list[int]:
    found = await session.exec(
        select(OutboxMessage.id).where(_outbox_due(now, policy)).order_by(col(OutboxMessage.id))
    )
    return [i for i in found.all() if i is not None]


async def clear_outbox(
    session: AsyncSession, ids: Sequence[int], policy: RetentionPolicy, now: datetime
) -> int:
    result = await session.exec(
        update(OutboxMessage)
        .where(col(OutboxMessage.id).in_(ids), _outbox_due(now, policy))
        .values(payload={})
    )
    return int(result.rowcount)


# ---- bot state ----------------------------------------------------------------------------------


async def bot_state_due(session: AsyncSession, policy: RetentionPolicy, now: datetime) -> list[str]:
    cutoff = _cutoff(now, policy.bot_state)
    found = await session.exec(
        select(BOT_STATE.c.key).where(BOT_STATE.c.updated_at <= cutoff).order_by(BOT_STATE.c.key)
    )
    return [str(k) for k in found.all()]


async def delete_bot_state(
    session: AsyncSession, keys: Sequence[str], policy: RetentionPolicy, now: datetime
) -> int:
    cutoff = _cutoff(now, policy.bot_state)
    result = await session.exec(
        delete(BOT_STATE).where(BOT_STATE.c.key.in_(keys), BOT_STATE.c.updated_at <= cutoff)
    )
    return int(result.rowcount)


# ---- conversation references --------------------------------------------------------------------


async def personal_chats_due(session: AsyncSession, policy: RetentionPolicy, now: datetime) -> list[int]:
    """Chats of people not on the roster (left it, or never on it) for ``conversation_refs`` days:
    since the chat was last seen and the person's memberships last changed."""
    cutoff = _cutoff(now, policy.conversation_refs)
    left = select(Person.id).where(col(Person.active).is_(False))
    recent = select(Membership.person_id).where(col(Membership.updated_at) > cutoff)
    found = await session.exec(
        select(PersonalChat.id)
        .where(
            col(PersonalChat.updated_at) <= cutoff,
            or_(col(PersonalChat.person_id).is_(None), col(PersonalChat.person_id).in_(left)),
            or_(col(PersonalChat.person_id).is_(None), col(PersonalChat.person_id).not_in(recent)),
        )
        .order_by(col(PersonalChat.id))
    )
    return [i for i in found.all() if i is not None]


async def delete_personal_chats(
    session: AsyncSession, ids: Sequence[int], policy: RetentionPolicy, now: datetime
) -> int:
    due = set(await personal_chats_due(session, policy, now)) & set(ids)
    if not due:
        return 0
    result = await session.exec(delete(PersonalChat).where(col(PersonalChat.id).in_(due)))
    return int(result.rowcount)


def _team_gone(now: datetime, policy: RetentionPolicy) -> ColumnElement[bool]:
    cutoff = _cutoff(now, policy.conversation_refs)
    return and_(col(TeamInstallation.installed).is_(False), col(TeamInstallation.removed_at) <= cutoff)


async def teams_due(session: AsyncSession, policy: RetentionPolicy, now: datetime) -> list[int]:
    """Teams the app was removed from ``conversation_refs`` days ago that still hold a reference
    (their General channel's, or a community channel's)."""
    linked = select(ChannelLink.team_id)
    found = await session.exec(
        select(TeamInstallation.id)
        .where(
            _team_gone(now, policy),
            or_(
                cast(col(TeamInstallation.general_reference), String) != _EMPTY,
                col(TeamInstallation.team_id).in_(linked),
            ),
        )
        .order_by(col(TeamInstallation.id))
    )
    return [i for i in found.all() if i is not None]


async def forget_teams(
    session: AsyncSession, ids: Sequence[int], policy: RetentionPolicy, now: datetime
) -> int:
    """Delete the teams' channel links and clear their General channel's reference (the row of the
    install stays: when, and that it was removed)."""
    teams = (
        await session.exec(
            select(TeamInstallation).where(col(TeamInstallation.id).in_(ids), _team_gone(now, policy))
        )
    ).all()
    for team in teams:
        await session.exec(delete(ChannelLink).where(col(ChannelLink.team_id) == team.team_id))
        team.general_reference = {}
        session.add(team)
    return len(teams)
