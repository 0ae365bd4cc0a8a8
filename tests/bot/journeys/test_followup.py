"""After the meeting, through the real app: an action marked done on its card (the card updates in
place), the school's review answered on its card, and the officer's outcomes summary."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

from sqlmodel import select

from bot.config import Settings
from communities.clock import FixedClock
from communities.db import Database
from communities.outcomes.confirming import confirm_outcomes
from communities.outcomes.recording import save_outcome
from communities.outcomes.tables import OutcomeAction, SchoolReviewAnswer
from communities.requests.tables import Request
from tests.bot.conftest import Post
from tests.bot.journeys.test_requests import GRACE, HANNAH, PRIYA, TOM, last_card, texts, turn
from tests.support.fake_connector import FakeConnector
from tests.support.outcomes import (
    action,
    as_person,
    held_meeting,
    owner_school,
    rulings_for_westgate,
    support_agreed,
)
from tests.support.people import GRACE as GRACE_EMAIL


async def decided(settings: Settings) -> tuple[int, int]:
    """Westgate's request decided at a CANT1 meeting with an action for St Dunstan's; (request, action)."""
    db, clock = Database(settings.database_url), FixedClock(datetime(2026, 11, 23, 9, 30, tzinfo=UTC))
    try:
        held = await held_meeting(db, clock)
        entry = support_agreed(await rulings_for_westgate(db), actions=(action(await owner_school(db)),))
        [request_id] = held.request_ids
        await as_person(
            db, GRACE_EMAIL, lambda s, a: save_outcome(s, clock, a, held.meeting_id, request_id, entry)
        )
        await as_person(db, GRACE_EMAIL, lambda s, a: confirm_outcomes(s, clock, a, held.meeting_id))
        async with db.session() as session:
            found = (await session.exec(select(OutcomeAction))).one()
        assert found.id is not None
        return request_id, found.id
    finally:
        await db.dispose()


async def make_due(settings: Settings, request_id: int) -> None:
    """Its review date has come (the daily job's business: here set directly)."""
    db = Database(settings.database_url)
    try:
        async with db.session() as session:
            request = await session.get(Request, request_id)
            assert request is not None
            request.status = "review_due"
            request.review_date = date(2026, 12, 1)
            session.add(request)
            await session.commit()
    finally:
        await db.dispose()


def shown(card: dict[str, Any]) -> str:
    return json.dumps(card, ensure_ascii=False)


async def test_mark_done_updates_the_card_in_place(
    fake: FakeConnector, post: Post, settings: Settings
) -> None:
    _, action_id = await decided(settings)
    press = {"action": "outcome_action_done", "outcome_action_id": action_id}
    refused = await turn(fake, post, HANNAH, value=press)  # Westgate's SENCO: not the owner school's
    assert "Sorry: Only the action's owner" in texts(refused)
    card = [r for r in await turn(fake, post, GRACE, "glossary") if r.card][-1]  # a card to press on
    replies = await turn(fake, post, GRACE, value=press, on=card.id)
    assert [r.id for r in replies] == [card.id]  # edited in place, nothing new
    done = fake.activity(card.id).card
    assert done is not None and "Action done" in shown(done) and "Marked done. Thank you." in shown(done)
    assert "outcome_action_done" not in shown(done)
    again = await turn(fake, post, GRACE, value=press, on=card.id)
    assert "already marked done" in shown(last_card(again))


async def test_the_school_answers_its_review_on_the_card(
    fake: FakeConnector, post: Post, settings: Settings
) -> None:
    request_id, _ = await decided(settings)
    await make_due(settings, request_id)
    answer = {"action": "school_review_answer", "request_id": request_id, "review_result": "partly_achieved"}
    refused = await turn(fake, post, TOM, value={**answer, "review_note": "Fine"})
    assert "Sorry: Only a school leader or SENCO at Westgate Meadow" in texts(refused)
    warned = last_card(
        await turn(fake, post, HANNAH, value={**answer, "review_note": "Oliver Bennett is settled."})
    )
    assert "not_about_a_pupil" in shown(warned) and "Oliver Bennett is settled." in shown(warned)
    thanked = last_card(await turn(fake, post, HANNAH, value={**answer, "review_note": "Mornings settled."}))
    assert "Thank you: COS-CANT1-26-001" in shown(thanked) and "Partly achieved" in shown(thanked)
    db = Database(settings.database_url)
    try:
        async with db.session() as session:
            rows = (await session.exec(select(SchoolReviewAnswer))).all()
    finally:
        await db.dispose()
    assert [(r.result, r.note) for r in rows] == [("partly_achieved", "Mornings settled.")]


async def test_officers_see_the_outcomes_by_community(
    fake: FakeConnector, post: Post, settings: Settings
) -> None:
    await decided(settings)
    card = last_card(await turn(fake, post, PRIYA, "decisions"))
    assert "Canterbury City Community (CANT1): 1 request decided" in shown(card)
    assert "Support agreed" in shown(card)
    refused = await turn(fake, post, HANNAH, "decisions")
    assert "only for a council officer" in texts(refused)
