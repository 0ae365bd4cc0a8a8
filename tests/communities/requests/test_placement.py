"""Which meeting a request goes to, and that a past meeting's requests are never placed again."""

from __future__ import annotations

from sqlmodel import select

from communities.audit import AuditEvent
from communities.clock import FixedClock
from communities.db import Database
from communities.meetings.service import cancel
from communities.requests.tables import Request
from tests.support.meetings import add_meeting
from tests.support.outcomes import MEETING_AT, as_person, held_meeting, publish
from tests.support.people import GRACE, HANNAH, PRIYA
from tests.support.requests import raise_and_accept, raise_and_submit


async def placed(db: Database, request_id: int) -> tuple[int | None, str]:
    async with db.session() as session:
        request = await session.get(Request, request_id)
    assert request is not None
    return request.meeting_id, str(request.status)


async def accept(db: Database, clock: FixedClock, request_id: int) -> None:
    from communities.messaging.outbox import Outbox
    from communities.requests.service import accept as accepting

    await as_person(db, GRACE, lambda s, a: accepting(s, clock, Outbox(clock), a, request_id))


async def test_a_past_meetings_requests_are_not_placed_again(demo_db: Database, clock: FixedClock) -> None:
    held = await held_meeting(demo_db, clock, 2)
    later = await add_meeting(demo_db, clock, "CANT1", "2027-01-20 16:00")  # a meeting is added...
    await raise_and_accept(demo_db, clock, GRACE, "990102")  # ...and the chair accepts another request
    for request_id in held.request_ids:
        assert await placed(demo_db, request_id) == (held.meeting_id, "scheduled")
    async with demo_db.session() as session:
        newest = (await session.exec(select(Request).order_by(Request.id.desc()))).first()  # type: ignore[union-attr]
    assert newest is not None and newest.meeting_id == later


async def test_a_request_submitted_before_the_deadline_goes_to_that_meeting_until_its_agenda_is_published(
    demo_db: Database, clock: FixedClock
) -> None:
    meeting = await add_meeting(demo_db, clock, "CANT1", MEETING_AT)  # deadline Monday 30 November
    following = await add_meeting(demo_db, clock, "CANT1", "2027-01-20 16:00")
    early = await raise_and_submit(demo_db, clock, HANNAH, "990101")
    also_early = await raise_and_submit(demo_db, clock, HANNAH, "990101")
    assert early.id is not None and also_early.id is not None
    clock.advance(days=8)  # 1 December: the deadline has passed; the chair accepts it only now
    await accept(demo_db, clock, early.id)
    assert await placed(demo_db, early.id) == (meeting, "accepted")
    await publish(demo_db, clock, meeting)
    assert await placed(demo_db, early.id) == (meeting, "scheduled")
    await accept(demo_db, clock, also_early.id)  # after the agenda is published: the next meeting
    assert await placed(demo_db, also_early.id) == (following, "accepted")
    late = await raise_and_accept(demo_db, clock, GRACE, "990102")  # submitted after the deadline
    assert late.meeting_id == following


async def test_a_cancelled_meetings_published_requests_wait_for_the_next_one(
    demo_db: Database, clock: FixedClock
) -> None:
    meeting = await add_meeting(demo_db, clock, "CANT1", MEETING_AT)
    request = await raise_and_accept(demo_db, clock, HANNAH, "990101")
    assert request.id is not None
    await publish(demo_db, clock, meeting)
    following = await add_meeting(demo_db, clock, "CANT1", "2027-01-20 16:00")
    assert await placed(demo_db, request.id) == (meeting, "scheduled")  # a new meeting moves nothing
    await as_person(demo_db, PRIYA, lambda s, a: cancel(s, clock, a, meeting, "Snow"))
    assert await placed(demo_db, request.id) == (following, "accepted")
    async with demo_db.session() as session:
        audited = [(e.action, e.entity_id) for e in (await session.exec(select(AuditEvent))).all()]
    assert ("request_carry_over", request.ref) in audited and ("request_schedule", request.ref) in audited


async def test_publishing_twice_schedules_once(demo_db: Database, clock: FixedClock) -> None:
    meeting = await add_meeting(demo_db, clock, "CANT1", MEETING_AT)
    request = await raise_and_accept(demo_db, clock, HANNAH, "990101")
    assert await publish(demo_db, clock, meeting) == [request.ref]
    assert await publish(demo_db, clock, meeting) == []
