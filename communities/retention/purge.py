"""The purge: what the retention policy says should go now (the plan), and doing it.

``plan`` only reads. ``purge`` does each request in its own short transaction, and the other
records in small batches, each all or nothing: a purge stopped part-way (a crash, a restart)
leaves every record untouched or fully anonymised, and a rerun finishes the job. Each run is
audited with its counts by kind, never a reference or a pupil-level word.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from communities import audit
from communities.clock import Clock
from communities.db import Database
from communities.retention import records
from communities.retention import requests as request_records
from communities.retention.policy import Kind, RetentionPolicy
from communities.retention.requests import NO_CHECKPOINT, Checkpoint

log = logging.getLogger(__name__)

#: How many non-request records one transaction changes.
BATCH = 200

Finder = Callable[[AsyncSession, RetentionPolicy, datetime], Awaitable[Sequence[Any]]]
OneRecord = Callable[[AsyncSession, Any, RetentionPolicy, datetime, Checkpoint], Awaitable[bool]]
Batch = Callable[[AsyncSession, Sequence[Any], RetentionPolicy, datetime], Awaitable[int]]


@dataclass(frozen=True)
class Step:
    """One thing the purge does to one kind of record ("requests anonymised")."""

    kind: Kind
    what: str
    find: Finder
    one: OneRecord | None = None
    batch: Batch | None = None


R, D = request_records, records
STEPS: tuple[Step, ...] = (
    Step(Kind.REQUEST_DETAIL, "requests anonymised", R.details_due, R.remove_details),
    Step(Kind.REQUEST_DETAIL, "abandoned drafts deleted", R.drafts_due, R.delete_draft),
    Step(Kind.OUTCOMES, "requests' outcome text cleared", R.outcome_text_due, R.remove_outcome_text),
    Step(Kind.DECLARATIONS, "declarations deleted", D.declarations_due, batch=D.delete_declarations),
    Step(Kind.DECLARATIONS, "confirmations deleted", D.confirmations_due, batch=D.delete_confirmations),
    Step(Kind.AUDIT, "audit events deleted", D.audit_due, batch=D.delete_audit),
    Step(Kind.OUTBOX, "message bodies cleared", D.outbox_due, batch=D.clear_outbox),
    Step(Kind.BOT_STATE, "dialog states deleted", D.bot_state_due, batch=D.delete_bot_state),
    Step(
        Kind.CONVERSATION_REFS,
        "personal chats deleted",
        D.personal_chats_due,
        batch=D.delete_personal_chats,
    ),
    Step(Kind.CONVERSATION_REFS, "removed teams' references cleared", D.teams_due, batch=D.forget_teams),
)


@dataclass(frozen=True)
class Line:
    kind: Kind
    what: str
    count: int


@dataclass
class Report:
    """What a plan found, or what a purge did, step by step."""

    as_of: datetime
    lines: list[Line] = field(default_factory=list)
    #: False when the purge stopped part-way (what it did is in ``lines``).
    finished: bool = True

    @property
    def total(self) -> int:
        return sum(line.count for line in self.lines)

    def by_kind(self) -> dict[str, int]:
        counts = {kind.value: 0 for kind in Kind}
        for line in self.lines:
            counts[line.kind.value] += line.count
        return counts


async def plan(database: Database, policy: RetentionPolicy, as_of: datetime) -> Report:
    """What a purge at ``as_of`` would do, by kind and count; changes nothing."""
    report = Report(as_of)
    async with database.session() as session:
        for step in STEPS:
            report.lines.append(Line(step.kind, step.what, len(await step.find(session, policy, as_of))))
    return report


async def purge(
    database: Database,
    clock: Clock,
    policy: RetentionPolicy,
    *,
    by: str,
    as_of: datetime | None = None,
    checkpoint: Checkpoint = NO_CHECKPOINT,
) -> Report:
    """Apply the policy at ``as_of`` (default: now), record by record; audit the counts (``by``:
    who ran it, "scheduler" or "command line"). An error stops it; what was done stays done, and is
    audited as unfinished."""
    report = Report(as_of or clock.now())
    try:
        for step in STEPS:
            async with database.session() as session:
                due = list(await step.find(session, policy, report.as_of))
            report.lines.append(Line(step.kind, step.what, 0))
            await _apply(database, step, due, policy, report, checkpoint)
    except BaseException:
        report.finished = False
        try:  # what it did is audited, unless the database is what failed
            await _audit(database, clock, report, by)
        except Exception:
            log.exception("retention purge: the unfinished run could not be audited")
        raise
    await _audit(database, clock, report, by)
    return report


async def _apply(
    database: Database,
    step: Step,
    due: list[Any],
    policy: RetentionPolicy,
    report: Report,
    checkpoint: Checkpoint,
) -> None:
    """Do ``step`` to ``due``, one transaction per record (or batch); the report's last line counts
    what is committed, so a purge that stops part-way reports what it did."""

    def count(changed: int) -> None:
        line = report.lines[-1]
        report.lines[-1] = Line(line.kind, line.what, line.count + changed)

    if step.one is not None:
        for record_id in due:
            async with database.session() as session:
                if await step.one(session, record_id, policy, report.as_of, checkpoint):
                    await session.commit()
                    count(1)
        return
    assert step.batch is not None
    for start in range(0, len(due), BATCH):
        chunk = due[start : start + BATCH]
        async with database.session() as session:
            changed = await step.batch(session, chunk, policy, report.as_of)
            checkpoint(step.kind, chunk[-1])
            await session.commit()
            count(changed)


async def _audit(database: Database, clock: Clock, report: Report, by: str) -> None:
    async with database.session() as session:
        audit.record(
            session,
            clock,
            actor_person_id=None,
            action="retention_purge",
            entity="retention",
            entity_id=report.as_of.date().isoformat(),
            detail={"by": by, "finished": report.finished, "counts": report.by_kind()},
        )
        await session.commit()
