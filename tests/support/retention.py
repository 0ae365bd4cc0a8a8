"""Retention in tests: Westgate Meadow's three requests decided at the 10 December 2026 meeting and
closed, with the free text a purge must clear (a dispute, a review note, the outcomes' words)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import col, select

from communities.budget.tables import LedgerEntry
from communities.clock import FixedClock
from communities.db import Database
from communities.disputes.tables import Dispute, DisputeEvent
from communities.outcomes.decisions import ReviewResult
from communities.outcomes.reviews import record_review
from communities.outcomes.tables import Outcome, OutcomeReview
from communities.requests.tables import Request
from tests.support.disputes import acknowledge, confirmed_outcomes, decide, raise_one
from tests.support.outcomes import as_person
from tests.support.people import DANIEL, GRACE

DISPUTE_REASONS = "The allocation is lower than for similar needs elsewhere in the community."


@dataclass(frozen=True)
class Closed:
    #: Funding agreed (£1,500), reviewed and closed on 10 April 2027; not agreed (disputed) and
    #: advice only, both closed when confirmed on 11 December 2026.
    request_ids: list[int]
    outcome_ids: list[int]
    #: When the last of them closed.
    last_closed: datetime


async def closed_requests(db: Database, clock: FixedClock) -> Closed:
    """Three closed requests; the clock is on the day the last closed (10 April 2027)."""
    confirmed = await confirmed_outcomes(db, clock, 3)
    async with db.session() as session:
        outcomes = [await session.get(Outcome, i) for i in confirmed.outcome_ids]
    request_ids = [o.request_id for o in outcomes if o is not None]
    dispute = await raise_one(db, clock, DANIEL, confirmed.outcome_ids[1], reasons=DISPUTE_REASONS)
    assert dispute.id is not None
    await acknowledge(db, clock, GRACE, dispute.id)
    await decide(db, clock, GRACE, dispute.id, "not_upheld", "The allocation follows the published criteria.")
    clock.advance(days=120)
    await as_person(
        db,
        GRACE,
        lambda s, a: record_review(s, clock, a, request_ids[0], ReviewResult.ACHIEVED, "Settled afternoons."),
    )
    return Closed(request_ids, confirmed.outcome_ids, clock.now())


async def request_row(db: Database, request_id: int) -> Request:
    async with db.session() as session:
        request = await session.get(Request, request_id)
    assert request is not None
    return request


async def free_text_of(db: Database, request_id: int) -> dict[str, Any]:
    """Every pupil-level answer and free text a request and its outcome, review and dispute hold."""
    async with db.session() as session:
        request = await session.get(Request, request_id)
        assert request is not None
        outcome = (await session.exec(select(Outcome).where(Outcome.request_id == request_id))).one()
        query = select(OutcomeReview.note).where(OutcomeReview.request_id == request_id)
        reviews = (await session.exec(query)).all()
        disputes = (await session.exec(select(Dispute).where(Dispute.request_id == request_id))).all()
        events = (
            await session.exec(
                select(DisputeEvent.reasons).where(col(DisputeEvent.dispute_id).in_([d.id for d in disputes]))
            )
        ).all()
    return {
        "details": request.details,
        "return_note": request.return_note,
        "what_is_working": outcome.what_is_working,
        "ideas_and_offers": outcome.ideas_and_offers,
        "reviews": [n for n in reviews if n],
        "dispute": [d.reasons for d in disputes if d.reasons],
        "dispute_events": [r for r in events if r],
    }


async def ledger_of(db: Database) -> list[tuple[str, int]]:
    async with db.session() as session:
        rows = (await session.exec(select(LedgerEntry).order_by(col(LedgerEntry.id)))).all()
    return [(str(r.kind), r.amount_pence) for r in rows]
