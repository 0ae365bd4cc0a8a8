"""The return loop in the domain: a resubmission needs an answer, and the chair gets both back."""

from __future__ import annotations

import pytest

from communities.clock import FixedClock
from communities.db import Database
from communities.requests.returns import ANSWER, ANSWERED_NOTE, Exchange, exchange_of
from communities.requests.service import RequestRefused, return_for_info, submit
from communities.requests.tables import Request
from tests.communities.requests.test_service import act, draft
from tests.communities.requests.test_service import save_answers_op as save
from tests.support.people import GRACE, HANNAH
from tests.support.requests import COMPLETE

NOTE = "Please add what the educational psychologist advised."


async def stored(db: Database, request_id: int) -> Request:
    async with db.session() as session:
        request = await session.get(Request, request_id)
    assert request is not None
    return request


async def returned(db: Database, clock: FixedClock) -> int:
    request_id = await draft(db, clock, answers=COMPLETE)
    await act(db, clock, HANNAH, submit, request_id)
    await act(db, clock, GRACE, return_for_info, request_id, NOTE)
    return request_id


async def test_a_returned_request_cannot_be_resubmitted_without_an_answer_to_the_note(
    demo_db: Database, clock: FixedClock
) -> None:
    request_id = await returned(demo_db, clock)
    assert exchange_of(await stored(demo_db, request_id)) == Exchange(NOTE, None, new=False)
    with pytest.raises(RequestRefused, match="Answer the chair's note"):
        await act(demo_db, clock, HANNAH, submit, request_id)
    assert (await stored(demo_db, request_id)).status == "returned_for_info"


async def test_the_answer_comes_back_to_the_chair_beside_the_note_and_is_new_until_triaged(
    demo_db: Database, clock: FixedClock
) -> None:
    request_id = await returned(demo_db, clock)
    await act(demo_db, clock, HANNAH, save, request_id, {ANSWER: "Added to the needs section."})
    await act(demo_db, clock, HANNAH, submit, request_id)
    request = await stored(demo_db, request_id)
    assert request.status == "submitted" and request.return_note is None
    assert request.details[ANSWERED_NOTE] == NOTE
    assert exchange_of(request) == Exchange(NOTE, "Added to the needs section.", new=True)


async def test_returning_it_again_asks_for_a_new_answer(demo_db: Database, clock: FixedClock) -> None:
    request_id = await returned(demo_db, clock)
    await act(demo_db, clock, HANNAH, save, request_id, {ANSWER: "Added to the needs section."})
    await act(demo_db, clock, HANNAH, submit, request_id)
    await act(demo_db, clock, GRACE, return_for_info, request_id, "And the speech therapist's view?")
    request = await stored(demo_db, request_id)
    assert exchange_of(request) == Exchange("And the speech therapist's view?", None, new=False)
    assert ANSWER not in request.details and ANSWERED_NOTE not in request.details


def test_a_request_never_returned_has_no_exchange() -> None:
    request = Request(ref="R", community_id=1, school_id=1, created_by_person_id=1, details=dict(COMPLETE))
    assert exchange_of(request) is None
