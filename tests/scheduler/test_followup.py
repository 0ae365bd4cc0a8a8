"""The daily follow-up on its own: asked again only for a new review date, an owner person before the
school, and nothing queued twice however often it runs."""

from __future__ import annotations

from datetime import date

from sqlmodel import col, select

from communities.clock import FixedClock
from communities.db import Database
from communities.meetings.tables import local
from communities.messaging.outbox import Outbox, OutboxMessage
from communities.messaging.teams_links import PersonalChat
from communities.outcomes.decisions import ReviewResult
from communities.outcomes.reviews import record_review
from scheduler.followup import follow_up
from tests.communities.outcomes.test_actions import with_action
from tests.communities.outcomes.test_reviews import in_delivery
from tests.support.outcomes import as_person, person_id
from tests.support.people import DANIEL, GRACE, HANNAH, personal_chat


async def chats(db: Database, clock: FixedClock, *emails: str) -> None:
    ids = {email: await person_id(db, email) for email in emails}
    async with db.session() as session:
        for email in emails:
            session.add(personal_chat(ids[email], email, clock.now()))
        await session.commit()


async def run(db: Database, clock: FixedClock) -> list[str]:
    """One day's follow-up; the keys it queued."""
    async with db.session() as session:
        before = set((await session.exec(select(OutboxMessage.idempotency_key))).all())
        await follow_up(session, clock, Outbox(clock), local(clock.now()).date(), 3)
        await session.commit()
        after = (
            await session.exec(select(OutboxMessage.idempotency_key).order_by(col(OutboxMessage.id)))
        ).all()
    return [key for key in after if key not in before]


async def test_a_continued_review_is_asked_again_at_its_new_date(
    demo_db: Database, clock: FixedClock
) -> None:
    await chats(demo_db, clock, HANNAH, DANIEL)
    held = await in_delivery(demo_db, clock)  # review on 30 March 2027
    [request_id] = held.request_ids
    hannah, daniel = await person_id(demo_db, HANNAH), await person_id(demo_db, DANIEL)
    clock.advance(days=109)  # from Friday 11 December 2026 to Tuesday 30 March 2027
    assert set(await run(demo_db, clock)) == {
        f"outcomes:review:{request_id}:2027-03-30:{hannah}",  # the requester
        f"outcomes:review:{request_id}:2027-03-30:{daniel}",  # Westgate's school leader
    }
    assert await run(demo_db, clock) == []  # again the same day: nothing
    clock.advance(days=1)
    assert await run(demo_db, clock) == []  # the next day: still due, but asked already
    await as_person(
        demo_db,
        GRACE,
        lambda s, a: record_review(
            s,
            clock,
            a,
            request_id,
            ReviewResult.PARTLY_ACHIEVED,
            "Carry on.",
            continue_until=date(2027, 7, 7),
        ),
    )
    clock.advance(days=98)  # Wednesday 7 July 2027
    assert set(await run(demo_db, clock)) == {
        f"outcomes:review:{request_id}:2027-07-07:{hannah}",
        f"outcomes:review:{request_id}:2027-07-07:{daniel}",
    }


async def test_an_action_is_reminded_once_whichever_day_it_is_first_seen(
    demo_db: Database, clock: FixedClock
) -> None:
    action_id = await with_action(demo_db, clock)  # St Dunstan's, due Friday 15 January 2027
    grace = await person_id(demo_db, GRACE)
    await chats(demo_db, clock, GRACE)
    clock.advance(days=31)  # from Friday 11 December to Monday 11 January: four days before
    assert await run(demo_db, clock) == []
    clock.advance(days=2)  # Wednesday 13 January (the bot was down on the 12th)
    assert await run(demo_db, clock) == [f"outcomes:action_reminder:{action_id}:2027-01-15:{grace}"]
    clock.advance(days=1)
    assert await run(demo_db, clock) == []


async def test_nobody_reachable_queues_nothing(demo_db: Database, clock: FixedClock) -> None:
    await with_action(demo_db, clock)
    async with demo_db.session() as session:
        assert (await session.exec(select(PersonalChat))).all() == []
    clock.advance(days=33)  # Wednesday 13 January: due in two days, but St Dunstan's has no chat with the bot
    assert await run(demo_db, clock) == []
