"""Confirming a meeting's outcomes: every item decided, each request moved on once, nothing twice."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlmodel import select

from communities.clock import FixedClock
from communities.db import Database
from communities.outcomes.access import OutcomeRefused
from communities.outcomes.confirming import confirm_outcomes
from communities.outcomes.recording import save_outcome
from communities.outcomes.tables import Outcome
from communities.outcomes.validation import OutcomeEntry
from communities.requests.service import RequestRefused
from communities.requests.tables import Request
from tests.support.outcomes import (
    as_person,
    held_meeting,
    person_id,
    rulings_for_westgate,
    status_of,
    support_agreed,
)
from tests.support.people import DANIEL, GRACE, HANNAH, PRIYA
from tests.support.requests import raise_and_accept, raise_and_submit


async def record(
    db: Database, clock: FixedClock, meeting_id: int, request_id: int, entry: OutcomeEntry
) -> None:
    await as_person(db, GRACE, lambda s, a: save_outcome(s, clock, a, meeting_id, request_id, entry))


async def confirm(db: Database, clock: FixedClock, meeting_id: int, email: str = GRACE) -> Any:
    return await as_person(db, email, lambda s, a: confirm_outcomes(s, clock, a, meeting_id))


async def test_nothing_is_confirmed_until_every_item_has_an_outcome(
    demo_db: Database, clock: FixedClock
) -> None:
    held = await held_meeting(demo_db, clock, 2)
    first, second = held.request_ids
    await record(demo_db, clock, held.meeting_id, first, support_agreed(await rulings_for_westgate(demo_db)))
    with pytest.raises(
        OutcomeRefused, match=r"Record an outcome for every item first: COS-CANT1-26-002 has none"
    ):
        await confirm(demo_db, clock, held.meeting_id)
    assert await status_of(demo_db, first) == "discussed" and await status_of(demo_db, second) == "scheduled"


async def test_confirming_moves_each_request_on_and_names_who_to_tell(
    demo_db: Database, clock: FixedClock
) -> None:
    held = await held_meeting(demo_db, clock, 3)
    supported, funded, deferred = held.request_ids
    rulings = await rulings_for_westgate(demo_db)
    await record(demo_db, clock, held.meeting_id, supported, support_agreed(rulings))
    await record(
        demo_db,
        clock,
        held.meeting_id,
        funded,
        support_agreed(
            rulings,
            decision="funding_agreed",
            funding="£1,500.50",
            funding_from=date(2027, 1, 4),
            funding_to=date(2027, 3, 26),
        ),
    )
    await record(
        demo_db,
        clock,
        held.meeting_id,
        deferred,
        OutcomeEntry(
            decision="deferred_more_info",
            rationale="Add the advice of the specialist teacher.",
            rulings=rulings,
        ),
    )
    done = await confirm(demo_db, clock, held.meeting_id)
    assert [c.request_id for c in done.confirmed] == [supported, funded, deferred]
    assert [str(c.status) for c in done.confirmed] == ["in_delivery", "in_delivery", "returned_for_info"]
    hannah, daniel, sam = [
        await person_id(demo_db, e) for e in (HANNAH, DANIEL, "sam.carter@kent-demo.example.org")
    ]
    assert done.confirmed[0].tell == (hannah, daniel)  # the requester first, then the school's staff
    assert done.confirmed[0].tell_finance == () and done.confirmed[1].tell_finance == (sam,)
    assert done.confirmed[1].funding_pence == 150050
    async with demo_db.session() as session:
        requests = {r.id: r for r in (await session.exec(select(Request))).all()}
        saved = (await session.exec(select(Outcome))).all()
    assert requests[supported].review_date == date(2027, 3, 30)
    assert requests[deferred].return_note == "Add the advice of the specialist teacher."
    assert {o.status for o in saved} == {"confirmed"} and all(o.confirmed_at for o in saved)


async def test_a_second_confirm_changes_and_sends_nothing(demo_db: Database, clock: FixedClock) -> None:
    held = await held_meeting(demo_db, clock)
    [request_id] = held.request_ids
    await record(
        demo_db, clock, held.meeting_id, request_id, support_agreed(await rulings_for_westgate(demo_db))
    )
    first = await confirm(demo_db, clock, held.meeting_id)
    async with demo_db.session() as session:
        before = await session.get(Request, request_id)
    second = await confirm(demo_db, clock, held.meeting_id, PRIYA)
    assert len(first.confirmed) == 1 and second.nothing_new
    async with demo_db.session() as session:
        after = await session.get(Request, request_id)
    assert before is not None and after is not None and after.version == before.version
    with pytest.raises(OutcomeRefused, match="is confirmed"):
        await record(
            demo_db, clock, held.meeting_id, request_id, support_agreed(await rulings_for_westgate(demo_db))
        )


@pytest.mark.parametrize(
    ("decision", "status"),
    [
        ("advice_only", "closed"),
        ("signposted", "closed"),
        ("not_agreed", "closed"),
        ("recommend_ehcna_consideration", "closed"),
        ("withdrawn", "withdrawn"),
    ],
)
async def test_each_decision_ends_where_it_leads(
    demo_db: Database, clock: FixedClock, decision: str, status: str
) -> None:
    held = await held_meeting(demo_db, clock)
    [request_id] = held.request_ids
    entry = OutcomeEntry(
        decision=decision,
        rationale="Reasons given at the meeting.",
        rulings=await rulings_for_westgate(demo_db),
    )
    await record(demo_db, clock, held.meeting_id, request_id, entry)
    await confirm(demo_db, clock, held.meeting_id)
    assert await status_of(demo_db, request_id) == status


async def test_a_school_raises_a_fourth_and_fifth_request_once_its_first_three_are_decided(
    demo_db: Database, clock: FixedClock
) -> None:
    held = await held_meeting(demo_db, clock, 3)
    with pytest.raises(RequestRefused, match="already has 3 requests waiting for a meeting"):
        await raise_and_submit(demo_db, clock, HANNAH, "990101")  # the three are still on the agenda
    rulings = await rulings_for_westgate(demo_db)
    for request_id in held.request_ids:
        await record(demo_db, clock, held.meeting_id, request_id, support_agreed(rulings))
    # Discussed (outcomes being recorded): no longer waiting for a meeting.
    fourth = await raise_and_submit(demo_db, clock, HANNAH, "990101")
    await confirm(demo_db, clock, held.meeting_id)
    fifth = await raise_and_accept(demo_db, clock, HANNAH, "990101")
    assert fourth.id is not None and await status_of(demo_db, fourth.id) == "submitted"
    assert fifth.status == "accepted"
    sixth = await raise_and_submit(demo_db, clock, HANNAH, "990101")
    assert sixth.status == "submitted"
    with pytest.raises(RequestRefused, match="already has 3 requests waiting"):
        await raise_and_submit(demo_db, clock, HANNAH, "990101")


async def test_the_requester_is_not_told_twice_when_two_confirm_at_once(
    demo_db: Database, clock: FixedClock
) -> None:
    """Two confirmations from the same copy: the second's version check fails and it confirms nothing."""
    held = await held_meeting(demo_db, clock)
    [request_id] = held.request_ids
    await record(
        demo_db, clock, held.meeting_id, request_id, support_agreed(await rulings_for_westgate(demo_db))
    )
    grace = await as_person(demo_db, GRACE, lambda s, a: _actor(a))
    async with demo_db.session() as first_session:
        first = await confirm_outcomes(first_session, clock, grace, held.meeting_id)
        await first_session.commit()
    async with demo_db.session() as second_session:
        second = await confirm_outcomes(second_session, clock, grace, held.meeting_id)
        await second_session.commit()
    assert len(first.confirmed) == 1 and second.confirmed == ()


