"""Requests as lists show them: reference, school, type, status, and what happens next."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from communities.requests.lifecycle import RequestAction, RequestStatus, actions_from, next_step
from communities.requests.tables import Request, RequestType
from communities.roster.tables import Community, School


@dataclass(frozen=True)
class RequestLine:
    request_id: int
    ref: str
    school: str
    kind: str
    status: RequestStatus
    urgent: bool
    next_step: str
    #: What the state machine allows now; the caller filters by who is looking.
    actions: tuple[RequestAction, ...]
    return_note: str | None = None


async def request_lines(session: AsyncSession, requests: Sequence[Request]) -> list[RequestLine]:
    school_ids = {r.school_id for r in requests}
    names = {
        s.id: s.name for s in (await session.exec(select(School).where(col(School.id).in_(school_ids)))).all()
    }
    lines = []
    for request in requests:
        assert request.id is not None
        status = RequestStatus(request.status)
        lines.append(
            RequestLine(
                request_id=request.id,
                ref=request.ref,
                school=names.get(request.school_id, "?"),
                kind=RequestType(request.request_type).label if request.request_type else "Not chosen yet",
                status=status,
                urgent=request.urgency == "urgent",
                next_step=next_step(status),
                actions=tuple(actions_from(status)),
                return_note=request.return_note,
            )
        )
    return lines


@dataclass(frozen=True)
class WaitingLine:
    """One community's requests waiting for review, for the officer's summary of every queue."""

    code: str
    name: str
    waiting: int
    urgent: int


async def waiting_by_community(session: AsyncSession) -> list[WaitingLine]:
    """Every community with submitted requests waiting for review, by code (officers only: the
    caller checks)."""
    rows = await session.exec(
        select(Community.code, Community.name, Request.urgency)
        .join(Request, col(Request.community_id) == col(Community.id))
        .where(Request.status == RequestStatus.SUBMITTED)
    )
    counts: dict[tuple[str, str], list[int]] = {}
    for code, name, urgency in rows.all():
        count = counts.setdefault((code, name), [0, 0])
        count[0] += 1
        count[1] += urgency == "urgent"
    return [WaitingLine(code, name, n, urgent) for (code, name), (n, urgent) in sorted(counts.items())]
