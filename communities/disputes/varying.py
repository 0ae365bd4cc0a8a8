"""A dispute upheld or varied changes the outcome: a new version, the earlier one kept, and the
ledger following, all in the caller's one transaction.

The outcome's current values are copied to :class:`~communities.disputes.outcome_history.OutcomeVersion`,
then the outcome gets its new decision, funding and rationale under its version check. The money:

- the outcome had an allocation and funding is still agreed: the allocation is changed to the new
  amount (:func:`communities.budget.service.change_allocation`; more is checked against what is
  available, and never below what finance has paid);
- the outcome had an allocation and no funding is now agreed: it is released;
- no allocation yet and funding is now agreed: a new allocation for the school, in the financial
  year the funding starts (or today's). An overspend is refused with the numbers unless a council
  officer approves it (the decision's reasons are the recorded reason).

The request follows the outcome (:func:`request_follows`): support agreed after all reopens a closed
request into delivery, with a review date; no support any more closes one in delivery.

A refusal from the budget raises :class:`~communities.budget.service.BudgetRefused`: the caller
rolls back, so nothing of the decision is kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel.ext.asyncio.session import AsyncSession

from communities.budget import service as budget
from communities.budget.years import FinancialYear
from communities.clock import Clock
from communities.db import update_if_unchanged
from communities.disputes.outcome_history import snapshot
from communities.disputes.tables import Dispute, Finding, Stage
from communities.meetings.tables import local
from communities.outcomes.decisions import OutcomeDecision
from communities.outcomes.tables import Outcome
from communities.requests.lifecycle import RequestAction, RequestStatus


class OutcomeMovedOn(Exception):
    """The outcome was changed by someone else while the decision was being made."""


@dataclass(frozen=True)
class NewOutcome:
    """What a dispute upheld or varied makes the outcome."""

    #: None keeps the decision it had.
    decision: OutcomeDecision | None
    #: Whole pence; 0: no funding; None keeps the funding it had.
    funding_pence: int | None
    rationale: str
    #: When support is agreed after all on a closed request: when it is reviewed (None keeps the
    #: outcome's review date).
    review_date: date | None = None


async def apply(
    session: AsyncSession,
    clock: Clock,
    dispute: Dispute,
    outcome: Outcome,
    finding: Finding,
    new: NewOutcome,
    *,
    actor_person_id: int,
    overspend_approved_by: int | None = None,
) -> None:
    assert outcome.id is not None and dispute.id is not None
    now = clock.now()
    because = f"Dispute {finding.label.lower()} at {Stage(dispute.stage).label.lower()}"
    session.add(
        snapshot(outcome, because=because, by_person_id=actor_person_id, dispute_id=dispute.id, at=now)
    )
    funding = outcome.funding_pence if new.funding_pence is None else (new.funding_pence or None)
    if not (new.decision or OutcomeDecision(outcome.decision)).may_fund:
        funding = None  # a decision that agrees no funding releases what was allocated
    values: dict[str, object] = {
        "funding_pence": funding,
        "rationale": new.rationale[:2000],
        "updated_at": now,
        "version": outcome.version + 1,
    }
    if new.decision is not None:
        values["decision"] = new.decision.value
    if new.review_date is not None:
        values["review_date"] = new.review_date
    if not await update_if_unchanged(session, Outcome, outcome.id, outcome.version, values):
        raise OutcomeMovedOn
    reason = f"{because}: {new.rationale}"[:500]
    allocation = await budget.allocation_of_outcome(session, outcome.id)
    if allocation is not None and allocation.id is not None:
        if funding:
            await budget.change_allocation(
                session,
                clock,
                allocation.id,
                funding,
                reason=reason,
                actor_person_id=actor_person_id,
                overspend_approved_by=overspend_approved_by,
            )
        else:
            await budget.release_allocation(
                session, clock, allocation.id, reason=reason, actor_person_id=actor_person_id
            )
    elif funding:
        year = FinancialYear.of(outcome.funding_from or local(now).date())
        await budget.allocate(
            session,
            clock,
            dispute.community_id,
            year,
            funding,
            school_id=dispute.school_id,
            outcome_id=outcome.id,
            actor_person_id=actor_person_id,
            reason=reason,
            overspend_approved_by=overspend_approved_by,
        )


def request_move(
    status: RequestStatus,
    decision: OutcomeDecision,
    new: NewOutcome,
    outcome_review: date | None,
    today: date,
) -> tuple[RequestAction, date | None] | None:
    """How the request follows its outcome's new decision: reopened into delivery (with the review
    date it needs), closed, or left where it is (None). ValueError when support is now agreed on a
    closed request and no review date after today is known."""
    if decision.in_delivery and status is RequestStatus.CLOSED:
        review = new.review_date or outcome_review
        if review is None or review <= today:
            raise ValueError("a review date is needed")
        return RequestAction.REOPEN, review
    if not decision.in_delivery and status in (RequestStatus.IN_DELIVERY, RequestStatus.REVIEW_DUE):
        return RequestAction.CLOSE, None
    return None
