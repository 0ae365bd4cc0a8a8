"""After the meeting, over a whole term for CANT1, driven by the injected clock.

Three meetings (30 September, 10 November, 9 December 2026). Westgate Meadow raises three requests,
the vice chair accepts them (the chair's own school), the agenda is published, and the day after the
meeting the outcomes are recorded and confirmed through the domain services: support agreed with two
actions and a review on 2 November, advice only, not agreed. With its first three decided, the school
raises its fourth and fifth, which go to the November meeting. The daily follow-up reminds each
action's owner three days before it is due (one before the clocks go back, one after), asks the school
how the support went on its review date; the school answers, its answer is on the November agenda,
and the chair records the review there and closes the request. An action nobody marks done is
reminded once and then shows as overdue.

The clock jumps from one stored ``next_run_time`` to the next, and the real jobs run from the real
job store; the assertions are on the outbox rows: each follow-up message at its London time (written
out by hand), exactly once, and nothing else.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import col, select

import scheduler.tables  # noqa: F401  (registers the scheduler's tables before the db fixture creates them)
from communities.agendas import view as agenda_view
from communities.clock import FixedClock
from communities.db import Database
from communities.meetings.importing import import_meetings
from communities.meetings.tables import LONDON, Meeting, MeetingOffsets
from communities.messaging.outbox import Outbox, OutboxMessage
from communities.outcomes.actions import mark_action, overdue_actions
from communities.outcomes.confirming import confirm_outcomes
from communities.outcomes.decisions import ReviewResult
from communities.outcomes.recording import save_outcome
from communities.outcomes.reviews import record_review
from communities.outcomes.school_answers import answer_review
from communities.outcomes.tables import OutcomeAction
from communities.outcomes.validation import ActionEntry
from communities.requests.service import RequestRefused
from communities.requests.tables import Request
from communities.roster.importing import import_roster
from communities.roster.tables import Community, Person
from scheduler import jobs
from scheduler.service import SchedulerService
from tests.conftest import DEMO_ROSTER
from tests.support.linked_channels import community_channel
from tests.support.outcomes import as_person, publish, rulings_for_westgate, support_agreed
from tests.support.people import DANIEL, GRACE, HANNAH, PRIYA, TOM, personal_chat
from tests.support.requests import raise_and_accept, raise_and_submit, school_id

START = datetime(2026, 8, 31, 15, 0, tzinfo=UTC)
END = datetime(2026, 12, 19, 0, 0, tzinfo=UTC)
MEETINGS_CSV = """community_code,starts_at,ends_at,location,chair_email
CANT1,2026-09-30 16:00,17:30,Online,
CANT1,2026-11-10 16:00,17:30,Online,
CANT1,2026-12-09 16:00,17:30,Online,
"""


def utc(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


async def build(db: Database, clock: FixedClock, tmp_path: Path) -> tuple[dict[str, int], list[int]]:
    await import_roster(db, DEMO_ROSTER, clock)
    csv = tmp_path / "autumn.csv"
    csv.write_text(MEETINGS_CSV)
    await import_meetings(db, csv, clock, MeetingOffsets())
    async with db.session() as session:
        people = {p.email: p.id for p in (await session.exec(select(Person))).all() if p.id is not None}
        for email in (PRIYA, DANIEL, GRACE, HANNAH, TOM):
            session.add(personal_chat(people[email], email, clock.now()))
        cant1 = (await session.exec(select(Community).where(Community.code == "CANT1"))).one()
        assert cant1.id is not None
        session.add(community_channel(cant1.id, "CANT1", people[PRIYA], clock.now()))
        await session.commit()
        meetings = (await session.exec(select(Meeting.id).order_by(col(Meeting.starts_at)))).all()
    return people, [m for m in meetings if m is not None]


async def follow_up_rows(db: Database) -> list[OutboxMessage]:
    async with db.session() as session:
        rows = (await session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id)))).all()
    return [r for r in rows if r.idempotency_key.startswith("outcomes:")]


async def test_a_term_after_the_meetings(db: Database, tmp_path: Path) -> None:
    clock = FixedClock(START)
    people, (september, november, december) = await build(db, clock, tmp_path)
    grace, hannah, daniel = people[GRACE], people[HANNAH], people[DANIEL]
    st_dunstans = await school_id(db, "990102")
    outbox = Outbox(clock)
    service = SchedulerService(db, clock, outbox, timer=False, sweep_every=timedelta(days=1))
    requests: list[int] = []
    actions_of: dict[str, int] = {}

    async def westgate_raises_three() -> None:
        for _ in range(3):
            request = await raise_and_accept(db, clock, HANNAH, "990101")
            assert request.id is not None and request.meeting_id == september
            requests.append(request.id)
        with pytest.raises(RequestRefused, match="already has 3 requests waiting for a meeting"):
            await raise_and_submit(db, clock, HANNAH, "990101")

    async def publish_september() -> None:
        assert sorted(await publish(db, clock, september)) == sorted(await refs(requests))

    async def record_september() -> None:
        rulings = await rulings_for_westgate(db)
        first, second, third = requests
        agreed = support_agreed(
            rulings,
            review_date=date(2026, 11, 2),
            actions=(
                ActionEntry(
                    "Share the nurture plan template", date(2026, 10, 16), owner_school_id=st_dunstans
                ),
                ActionEntry(
                    "Send the outreach timetable to the class team",
                    date(2026, 10, 29),
                    owner_person_id=hannah,
                ),
            ),
        )
        advice = replace(support_agreed(rulings), decision="advice_only", review_date=None)
        refused = replace(support_agreed(rulings), decision="not_agreed", review_date=None)
        for request_id, entry in ((first, agreed), (second, advice), (third, refused)):
            await as_person(
                db, GRACE, lambda s, a, r=request_id, e=entry: save_outcome(s, clock, a, september, r, e)
            )
        confirmed = await as_person(db, GRACE, lambda s, a: confirm_outcomes(s, clock, a, september))
        assert [c.status for c in confirmed.confirmed] == ["in_delivery", "closed", "closed"]
        async with db.session() as session:
            for found in (await session.exec(select(OutcomeAction))).all():
                assert found.id is not None
                actions_of[found.description.split()[0]] = found.id

    async def westgate_raises_its_fourth_and_fifth() -> None:
        for _ in range(2):
            request = await raise_and_accept(db, clock, HANNAH, "990101")
            assert request.id is not None and request.meeting_id == november
            requests.append(request.id)

    async def a_second_runner_tries_the_same_day() -> None:
        """Another replica (or a restart) runs today's follow-up again: nothing is sent twice."""
        assert await jobs.outcomes_daily() == 0

    async def st_dunstans_marks_its_action_done() -> None:
        marked = await as_person(db, GRACE, lambda s, a: mark_action(s, clock, a, actions_of["Share"]))
        assert marked.changed

    async def hannah_marks_hers_done() -> None:
        await as_person(db, HANNAH, lambda s, a: mark_action(s, clock, a, actions_of["Send"]))

    async def westgate_answers_the_review() -> None:
        await as_person(
            db,
            HANNAH,
            lambda s, a: answer_review(
                s, clock, a, requests[0], "partly_achieved", "Mornings settled; afternoons not yet."
            ),
        )

    async def publish_november() -> None:
        await publish(db, clock, november)
        async with db.session() as session:
            view = await agenda_view.view(session, meeting_id=november)
        [review] = view.reviews
        assert (review.ref, review.school_says) == ("COS-CANT1-26-001", "Partly achieved")

    async def record_november() -> None:
        rulings = await rulings_for_westgate(db)
        fourth, fifth = requests[3:]
        agreed = support_agreed(
            rulings,
            review_date=date(2027, 3, 1),
            actions=(
                ActionEntry("Lend the visual timetable kit", date(2026, 12, 4), owner_school_id=st_dunstans),
            ),
        )
        for request_id, entry in ((fourth, agreed), (fifth, support_agreed(rulings))):
            await as_person(
                db, GRACE, lambda s, a, r=request_id, e=entry: save_outcome(s, clock, a, november, r, e)
            )
        await as_person(db, GRACE, lambda s, a: confirm_outcomes(s, clock, a, november))
        reviewed = await as_person(
            db,
            GRACE,
            lambda s, a: record_review(
                s,
                clock,
                a,
                requests[0],
                ReviewResult.PARTLY_ACHIEVED,
                "Enough to carry on in school.",
                meeting_id=november,
            ),
        )
        assert reviewed.status == "closed"
        async with db.session() as session:
            lend = (
                await session.exec(
                    select(OutcomeAction).where(col(OutcomeAction.description).startswith("Lend"))
                )
            ).one()
        assert lend.id is not None
        actions_of["Lend"] = lend.id

    steps: list[tuple[datetime, Callable[[], Awaitable[None]]]] = [
        (utc(9, 1, 10), westgate_raises_three),
        (utc(9, 22, 11), publish_september),
        (utc(10, 1, 9), record_september),
        (utc(10, 2, 9), westgate_raises_its_fourth_and_fifth),
        (utc(10, 13, 8, 1), a_second_runner_tries_the_same_day),
        (utc(10, 14, 9), st_dunstans_marks_its_action_done),
        (utc(10, 27, 9), hannah_marks_hers_done),
        (utc(11, 3, 9), westgate_answers_the_review),
        (utc(11, 3, 12), publish_november),
        (utc(11, 11, 10), record_november),
    ]
    await service.start()
    await asyncio.wait_for(service.until_leading(), 10)  # on PostgreSQL it wins the lock in the background
    try:
        while True:
            next_job = await service.next_run_time()
            target = min(t for t in (next_job, steps[0][0] if steps else None) if t is not None)
            if target >= END:
                break
            if target > clock.now():
                clock.advance(seconds=(target - clock.now()).total_seconds())
            while steps and steps[0][0] <= clock.now():
                await steps.pop(0)[1]()
            await service.run_due()
    finally:
        await service.stop()
    assert not steps, "every step of the term happened"

    rows = await follow_up_rows(db)
    got = [(r.idempotency_key, r.created_at) for r in rows]
    assert len(got) == len(set(got)), "a message was queued twice"
    first = requests[0]
    expected = {
        # Friday 16 October: reminded Tuesday 13 October, 09:00 BST.
        (f"outcomes:action_reminder:{actions_of['Share']}:2026-10-16:{grace}", utc(10, 13, 8)),
        # Thursday 29 October, after the clocks went back: Monday 26 October, 09:00 GMT.
        (f"outcomes:action_reminder:{actions_of['Send']}:2026-10-29:{hannah}", utc(10, 26, 9)),
        # The review date, Monday 2 November, 09:00 GMT: the requester and Westgate's leaders and SENCOs.
        (f"outcomes:review:{first}:2026-11-02:{hannah}", utc(11, 2, 9)),
        (f"outcomes:review:{first}:2026-11-02:{daniel}", utc(11, 2, 9)),
        # Friday 4 December: Tuesday 1 December; nobody marks it done, and it is not reminded again.
        (f"outcomes:action_reminder:{actions_of['Lend']}:2026-12-04:{grace}", utc(12, 1, 9)),
    }
    missing = sorted(expected - set(got), key=lambda e: e[1])
    extra = sorted(set(got) - expected, key=lambda e: e[1])
    assert not missing and not extra, f"missing: {missing}\nextra: {extra}"
    for row in rows:
        assert row.created_at.astimezone(LONDON).hour == 9  # the DM time, London, either side of the change
        content = str(row.payload)
        if ":action_reminder:" in row.idempotency_key:
            assert "Mark done" in content and "outcome_action_done" in content
        else:
            assert all(label in content for label in ("Achieved", "Partly achieved", "Not achieved"))
    async with db.session() as session:
        statuses = {r.id: str(r.status) for r in (await session.exec(select(Request))).all()}
        overdue = await overdue_actions(session, date(2026, 12, 18))
    assert [statuses[r] for r in requests] == ["closed", "closed", "closed", "in_delivery", "in_delivery"]
    assert [line.action_id for line in overdue] == [actions_of["Lend"]]


async def refs(request_ids: list[int]) -> list[str]:
    return [f"COS-CANT1-26-{n:03d}" for n in range(1, len(request_ids) + 1)]
