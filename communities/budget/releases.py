"""Money an outcome committed, released when its request ends early: withdrawn by the school, or
closed by a review before the funding period ran out. What finance has paid stays spent; what is
unpaid is available again. Released in the caller's transaction (it commits), once: a second
release of the same allocation writes nothing.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from communities.budget.service import Written, allocation_of_outcome, release_allocation
from communities.clock import Clock
from communities.outcomes.tables import Outcome, OutcomeStatus


async def release_for_request(
    session: AsyncSession,
    clock: Clock,
    request_id: int,
    *,
    reason: str,
    actor_person_id: int | None,
    unless_ended_by: date | None = None,
) -> list[Written]:
    """Release what the request's confirmed outcomes still promise and is unpaid.

    ``unless_ended_by``: a review's day; an outcome whose funding period has ended by then is left
    as it is (finance may still pay what was due)."""
    rows = await session.exec(
        select(Outcome).where(
            Outcome.request_id == request_id,
            Outcome.status == OutcomeStatus.CONFIRMED,
            col(Outcome.funding_pence).is_not(None),
        )
    )
    released: list[Written] = []
    for outcome in rows.all():
        assert outcome.id is not None
        if (
            unless_ended_by is not None
            and outcome.funding_to is not None
            and outcome.funding_to <= unless_ended_by
        ):
            continue
        allocation = await allocation_of_outcome(session, outcome.id)
        if allocation is None or allocation.id is None:
            continue
        written = await release_allocation(
            session, clock, allocation.id, reason=reason, actor_person_id=actor_person_id
        )
        if written.entry is not None:
            released.append(written)
    return released
