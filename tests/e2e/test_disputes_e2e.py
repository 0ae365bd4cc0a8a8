"""Raising a dispute in the real Agents Playground: the school leader disputes her outcome from its
card in her own chat, and the chair (who deals with stage 1) gets the dispute in his.

Set-up (through the domain services, on the running bot's database): CANT1 met two hours ago and
decided St Dunstan's request (Grace Li's school, so the chair, Daniel Okafor, deals with its
dispute); the outcome is confirmed and told to Grace, as confirming in the chat would.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlmodel import col, update

from cards.outcomes.telling import outcomes_channel_card, school_outcome_card
from communities.clock import FixedClock, SystemClock
from communities.db import Database
from communities.meetings.tables import LONDON
from communities.messaging.outbox import Outbox
from communities.outcomes.confirming import confirm_outcomes
from communities.outcomes.recording import save_outcome
from communities.outcomes.telling import tell_confirmed
from communities.requests.tables import Request
from tests.e2e.playground import E2E
from tests.e2e.test_agenda_e2e import ANSWERS, SCHOOL, SCHOOL_URN, run_async
from tests.e2e.test_playground import DANIEL, GRACE, tick, type_answer
from tests.support.meetings import add_meeting
from tests.support.outcomes import person_id, publish, support_agreed
from tests.support.people import profile_of
from tests.support.requests import raise_and_accept

REASONS = "Other schools in the community were funded for the same level of need."


def an_outcome_told_to_grace(e2e: E2E) -> str:
    """St Dunstan's request decided two hours ago and confirmed; Grace is told. Its reference."""
    assert e2e.bot is not None
    url = e2e.bot.database_url

    async def work() -> str:
        database = Database(url)
        clock = SystemClock()
        now = clock.now()
        before = FixedClock(now - timedelta(days=20))
        start = (now - timedelta(hours=2)).astimezone(LONDON).replace(second=0, microsecond=0, tzinfo=None)
        try:
            meeting_id = await add_meeting(database, before, "CANT1", f"{start:%Y-%m-%d %H:%M}", minutes=60)
            request = await raise_and_accept(database, before, GRACE, SCHOOL_URN, ANSWERS, chair=DANIEL)
            assert request.id is not None
            async with database.session() as session:
                await session.exec(  # type: ignore[call-overload]
                    update(Request).where(col(Request.id) == request.id).values(meeting_id=meeting_id)
                )
                await session.commit()
            await publish(database, before, meeting_id)
            entry = replace(
                support_agreed({await person_id(database, GRACE): "took_no_part"}),
                decision="advice_only",
                review_date=None,
            )
            daniel = await profile_of(database, DANIEL)
            async with database.session() as session:
                await save_outcome(session, clock, daniel, meeting_id, request.id, entry)
                confirmation = await confirm_outcomes(session, clock, daniel, meeting_id)
                outbox = Outbox(clock)
                await tell_confirmed(
                    session,
                    clock,
                    outbox,
                    confirmation,
                    school_card=school_outcome_card,
                    channel_card=outcomes_channel_card,
                )
                await session.commit()
            return request.ref
        finally:
            await database.dispose()

    return run_async(work)


@pytest.mark.e2e
def test_the_school_leader_disputes_her_outcome_and_the_chair_is_told(e2e: E2E) -> None:
    grace = e2e.start(as_email=GRACE)
    grace.wait_for_bot_message("Raise a request")
    daniel = e2e.open_other_client(DANIEL)  # his Teams is open too
    daniel.wait_for_bot_message("Community chair")
    ref = an_outcome_told_to_grace(e2e)

    told = grace.wait_for_bot_message(f"Outcome of {ref}", timeout=30)
    told.get_by_role("button", name="Dispute this outcome").click()
    form = grace.wait_for_bot_message(f"Dispute the outcome of {ref}")
    tick(form, "What do you dispute?", "The fairness of the allocation")
    type_answer(form, "Your reasons. Never a pupil's name or date of birth.", REASONS)
    form.get_by_role("button", name="Send the dispute").click()

    sent = grace.wait_for_bot_message("Your dispute has been sent.")
    shown = sent.inner_text()
    for expected in (
        ref,
        SCHOOL,
        "Stage 1: informal resolution with the chair",
        "Waiting to be acknowledged",
    ):
        assert expected in shown, f"{expected!r} not in Grace's card:\n{shown}"

    asked = daniel.wait_for_bot_message(f"Dispute of {ref}", timeout=30)
    text = asked.inner_text()
    assert REASONS in text and "The fairness of the allocation" in text, text
    assert asked.get_by_role("button", name="Acknowledge").count() == 1
    e2e.assert_bot_healthy()
