"""What the meetings decided over a period: one row per decided request, and per community the
counts by decision and the funding agreed (the same numbers: the summary is built from the rows).

Only confirmed outcomes count, by the London date of their meeting. The rows carry references,
schools by URN, decisions and money: never pupil detail, nor any free text.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from communities.meetings.tables import LONDON, Meeting, local
from communities.outcomes.decisions import OutcomeDecision
from communities.outcomes.tables import Outcome, OutcomeStatus
from communities.requests.tables import Request
from communities.roster.tables import Community, School

#: The CSV's columns, in order.
COLUMNS = (
    "reference",
    "community_code",
    "school_urn",
    "meeting_date",
    "decision",
    "funding_agreed_pence",
    "review_date",
    "status",
)


@dataclass(frozen=True)
class DecidedRow:
    reference: str
    community_code: str
    school_urn: str
    meeting_date: date
    decision: OutcomeDecision
    funding_agreed_pence: int | None
    review_date: date | None
    #: Where the request is now.
    status: str

    def as_csv(self) -> list[str]:
        return [
            self.reference,
            self.community_code,
            self.school_urn,
            self.meeting_date.isoformat(),
            self.decision.value,
            "" if self.funding_agreed_pence is None else str(self.funding_agreed_pence),
            self.review_date.isoformat() if self.review_date else "",
            self.status,
        ]


@dataclass(frozen=True)
class CommunityOutcomes:
    code: str
    name: str
    #: (decision, how many), in the decisions' order, only those that happened.
    by_decision: tuple[tuple[OutcomeDecision, int], ...]
    funding_pence: int

    @property
    def decided(self) -> int:
        return sum(count for _, count in self.by_decision)


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=LONDON).astimezone(UTC)


async def decided_rows(
    session: AsyncSession, start: date, end: date, community_id: int | None = None
) -> list[DecidedRow]:
    """Confirmed outcomes of meetings from ``start`` to ``end`` (London dates, both included)."""
    if end < start:
        raise ValueError("the period ends before it starts")
    query = (
        select(Outcome, Meeting, Request)
        .join(Meeting, col(Meeting.id) == col(Outcome.meeting_id))
        .join(Request, col(Request.id) == col(Outcome.request_id))
        .where(
            Outcome.status == OutcomeStatus.CONFIRMED,
            col(Meeting.starts_at) >= _start_of(start),
            col(Meeting.starts_at) < _start_of(end + timedelta(days=1)),
        )
        .order_by(col(Meeting.starts_at), col(Request.ref))
    )
    if community_id is not None:
        query = query.where(Request.community_id == community_id)
    found = (await session.exec(query)).all()
    codes = dict((await session.exec(select(Community.id, Community.code))).all())
    school_ids = {r.school_id for _, _, r in found}
    urns = dict(
        (await session.exec(select(School.id, School.urn).where(col(School.id).in_(school_ids)))).all()
    )
    return [
        DecidedRow(
            reference=request.ref,
            community_code=codes.get(request.community_id, "?"),
            school_urn=urns.get(request.school_id, "?"),
            meeting_date=local(meeting.starts_at).date(),
            decision=OutcomeDecision(outcome.decision),
            funding_agreed_pence=outcome.funding_pence,
            review_date=outcome.review_date,
            status=str(request.status),
        )
        for outcome, meeting, request in found
    ]


def summarise(rows: list[DecidedRow], names: dict[str, str]) -> list[CommunityOutcomes]:
    """Per community (by code), the counts by decision and the funding agreed."""
    found = []
    for code in sorted({row.community_code for row in rows}):
        mine = [row for row in rows if row.community_code == code]
        counts = Counter(row.decision for row in mine)
        found.append(
            CommunityOutcomes(
                code=code,
                name=names.get(code, code),
                by_decision=tuple((d, counts[d]) for d in OutcomeDecision if counts[d]),
                funding_pence=sum(row.funding_agreed_pence or 0 for row in mine),
            )
        )
    return found


async def community_names(session: AsyncSession) -> dict[str, str]:
    return dict((await session.exec(select(Community.code, Community.name))).all())
