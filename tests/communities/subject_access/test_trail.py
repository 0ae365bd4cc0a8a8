"""A request's audit trail: who read or changed it (and its outcome, disputes, meeting), oldest first."""

from __future__ import annotations

import pytest

from communities.clock import FixedClock
from communities.db import Database
from communities.outcomes.recording import open_item, save_outcome
from communities.requests.service import open_for_reading
from communities.subject_access.trail import UnknownReference, request_trail
from communities.subject_access.words import NO_PERSON
from tests.support.outcomes import as_person, held_meeting, rulings_for_westgate, support_agreed
from tests.support.people import DANIEL, GRACE, HANNAH, PRIYA
from tests.support.requests import WESTGATE, raise_and_accept


async def trail(db: Database, ref: str) -> list[tuple[str, str, str]]:
    async with db.session() as session:
        return [(line.who, line.action, line.about) for line in await request_trail(session, ref)]


async def test_the_trail_lists_who_changed_and_read_the_request_oldest_first(
    demo_db: Database, clock: FixedClock
) -> None:
    request = await raise_and_accept(demo_db, clock, HANNAH, WESTGATE)
    other = await raise_and_accept(demo_db, clock, HANNAH, WESTGATE)
    assert request.id is not None and other.id is not None
    request_id = request.id
    clock.advance(hours=1)
    await as_person(demo_db, DANIEL, lambda s, a: open_for_reading(s, clock, a, request_id))
    clock.advance(hours=1)
    await as_person(demo_db, PRIYA, lambda s, a: open_for_reading(s, clock, a, request_id))

    lines = await trail(demo_db, f"  {request.ref.lower()} ")
    about = f"request {request.ref}"
    assert lines == [
        ("Hannah Reid", "request_started", about),
        ("Hannah Reid", "request_submit", about),
        ("Grace Li", "request_accept", about),
        ("Daniel Okafor", "request_read", about),
        ("Priya Shah", "request_read", about),
    ]
    assert all(other.ref not in line[2] for line in lines)


async def test_an_outcome_read_and_the_meetings_outcomes_are_in_the_trail_of_their_requests(
    demo_db: Database, clock: FixedClock
) -> None:
    held = await held_meeting(demo_db, clock, 2)
    first, second = held.request_ids
    rulings = await rulings_for_westgate(demo_db)
    await as_person(
        demo_db,
        GRACE,
        lambda s, a: save_outcome(s, clock, a, held.meeting_id, first, support_agreed(rulings)),
    )
    recording, item = await as_person(
        demo_db, PRIYA, lambda s, a: open_item(s, clock, a, held.meeting_id, first)
    )
    assert item is not None and item.request_id == first
    refs = [i.ref for i in recording.items]

    first_trail = await trail(demo_db, refs[0])
    meeting = f"meeting {held.meeting_id}"
    assert ("Grace Li", "request_discuss", f"request {refs[0]}") in first_trail
    assert ("Priya Shah", "outcome_read", f"request {refs[0]}") in first_trail
    assert ("Priya Shah", "outcomes_opened", meeting) in first_trail
    assert (NO_PERSON, "agenda_built", meeting) in first_trail  # the agenda item, built by the timeline
    second_trail = await trail(demo_db, refs[1])
    assert ("Priya Shah", "outcomes_opened", meeting) in second_trail  # every item was on the card
    assert ("Priya Shah", "outcome_read", f"request {refs[1]}") not in second_trail


async def test_an_unknown_reference_is_refused(demo_db: Database) -> None:
    with pytest.raises(UnknownReference, match="there is no request COS-NOPE-26-999"):
        await trail(demo_db, "cos-nope-26-999")
