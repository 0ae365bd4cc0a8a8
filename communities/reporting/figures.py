"""What the report counts, read from the database per community: categories and dates only.

Requests are those submitted in the period (London dates); decisions are the confirmed outcomes of
meetings in the period (:func:`communities.outcomes.summary.decided_rows`, the same rows as
``cosbot report outcomes``); what is overdue is counted on the day the report is made. Of a
request's answers only the main area of need's category is read, never any text.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from communities.disputes.tables import Dispute, DisputeStatus
from communities.meetings.tables import LONDON, local
from communities.outcomes.summary import decided_rows
from communities.outcomes.tables import ActionStatus, Outcome, OutcomeAction, OutcomeStatus
from communities.reporting.words import (
    DECISION_GROUPS,
    NEED_GROUPS,
    NOT_RECORDED,
    OVERDUE_GROUPS,
    STATUS_GROUPS,
)
from communities.requests.form import NEED_AREAS
from communities.requests.lifecycle import RequestStatus
from communities.requests.tables import Request
from communities.roster.tables import Area, Community


@dataclass(frozen=True)
class Place:
    code: str
    name: str
    area: str
    active: bool


@dataclass(frozen=True)
class Figures:
    """Per community code: a count per column of each table, and the days each decision took."""

    places: tuple[Place, ...]
    by_status: dict[str, list[int]]
    by_need: dict[str, list[int]]
    by_decision: dict[str, list[int]]
    overdue: dict[str, list[int]]
    days_to_decision: dict[str, list[int]]


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=LONDON).astimezone(UTC)


def need_of(need: object) -> str:
    """The main area of need's key, or "not recorded" for anything that is not one of them."""
    return need if isinstance(need, str) and need in NEED_AREAS else NOT_RECORDED[0]


async def places(session: AsyncSession) -> tuple[Place, ...]:
    found = await session.exec(
        select(Community, Area)
        .join(Area, col(Area.id) == col(Community.area_id))
        .order_by(col(Area.name), col(Community.code))
    )
    return tuple(Place(c.code, c.name, a.name, c.active) for c, a in found.all())


async def read_figures(session: AsyncSession, start: date, end: date, today: date) -> Figures:
    if end < start:
        raise ValueError("the period ends before it starts")
    known = await places(session)
    codes = dict((await session.exec(select(Community.id, Community.code))).all())

    def table(width: int) -> dict[str, list[int]]:
        return defaultdict(lambda: [0] * width)

    by_status, by_need = table(len(STATUS_GROUPS)), table(len(NEED_GROUPS))
    need_keys = [key for key, _ in NEED_GROUPS]
    submitted = await session.exec(
        # Only the category is read out of the answers (the database picks it out of the JSON).
        select(Request.community_id, Request.status, col(Request.details)["primary_need"].as_string()).where(
            Request.status != RequestStatus.DRAFT,
            col(Request.submitted_at) >= _start_of(start),
            col(Request.submitted_at) < _start_of(end + timedelta(days=1)),
        )
    )
    for community_id, status, need in submitted.all():
        code = codes[community_id]
        for n, (_, _, statuses) in enumerate(STATUS_GROUPS):
            if RequestStatus(status) in statuses:
                by_status[code][n] += 1
        by_need[code][need_keys.index(need_of(need))] += 1

    by_decision, days = table(len(DECISION_GROUPS)), defaultdict(list)
    rows = await decided_rows(session, start, end)
    refs = {row.reference for row in rows}
    submitted_at = dict(
        (
            await session.exec(select(Request.ref, Request.submitted_at).where(col(Request.ref).in_(refs)))
        ).all()
    )
    for row in rows:
        for n, (_, _, decisions) in enumerate(DECISION_GROUPS):
            if row.decision in decisions:
                by_decision[row.community_code][n] += 1
        sent = submitted_at.get(row.reference)
        if sent is not None:
            days[row.community_code].append((row.meeting_date - local(sent).date()).days)

    overdue = table(len(OVERDUE_GROUPS))
    actions = await session.exec(
        select(Request.community_id)
        .join(Outcome, col(Outcome.request_id) == col(Request.id))
        .join(OutcomeAction, col(OutcomeAction.outcome_id) == col(Outcome.id))
        .where(
            Outcome.status == OutcomeStatus.CONFIRMED,
            OutcomeAction.status == ActionStatus.OPEN,
            col(OutcomeAction.due_date) < today,
        )
    )
    for community_id in actions.all():
        overdue[codes[community_id]][0] += 1
    reviews = await session.exec(
        select(Request.community_id).where(
            col(Request.status).in_([RequestStatus.IN_DELIVERY, RequestStatus.REVIEW_DUE]),
            col(Request.review_date) < today,
        )
    )
    for community_id in reviews.all():
        overdue[codes[community_id]][1] += 1
    open_ones = (DisputeStatus.AWAITING_ACKNOWLEDGEMENT, DisputeStatus.ACKNOWLEDGED)
    for dispute in (await session.exec(select(Dispute).where(col(Dispute.status).in_(open_ones)))).all():
        unacknowledged = dispute.status == DisputeStatus.AWAITING_ACKNOWLEDGEMENT
        if (unacknowledged and dispute.acknowledge_by < today) or dispute.decide_by < today:
            overdue[codes[dispute.community_id]][2] += 1

    return Figures(known, dict(by_status), dict(by_need), dict(by_decision), dict(overdue), dict(days))