async def _actor(actor: Any) -> Any:
    return actor


async def test_submitting_is_not_blocked_by_requests_in_delivery(
    demo_db: Database, clock: FixedClock
) -> None:
    """Requests after their meeting never count against the limit, whatever their status."""
    held = await held_meeting(demo_db, clock, 1)
    await record(
        demo_db,
        clock,
        held.meeting_id,
        held.request_ids[0],
        support_agreed(await rulings_for_westgate(demo_db)),
    )
    await confirm(demo_db, clock, held.meeting_id)
    assert await status_of(demo_db, held.request_ids[0]) == "in_delivery"
    for _ in range(3):
        request = await raise_and_submit(demo_db, clock, HANNAH, "990101")
        assert request.status == "submitted"


async def test_my_requests_says_where_a_decided_request_is(demo_db: Database, clock: FixedClock) -> None:
    from communities.requests.service import school_requests
    from communities.requests.views import request_lines

    held = await held_meeting(demo_db, clock)
    [request_id] = held.request_ids
    await record(
        demo_db, clock, held.meeting_id, request_id, support_agreed(await rulings_for_westgate(demo_db))
    )
    await confirm(demo_db, clock, held.meeting_id)
    [line] = await as_person(
        demo_db, HANNAH, lambda s, a: _lines(s, a, school_requests, request_lines, clock)
    )
    assert line.status.label == "Support under way" and line.actions == ()
    assert line.decided == "Decided at the meeting on 11 December 2026"
    assert "next agenda" not in line.next_step and "reviewed" in line.next_step


async def _lines(session: Any, actor: Any, listing: Any, lines: Any, clock: FixedClock) -> Any:
    return await lines(session, await listing(session, actor), now=clock.now())
