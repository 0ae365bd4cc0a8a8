"""What people read of a purged request: the outcome, the dispute and the school's view of the outcome
say "detail removed under the retention policy" where the words were; decisions and money stay."""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from communities.clock import FixedClock
from communities.db import Database
from communities.disputes.tables import Dispute
from communities.disputes.views import dispute_view
from communities.meetings.tables import local
from communities.outcomes.tables import Outcome, OutcomeAction
from communities.outcomes.telling import confirmed_outcome_of
from communities.outcomes.views import outcome_view
from communities.requests.tables import Request
from communities.retention.policy import RetentionPolicy
from communities.retention.purge import purge
from communities.retention.words import DETAIL_REMOVED
from tests.support.retention import closed_requests


async def test_views_of_a_purged_request_say_the_detail_was_removed(
    demo_db: Database, clock: FixedClock
) -> None:
    closed = await closed_requests(demo_db, clock)
    funded, disputed, _ = closed.request_ids
    async with demo_db.session() as session:  # an action agreed for the funded one
        session.add(
            OutcomeAction(
                outcome_id=closed.outcome_ids[0],
                description="Share the nurture plan template",
                owner_school_id=(await session.get(Request, funded)).school_id,  # type: ignore[union-attr]
                due_date=date(2027, 1, 15),
                created_at=clock.now(),
                updated_at=clock.now(),
            )
        )
        await session.commit()
    clock.advance(days=400)
    await purge(demo_db, clock, RetentionPolicy(), by="test")

    async with demo_db.session() as session:
        outcome = (await session.exec(select(Outcome).where(Outcome.request_id == funded))).one()
        shown = await outcome_view(session, outcome)
        school = await confirmed_outcome_of(session, funded)
        dispute = (await session.exec(select(Dispute).where(Dispute.request_id == disputed))).one()
        argued = await dispute_view(session, dispute, local(clock.now()).date())
    assert shown.what_is_working == DETAIL_REMOVED and shown.ideas_and_offers == ()
    assert shown.rationale == "A clear plan, and a school nearby with the expertise."  # kept for 6 years
    assert shown.funding == "£1,500" and shown.decision == "funding_agreed"
    assert [a.description for a in shown.actions] == ["Share the nurture plan template"]  # for 6 years
    assert school is not None and school.what_is_working == DETAIL_REMOVED and school.funding == "£1,500"
    assert argued.reasons == DETAIL_REMOVED and argued.decision == "Not agreed"
    assert [e.reasons for e in argued.events if e.kind == "decided"] == [DETAIL_REMOVED]

    clock.advance(days=2190)  # six years after closing: the outcome's own words go too
    await purge(demo_db, clock, RetentionPolicy(), by="test")
    async with demo_db.session() as session:
        outcome = (await session.exec(select(Outcome).where(Outcome.request_id == funded))).one()
        shown = await outcome_view(session, outcome)
    assert shown.rationale == DETAIL_REMOVED and shown.funding == "£1,500"
    assert [(a.description, a.due_date) for a in shown.actions] == [(DETAIL_REMOVED, date(2027, 1, 15))]
