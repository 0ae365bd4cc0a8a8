"""An outcome's earlier versions: when a dispute varies or upholds it, what it was is kept here.

The outcome row always holds its current values; :class:`OutcomeVersion` rows hold the values it
had before each change, with the change's reason, who made it and when, and the dispute it came
from. :func:`outcome_history` reads them, oldest first.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, String
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from communities.outcomes.decisions import OutcomeDecision
from communities.outcomes.tables import Outcome
from communities.sqltypes import UtcDateTime


class OutcomeVersion(SQLModel, table=True):
    __tablename__ = "outcome_version"

    id: int | None = Field(default=None, primary_key=True)
    outcome_id: int = Field(foreign_key="outcome.id", index=True)
    #: The outcome's ``version`` these values had.
    version: int
    decision: OutcomeDecision = Field(sa_type=String(40))
    funding_pence: int | None = None
    funding_from: date | None = None
    funding_to: date | None = None
    rationale: str | None = Field(default=None, max_length=2000)
    review_date: date | None = None
    #: Why it was replaced ("Dispute upheld at stage 3: ...").
    replaced_because: str = Field(max_length=500)
    replaced_by_person_id: int | None = Field(default=None, foreign_key="person.id")
    dispute_id: int | None = Field(default=None, foreign_key="dispute.id")
    replaced_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


def snapshot(
    outcome: Outcome, *, because: str, by_person_id: int | None, dispute_id: int | None, at: datetime
) -> OutcomeVersion:
    """The outcome's values as they are now, to keep before they change."""
    assert outcome.id is not None
    return OutcomeVersion(
        outcome_id=outcome.id,
        version=outcome.version,
        decision=OutcomeDecision(outcome.decision),
        funding_pence=outcome.funding_pence,
        funding_from=outcome.funding_from,
        funding_to=outcome.funding_to,
        rationale=outcome.rationale,
        review_date=outcome.review_date,
        replaced_because=because[:500],
        replaced_by_person_id=by_person_id,
        dispute_id=dispute_id,
        replaced_at=at,
    )


async def outcome_history(session: AsyncSession, outcome_id: int) -> list[OutcomeVersion]:
    """The outcome's earlier versions, oldest first."""
    query = select(OutcomeVersion).where(OutcomeVersion.outcome_id == outcome_id)
    return list((await session.exec(query.order_by(col(OutcomeVersion.id)))).all())
