"""After a meeting, in the real Agents Playground: the chair records an outcome and confirms it; the
school leader sees it in her own chat, and the summary appears in the community's channel.

Set-up (through the domain services, on the running bot's database): CANT1 met two hours ago, with
a request from St Dunstan's (Grace Li's school, so she is flagged on it) on its published agenda.
Daniel Okafor, the chair, records and confirms in his Teams; Grace has her own Teams open at the same
time (a second Playground), so the bot's message to her shows in her personal chat.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import col, update

from bot.cli import playground as pgconfig
from communities.clock import FixedClock, SystemClock
from communities.db import Database
from communities.meetings.tables import LONDON
from communities.requests.tables import Request
from tests.e2e.playground import CHANNEL, E2E
from tests.e2e.test_agenda_e2e import (
    ANSWERS,
    COMMUNITY,
    SCHOOL,
    SCHOOL_URN,
    channel_post,
    link_the_channel,
    run_async,
)
from tests.e2e.test_playground import DANIEL, GRACE, pick_option, type_answer
from tests.support.meetings import add_meeting
from tests.support.outcomes import publish
from tests.support.requests import raise_and_accept

WORKING = "The key adult at transitions is working well in the mornings."


def a_meeting_that_has_taken_place(e2e: E2E) -> str:
    """CANT1 met two hours ago, with St Dunstan's request on its published agenda; the request's ref."""
    assert e2e.bot is not None
    url = e2e.bot.database_url

    async def work() -> str:
        database = Database(url)
        now = SystemClock().now()
        before = FixedClock(now - timedelta(days=20))  # when the meeting was added and the request made
        start = (now - timedelta(hours=2)).astimezone(LONDON).replace(second=0, microsecond=0, tzinfo=None)
        try:
            meeting_id = await add_meeting(database, before, "CANT1", f"{start:%Y-%m-%d %H:%M}", minutes=60)
            request = await raise_and_accept(database, before, GRACE, SCHOOL_URN, ANSWERS, chair=DANIEL)
            async with database.session() as session:  # this meeting, not another of the demo's
                await session.exec(  # type: ignore[call-overload]
                    update(Request).where(col(Request.id) == request.id).values(meeting_id=meeting_id)
                )
                await session.commit()
            await publish(database, before, meeting_id)
            return request.ref
        finally:
            await database.dispose()

    return run_async(work)


@pytest.mark.e2e
def test_the_chair_records_and_confirms_and_the_school_and_channel_see_it(e2e: E2E) -> None:
    daniel = e2e.start(as_email=DANIEL)
    daniel.wait_for_bot_message("Community chair")
    link_the_channel(daniel)
    ref = a_meeting_that_has_taken_place(e2e)
    grace = e2e.open_other_client(GRACE)  # her Teams is open too
    grace.wait_for_bot_message("Raise a request")

    daniel.open_personal_chat()
    daniel.send("outcomes")
    card = daniel.wait_for_bot_message(f"Outcomes: {COMMUNITY}")
    assert ref in card.inner_text() and "Not recorded yet" in card.inner_text()
    card.get_by_role("button", name="Record", exact=True).click()

    item = daniel.wait_for_bot_message(f"Outcome of {ref}")
    assert "Grace Li" in item.inner_text()  # flagged: it is her school
    pick_option(item, "The meeting's decision", "Advice only")
    type_answer(item, "What is working (what the school already does well)", WORKING)
    pick_option(item, "The chair's ruling for Grace Li", "Took no part")
    item.get_by_role("button", name="Save this outcome").click()

    saved = daniel.wait_for_bot_message(f"The outcome of {ref} is saved as a draft.")
    assert "Advice only (draft)" in saved.inner_text()
    saved.get_by_role("button", name="Confirm outcomes").click()
    confirm = daniel.wait_for_bot_message("Confirm the outcomes of CANT1")
    confirm.get_by_role("button", name="Yes, confirm and tell the schools").click()

    done = daniel.wait_for_bot_message("Outcomes confirmed: CANT1")
    assert "told Grace Li" in done.inner_text(), done.inner_text()
    assert done.locator(".ac-adaptiveCard").get_by_role("button").count() == 0  # read-only
    # One card went from the outcomes to the item, the confirmation and the result, in place.
    assert daniel.chat_messages_by().filter(has_text="Outcomes confirmed: CANT1").count() == 1
    assert daniel.chat_messages_by().filter(has_text=f"Outcomes: {COMMUNITY}").count() == 0

    # Grace, the school's leader, reads the outcome in her own chat.
    told = grace.wait_for_bot_message(f"Outcome of {ref}", timeout=30)
    shown = told.inner_text()
    for expected in ("Advice only", WORKING, "For parents and carers", "not Kent's"):
        assert expected in shown, f"{expected!r} not in Grace's message:\n{shown}"

    # The channel: one summary, with the reference, the school and the decision only.
    daniel.open_channel(CHANNEL)
    post = channel_post(daniel, f"Outcomes: {COMMUNITY}")
    posted = post.inner_text()
    for expected in (ref, SCHOOL, "Advice only"):
        assert expected in posted, f"{expected!r} not in the channel's summary:\n{posted}"
    [event] = daniel.observer.bot_messages(f"Outcomes: {COMMUNITY}", conversation=pgconfig.CHANNEL_ID)
    for secret in (WORKING, ANSWERS["pupil_ref"], ANSWERS["needs_summary"], "Grace Li"):
        assert secret not in posted and secret not in event.text, f"{secret!r} is in the channel"
    e2e.assert_bot_healthy()
