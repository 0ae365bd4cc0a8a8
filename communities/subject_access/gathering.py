"""Everything held about one member of staff, for their subject access request.

Every row of every table that names them (a column pointing at their person row: memberships,
declarations, confirmations, code-of-conduct acceptances, the requests they raised, RSVPs,
attendance, reach rows, their personal chat...), and besides: the requests they triaged (the audit
says they accepted or returned them), the disputes they handled, the audit events by or about them,
and the messages the bot sent them. Pupil-level detail (:mod:`.pupil_fields`) is left out unless
the policy includes it: the child is a different data subject.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import Table, or_
from sqlalchemy import select as select_rows
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

import communities.tables  # noqa: F401  (registers every table, so that every one is looked at)
from communities import audit
from communities.audit import AuditEvent
from communities.clock import Clock
from communities.declarations.tables import InterestDeclaration
from communities.disputes.tables import DisputeEvent
from communities.messaging.teams_links import PersonalChat
from communities.permissions import TRIAGE_ACTIONS
from communities.roster.tables import Person
from communities.subject_access import words
from communities.subject_access.pupil_fields import withheld

#: The tables gathered on their own terms (not only by the columns that name the person).
_OWN_TERMS = frozenset({"person", "audit_event"})


class UnknownPerson(Exception):
    """No one in the roster has that email: nothing is exported."""


@dataclass(frozen=True)
class PersonExport:
    person_id: int
    email: str
    display_name: str
    generated_at: datetime
    include_pupil_detail: bool
    #: What is held, by kind (one JSON file each): plain JSON rows.
    kinds: Mapping[str, list[dict[str, Any]]]

    @property
    def rows(self) -> int:
        return sum(len(rows) for rows in self.kinds.values())


def normalised_email(text: str) -> str:
    """The email as the roster keeps it (lower case); refused when it is not an email address."""
    email = text.strip().lower()
    name, at, domain = email.partition("@")
    if not at or not name or "." not in domain or any(c.isspace() for c in email):
        raise UnknownPerson(words.not_an_email(text))
    return email


async def gather(
    session: AsyncSession, clock: Clock, email: str, *, include_pupil_detail: bool
) -> PersonExport:
    """Everything held about the person with ``email`` (refused, nothing read, when unknown)."""
    address = normalised_email(email)
    person = (await session.exec(select(Person).where(col(Person.email) == address))).first()
    if person is None or person.id is None:
        raise UnknownPerson(words.unknown_person(address))
    pid = person.id
    kinds: dict[str, list[dict[str, Any]]] = {"person": [_plain(person.model_dump())]}
    for table in SQLModel.metadata.sorted_tables:
        columns = [c for c in table.columns if any(fk.column.table.name == "person" for fk in c.foreign_keys)]
        if columns and table.name not in _OWN_TERMS:
            query = select_rows(table).where(or_(*(c == pid for c in columns)))
            rows = await _rows(session, table, query)
            if rows:
                kinds[words.KIND_NAMES.get(table.name, table.name)] = rows
    kinds["requests_triaged"] = await _triaged(session, pid)
    kinds["disputes_handled"] = await _disputes_handled(session, pid)
    kinds["audit_events"] = await _audit_events(session, pid)
    kinds["messages_sent_to_them"] = await _messages(session, pid)
    shown = {
        kind: [row if include_pupil_detail else withheld(words.table_of(kind), row) for row in rows]
        for kind, rows in kinds.items()
        if rows
    }
    return PersonExport(pid, person.email, person.display_name, clock.now(), include_pupil_detail, shown)


def record_export(session: AsyncSession, clock: Clock, export: PersonExport) -> None:
    """Audit the export (the caller commits): about the person, with counts only."""
    audit.record_read(
        session,
        clock,
        audit.Read.SUBJECT_ACCESS_EXPORT,
        actor_person_id=None,  # the command line: whoever runs it on the server
        entity="person",
        entity_id=str(export.person_id),
        detail={"rows": export.rows, "include_pupil_detail": export.include_pupil_detail},
    )


# ---- inside --------------------------------------------------------------------------------


async def _rows(session: AsyncSession, table: Table, query: Any) -> list[dict[str, Any]]:
    ordered = query.order_by(*table.primary_key.columns)
    return [_plain(dict(row)) for row in (await session.execute(ordered)).mappings().all()]


async def _triaged(session: AsyncSession, pid: int) -> list[dict[str, Any]]:
    """The requests the audit says they accepted or returned for information."""
    actions = [f"request_{action.value}" for action in TRIAGE_ACTIONS]
    refs = (
        await session.exec(
            select(AuditEvent.entity_id).where(
                AuditEvent.actor_person_id == pid,
                AuditEvent.entity == "request",
                col(AuditEvent.action).in_(actions),
            )
        )
    ).all()
    table = _table("request")
    return await _rows(session, table, select_rows(table).where(table.c.ref.in_(set(refs))))


async def _disputes_handled(session: AsyncSession, pid: int) -> list[dict[str, Any]]:
    handled = select(DisputeEvent.dispute_id).where(DisputeEvent.by_person_id == pid)
    table = _table("dispute")
    return await _rows(session, table, select_rows(table).where(table.c.id.in_(handled)))


async def _audit_events(session: AsyncSession, pid: int) -> list[dict[str, Any]]:
    """By them, or about them (their person row, their declarations)."""
    declarations = select(InterestDeclaration.id).where(InterestDeclaration.person_id == pid)
    declared = [str(i) for i in (await session.exec(declarations)).all()]
    table = _table("audit_event")
    query = select_rows(table).where(
        or_(
            table.c.actor_person_id == pid,
            (table.c.entity == "person") & (table.c.entity_id == str(pid)),
            (table.c.entity == "interest_declaration") & table.c.entity_id.in_(declared),
        )
    )
    return await _rows(session, table, query)


async def _messages(session: AsyncSession, pid: int) -> list[dict[str, Any]]:
    """The messages the bot sent (or is sending) to their personal chat."""
    chats = (await session.exec(select(PersonalChat.reference).where(PersonalChat.person_id == pid))).all()
    conversations = {str((ref.get("conversation") or {}).get("id") or "") for ref in chats} - {""}
    table = _table("outbox_message")
    query = select_rows(table).where(table.c.conversation_key.in_(conversations))
    return await _rows(session, table, query)


def _table(name: str) -> Table:
    return SQLModel.metadata.tables[name]


def _plain(row: Mapping[str, Any]) -> dict[str, Any]:
    return {name: _value(value) for name, value in row.items()}


def _value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, bytes):
        return value.hex()
    return value
