"""Purpose-built report data: requests, decisions and what is overdue, written straight to the
tables (with answers that look like a pupil's, to check they never reach a report)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlmodel import select

from communities.db import Database
from communities.disputes.tables import Dispute, DisputeStatus, Grounds
from communities.meetings.tables import Meeting
from communities.outcomes.decisions import OutcomeDecision
from communities.outcomes.tables import ActionStatus, Outcome, OutcomeAction, OutcomeStatus
from communities.requests.lifecycle import RequestStatus
from communities.requests.tables import Request, RequestType
from communities.roster.tables import Community, Person, School

#: Answers no report may show: free text that names and dates a child.
SECRET_TEXT = (
    "Jack Smithson",
    "DOB 14/02/2013",
    "UPN A123456789012",
    "PUPIL-REF-XYZ",
    "NEEDS-TEXT hearing loss",
    "WHAT-WORKED-TEXT",
    "RATIONALE-TEXT",
    "ACTION-TEXT",
    "DISPUTE-REASONS-TEXT",
)


def answers(need: str | None) -> dict[str, Any]:
    found: dict[str, Any] = {
        "request_type": "one_pupil" if need else "whole_school",
        "pupil_ref": "PUPIL-REF-XYZ",
        "year_group": "5",
        "needs_summary": "NEEDS-TEXT hearing loss: Jack Smithson, DOB 14/02/2013, UPN A123456789012",
        "what_worked": "WHAT-WORKED-TEXT",
    }
    if need:
        found["primary_need"] = need
    return found


class World:
    """Rows for the demo roster's communities, numbered so references stay unique."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.made = 0

    async def _ids(self, code: str) -> tuple[int, int, int]:
        async with self.db.session() as session:
            community = (await session.exec(select(Community).where(Community.code == code))).one()
            school = (await session.exec(select(School).where(School.community_id == community.id))).first()
            person = (await session.exec(select(Person))).first()
        assert community.id and school and school.id and person and person.id
        return community.id, school.id, person.id

    async def requests(
        self,
        code: str,
        count: int,
        *,
        status: RequestStatus = RequestStatus.SUBMITTED,
        need: str | None = "semh",
        submitted: date = date(2026, 10, 5),
        review_date: date | None = None,
    ) -> list[int]:
        community_id, school_id, person_id = await self._ids(code)
        at = datetime.combine(submitted, datetime.min.time(), tzinfo=UTC) + timedelta(hours=10)
        made = []
        async with self.db.session() as session:
            for _ in range(count):
                self.made += 1
                request = Request(
                    ref=f"COS-{code}-26-{self.made:03d}",
                    community_id=community_id,
                    school_id=school_id,
                    created_by_person_id=person_id,
                    status=status,
                    request_type=RequestType.ONE_PUPIL if need else RequestType.WHOLE_SCHOOL,
                    details=answers(need),
                    return_note="RETURN-NOTE Jack Smithson",
                    created_at=at,
                    updated_at=at,
                    submitted_at=None if status is RequestStatus.DRAFT else at,
                    review_date=review_date,
                )
                session.add(request)
                await session.flush()
                assert request.id is not None
                made.append(request.id)
            await session.commit()
        return made

    async def decided(
        self,
        code: str,
        count: int,
        decision: OutcomeDecision,
        *,
        submitted: date = date(2026, 10, 5),
        meeting_day: date = date(2026, 10, 19),
        action_due: date | None = None,
    ) -> list[int]:
        """``count`` requests submitted on ``submitted``, decided at a meeting on ``meeting_day``."""
        ids = await self.requests(code, count, status=decision.leads_to, submitted=submitted)
        community_id, _, person_id = await self._ids(code)
        starts = datetime.combine(meeting_day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=16)
        async with self.db.session() as session:
            meeting = Meeting(
                community_id=community_id,
                starts_at=starts,
                ends_at=starts + timedelta(hours=1),
                submission_deadline=starts - timedelta(days=10),
                agenda_publish_by=starts - timedelta(days=5),
                created_at=starts,
                updated_at=starts,
            )
            session.add(meeting)
            await session.flush()
            assert meeting.id is not None
            for request_id in ids:
                outcome = Outcome(
                    meeting_id=meeting.id,
                    request_id=request_id,
                    status=OutcomeStatus.CONFIRMED,
                    decision=decision,
                    what_is_working="WHAT-WORKED-TEXT",
                    rationale="RATIONALE-TEXT for Jack Smithson",
                    funding_pence=150_000 if decision.may_fund else None,
                    recorded_by_person_id=person_id,
                    confirmed_at=starts,
                    created_at=starts,
                    updated_at=starts,
                )
                session.add(outcome)
                await session.flush()
                assert outcome.id is not None
                if action_due is not None:
                    session.add(
                        OutcomeAction(
                            outcome_id=outcome.id,
                            description="ACTION-TEXT for Jack Smithson",
                            due_date=action_due,
                            status=ActionStatus.OPEN,
                            created_at=starts,
                            updated_at=starts,
                        )
                    )
            await session.commit()
        return ids

    async def dispute(self, code: str, request_id: int, *, decide_by: date) -> None:
        community_id, school_id, person_id = await self._ids(code)
        async with self.db.session() as session:
            outcome = (await session.exec(select(Outcome).where(Outcome.request_id == request_id))).one()
            assert outcome.id is not None
            at = datetime(2026, 10, 20, 10, tzinfo=UTC)
            session.add(
                Dispute(
                    outcome_id=outcome.id,
                    request_id=request_id,
                    school_id=school_id,
                    community_id=community_id,
                    raised_by_person_id=person_id,
                    grounds=next(iter(Grounds)),
                    reasons="DISPUTE-REASONS-TEXT Jack Smithson",
                    status=DisputeStatus.ACKNOWLEDGED,
                    stage_started_on=date(2026, 10, 20),
                    acknowledge_by=date(2026, 10, 22),
                    decide_by=decide_by,
                    raised_at=at,
                    updated_at=at,
                )
            )
            await session.commit()
