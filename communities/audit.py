"""The audit log: who did what, to what, and when. Rows are only ever added."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, NotRequired

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession
from typing_extensions import TypedDict, Unpack

from communities.clock import Clock
from communities.sqltypes import UtcDateTime


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False, index=True))
    actor_person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    action: str = Field(max_length=64)
    entity: str = Field(max_length=64)
    entity_id: str = Field(max_length=255)
    # Never pupil detail: ids, codes and statuses only.
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class Entry(TypedDict):
    """What an audit row says (its time is the clock's)."""

    actor_person_id: int | None
    action: str
    entity: str
    entity_id: str
    detail: NotRequired[dict[str, Any] | None]


def record(session: AsyncSession, clock: Clock, **entry: Unpack[Entry]) -> AuditEvent:
    """Add an audit row to the caller's transaction."""
    event = AuditEvent(
        at=clock.now(),
        actor_person_id=entry["actor_person_id"],
        action=entry["action"],
        entity=entry["entity"],
        entity_id=entry["entity_id"],
        detail=entry.get("detail") or {},
    )
    session.add(event)
    return event


class Read(StrEnum):
    """The audit's names for reads of pupil-level detail, in one place (who read what, and when).

    A read is recorded by the domain function that loads the detail for a view or an export, so
    that nothing can show it without the read being audited; the detail itself is never recorded.
    """

    #: A request card with its answers (the school's, the chair's or an officer's view, triage).
    REQUEST = "request_read"
    #: A request listed with its pupil reference (My requests, the chair's queue): one row per request.
    REQUEST_LISTED = "request_listed"
    #: One agenda item's outcome card (the outcome's free text and the request behind it).
    OUTCOME = "outcome_read"
    #: A meeting's outcomes (every item's outcome so far), for its chair or an officer.
    OUTCOMES = "outcomes_opened"
    #: A dispute of an outcome, with its reasons.
    DISPUTE = "dispute_read"
    #: A meeting's minutes written to a Word document (``cosbot minutes export``).
    MINUTES_EXPORT = "minutes_exported"
    #: Everything held about a member of staff, for their subject access request.
    SUBJECT_ACCESS_EXPORT = "subject_access_exported"


def record_read(
    session: AsyncSession,
    clock: Clock,
    read: Read,
    *,
    actor_person_id: int | None,
    entity: str,
    entity_id: str,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Audit a read of pupil-level detail (ids, codes and counts in ``detail``, never the detail)."""
    return record(
        session,
        clock,
        actor_person_id=actor_person_id,
        action=read.value,
        entity=entity,
        entity_id=entity_id,
        detail=detail,
    )


async def keep_only_refusal(session: AsyncSession, clock: Clock, **refusal: Unpack[Entry]) -> AuditEvent:
    """A refused action changes nothing but its refusal's audit row.

    Throws away everything the session holds that is not committed (flushed or not: a change
    made before the permission check, a draft built on the way), then commits only the audit
    row, so that the refusal is kept even though the caller rolls back. The session's objects
    are expired afterwards: read what the refusal message needs before calling this.
    """
    await session.rollback()
    event = record(session, clock, **refusal)
    await session.commit()
    return event
