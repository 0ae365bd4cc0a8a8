"""Retention for requests: their pupil-level answers, their outcome free text, abandoned drafts.

Each request is done in its caller's one transaction (:mod:`communities.retention.purge` commits
per request), so a purge that stops part-way leaves every request untouched or fully anonymised.
Every change re-checks that the request is still due (a rerun, or another runner, finds nothing).
What stays: the reference, school, status, type, main area of need, the support and amount asked for, the
outcome's decision, dates and money, and the ledger (never edited).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, update
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from communities.budget.overspend import OverspendRequest
from communities.disputes.outcome_history import OutcomeVersion
from communities.disputes.tables import Dispute, DisputeEvent
from communities.outcomes.tables import Outcome, OutcomeAction, OutcomeReview, SchoolReviewAnswer
from communities.requests.lifecycle import RequestStatus
from communities.requests.tables import Request
from communities.retention.policy import Kind, RetentionPolicy

#: A request in one of these is over: its clock starts at its last change.
ENDED = (RequestStatus.CLOSED, RequestStatus.WITHDRAWN)
#: The answers kept after the detail goes, none about a child: the type, the main area of need, the
#: kinds of support asked for (labels the published agenda shows too) and the amount asked for.
KEPT_ANSWERS = ("request_type", "primary_need", "support", "funding_pounds")

#: Called inside a record's transaction before it commits (tests inject a crash here).
Checkpoint = Callable[[Kind, object], None]


def _none(_kind: Kind, _record: object) -> None:
    return None


NO_CHECKPOINT: Checkpoint = _none


async def details_due(session: AsyncSession, policy: RetentionPolicy, now: datetime) -> list[int]:
    """Ended requests whose pupil-level answers are due to go."""
    return await _ids(session, _details_due(now - timedelta(days=policy.request_detail)))


async def outcome_text_due(session: AsyncSession, policy: RetentionPolicy, now: datetime) -> list[int]:
    """Ended requests whose remaining outcome, action and review free text is due to go."""
    return await _ids(session, _outcome_text_due(now - timedelta(days=policy.outcomes)))


async def drafts_due(session: AsyncSession, policy: RetentionPolicy, now: datetime) -> list[int]:
    """Draft requests nobody has changed for ``abandoned_draft`` days."""
    return await _ids(session, _draft_due(now - timedelta(days=policy.abandoned_draft)))


async def _still_due(session: AsyncSession, request_id: int, due: ColumnElement[bool]) -> Request | None:
    """The request, if it is still due (not done already, reopened or changed since it was listed)."""
    return (await session.exec(select(Request).where(Request.id == request_id, due))).first()


async def _ids(session: AsyncSession, due: ColumnElement[bool]) -> list[int]:
    found = await session.exec(select(Request.id).where(due).order_by(col(Request.id)))
    return [i for i in found.all() if i is not None]


async def remove_details(
    session: AsyncSession,
    request_id: int,
    policy: RetentionPolicy,
    now: datetime,
    checkpoint: Checkpoint = NO_CHECKPOINT,
) -> bool:
    """Clear one request's pupil-level answers and the pupil-level free text of its outcomes,
    reviews and disputes. False if it is no longer due (done already, reopened, changed)."""
    request = await _still_due(session, request_id, _details_due(now - timedelta(days=policy.request_detail)))
    if request is None:
        return False
    request.details = {k: v for k, v in request.details.items() if k in KEPT_ANSWERS}
    request.return_note = None
    request.detail_removed_at = now
    request.version += 1
    session.add(request)
    await session.flush()
    checkpoint(Kind.REQUEST_DETAIL, request_id)
    outcome_ids = await _outcome_ids(session, request_id)
    await session.exec(
        update(Outcome)
        .where(col(Outcome.request_id) == request_id)
        .values(what_is_working=None, ideas_and_offers=[])
    )
    await session.exec(
        update(OutcomeReview).where(col(OutcomeReview.request_id) == request_id).values(note=None)
    )
    await session.exec(
        update(SchoolReviewAnswer).where(col(SchoolReviewAnswer.request_id) == request_id).values(note=None)
    )
    dispute_ids = list((await session.exec(select(Dispute.id).where(Dispute.request_id == request_id))).all())
    await session.exec(update(Dispute).where(col(Dispute.request_id) == request_id).values(reasons=""))
    if dispute_ids:
        await session.exec(
            update(DisputeEvent).where(col(DisputeEvent.dispute_id).in_(dispute_ids)).values(reasons=None)
        )
    if outcome_ids:
        await session.exec(
            update(OutcomeVersion)
            .where(col(OutcomeVersion.outcome_id).in_(outcome_ids))
            .values(replaced_because="")
        )
    checkpoint(Kind.REQUEST_DETAIL, request_id)
    return True


async def remove_outcome_text(
    session: AsyncSession,
    request_id: int,
    policy: RetentionPolicy,
    now: datetime,
    checkpoint: Checkpoint = NO_CHECKPOINT,
) -> bool:
    """Clear the free text left on one request's outcomes (rationale, actions, earlier versions,
    overspend reasons); decisions, dates and money stay. False if it is no longer due."""
    request = await _still_due(session, request_id, _outcome_text_due(now - timedelta(days=policy.outcomes)))
    if request is None:
        return False
    request.outcome_text_removed_at = now
    session.add(request)
    outcome_ids = await _outcome_ids(session, request_id)
    await session.exec(update(Outcome).where(col(Outcome.request_id) == request_id).values(rationale=None))
    checkpoint(Kind.OUTCOMES, request_id)
    if outcome_ids:
        await session.exec(
            update(OutcomeAction).where(col(OutcomeAction.outcome_id).in_(outcome_ids)).values(description="")
        )
        await session.exec(
            update(OutcomeVersion)
            .where(col(OutcomeVersion.outcome_id).in_(outcome_ids))
            .values(rationale=None)
        )
    await session.exec(
        update(OverspendRequest).where(col(OverspendRequest.request_id) == request_id).values(reason="")
    )
    checkpoint(Kind.OUTCOMES, request_id)
    return True


async def delete_draft(
    session: AsyncSession,
    request_id: int,
    policy: RetentionPolicy,
    now: datetime,
    checkpoint: Checkpoint = NO_CHECKPOINT,
) -> bool:
    """Delete one abandoned draft. False if it is no longer one (submitted, or changed since)."""
    cutoff = now - timedelta(days=policy.abandoned_draft)
    result = await session.exec(delete(Request).where(col(Request.id) == request_id, _draft_due(cutoff)))
    checkpoint(Kind.REQUEST_DETAIL, request_id)
    return bool(result.rowcount)


def _details_due(cutoff: datetime) -> ColumnElement[bool]:
    return and_(
        col(Request.status).in_(ENDED),
        col(Request.detail_removed_at).is_(None),
        col(Request.updated_at) <= cutoff,
    )


def _outcome_text_due(cutoff: datetime) -> ColumnElement[bool]:
    return and_(
        col(Request.status).in_(ENDED),
        col(Request.outcome_text_removed_at).is_(None),
        col(Request.updated_at) <= cutoff,
    )


def _draft_due(cutoff: datetime) -> ColumnElement[bool]:
    return and_(col(Request.status) == RequestStatus.DRAFT, col(Request.updated_at) <= cutoff)


async def _outcome_ids(session: AsyncSession, request_id: int) -> list[int]:
    found = await session.exec(select(Outcome.id).where(Outcome.request_id == request_id))
    return [i for i in found.all() if i is not None]
