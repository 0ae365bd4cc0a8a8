"""Reviews: a request in delivery is due on its review date, and is then closed or continued."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from communities.clock import FixedClock
from communities.db import Database
from communities.meetings.tables import Meeting
from communities.outcomes.access import OutcomeRefused
from communities.outcomes.confirming import confirm_outcomes
from communities.outcomes.decisions import ReviewResult
from communities.outcomes.recording import save_outcome
from communities.outcomes.reviews import mark_reviews_due, record_review, reviews_for
from communities.outcomes.tables import OutcomeReview
from communities.requests.tables import Request
from tests.support.outcomes import (
    Held,
    as_person,
    held_meeting,
    rulings_for_westgate,
    status_of,
    support_agreed,
)
from tests.support.people import DANIEL, GRACE, HANNAH


async def in_delivery(db: Database, clock: FixedClock) -> Held:
    held = await held_meeting(db, clock)
    entry = support_agreed(await rulings_for_westgate(db))
    await as_person(
        db, GRACE, lambda s, a: save_outcome(s, clock, a, held.meeting_id, held.request_ids[0], entry)
    )
    await as_person(db, GRACE, lambda s, a: confirm_outcomes(s, clock, a, held.meeting_id))
    return held


async def test_a_request_is_due_for_review_on_its_review_date(demo_db: Database, clock: FixedClock) -> None:
    held = await in_delivery(demo_db, clock)
    [request_id] = held.request_ids
    async with demo_db.session() as session:
        assert await mark_reviews_due(session, clock) == []
    with pytest.raises(OutcomeRefused, match="is not due for review"):
        await as_person(
            demo_db, GRACE, lambda s, a: record_review(s, clock, a, request_id, ReviewResult.ACHIEVED, "Done")
        )
    clock.advance(days=120)  # 10 April 2027: the review date (30 March) has come
    async with demo_db.session() as session:
        marked = await mark_reviews_due(session, clock)
        await session.commit()
    assert marked == ["COS-CANT1-26-001"] and await status_of(demo_db, request_id) == "review_due"
    async with demo_db.session() as session:
        meeting = await session.get(Meeting, held.meeting_id)
        assert meeting is not None
        meeting.starts_at = clock.now()
        assert [r.request_id for r in await reviews_for(session, meeting)] == [request_id]


async def test_a_review_closes_the_request_or_continues_the_support(
    demo_db: Database, clock: FixedClock
) -> None:
    held = await in_delivery(demo_db, clock)
    [request_id] = held.request_ids
    clock.advance(days=120)
    continued = await as_person(
        demo_db,
        GRACE,
        lambda s, a: record_review(
            s,
            clock,
            a,
            request_id,
            ReviewResult.PARTLY_ACHIEVED,
            "Mornings settled; afternoons not yet.",
            continue_until=date(2027, 7, 7),
        ),
    )
    assert continued.status == "in_delivery" and continued.tell[0] is not None
    async with demo_db.session() as session:
        request = await session.get(Request, request_id)
    assert request is not None and request.review_date == date(2027, 7, 7)
    clock.advance(days=90)
    closed = await as_person(
        demo_db,
        GRACE,
        lambda s, a: record_review(s, clock, a, request_id, ReviewResult.ACHIEVED, "Settled all day."),
    )
    assert closed.status == "closed" and await status_of(demo_db, request_id) == "closed"
    async with demo_db.session() as session:
        reviews = (await session.exec(select(OutcomeReview))).all()
    assert [r.result for r in reviews] == ["partly_achieved", "achieved"]


async def test_reviews_are_refused_to_the_conflicted_and_to_the_school(
    demo_db: Database, clock: FixedClock
) -> None:
    held = await in_delivery(demo_db, clock)
    [request_id] = held.request_ids
    clock.advance(days=120)
    with pytest.raises(OutcomeRefused, match="Westgate Meadow Primary School is your school"):
        await as_person(
            demo_db, DANIEL, lambda s, a: record_review(s, clock, a, request_id, ReviewResult.ACHIEVED, "Ok")
        )
    with pytest.raises(OutcomeRefused, match="Only the chair or vice chair of CANT1"):
        await as_person(
            demo_db, HANNAH, lambda s, a: record_review(s, clock, a, request_id, ReviewResult.ACHIEVED, "Ok")
        )
    assert await status_of(demo_db, request_id) == "in_delivery"


async def test_the_next_agenda_lists_the_reviews_due_by_its_date(
    demo_db: Database, clock: FixedClock
) -> None:
    from communities.agendas.items import reviews_due
    from tests.support.meetings import add_meeting

    await in_delivery(demo_db, clock)  # support agreed with a review on 30 March 2027
    january = await add_meeting(demo_db, clock, "CANT1", "2027-01-20 16:00")
    april = await add_meeting(demo_db, clock, "CANT1", "2027-04-14 16:00")
    async with demo_db.session() as session:
        found = {}
        for meeting_id in (january, april):
            meeting = await session.get(Meeting, meeting_id)
            assert meeting is not None
            found[meeting_id] = await reviews_due(session, meeting)
    assert found[january] == []
    [line] = found[april]
    assert (line.ref, line.school, line.due) == (
        "COS-CANT1-26-001",
        "Westgate Meadow Primary School",
        "30 March 2027",
    )
