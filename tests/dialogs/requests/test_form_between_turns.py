"""The form reads its request afresh every turn: what someone else did in between is seen.

(Within a turn the form carries the request it has just checked or saved, and its school's and
community's names, to the next card; nothing is carried from one turn to the next.)
"""

from __future__ import annotations

from communities.clock import FixedClock
from communities.db import Database
from communities.messaging.outbox import Outbox
from communities.requests.service import save_answers, withdraw
from communities.roster.tables import School
from tests.dialogs.chat import Chat, action, flat
from tests.dialogs.requests.test_form import ONE_PUPIL, section_of, the_request, walk
from tests.support.people import DANIEL, HANNAH, profile_of
from tests.support.requests import school_id


async def test_a_colleague_s_change_between_two_turns_is_on_the_next_card(
    demo_db: Database, clock: FixedClock
) -> None:
    chat = Chat(demo_db, clock, HANNAH)
    await walk(chat, ONE_PUPIL, stop_at="needs")
    request = await the_request(demo_db)
    assert request.id is not None
    async with demo_db.session() as session:  # Daniel, a leader at the same school, in between
        await save_answers(
            session, clock, await profile_of(demo_db, DANIEL), request.id, {"pupil_ref": "WM-2026-99"}
        )
        await session.commit()
    back = await chat.say("back")
    assert section_of(back.card) == "pupil"
    assert next(e for e in back.card["body"] if e.get("id") == "pupil_ref")["value"] == "WM-2026-99"
    onward = await chat.fill(back.card, pupil_ref="WM-2026-07")  # saved over it, knowingly
    assert section_of(onward.card) == "needs"
    stored = await the_request(demo_db)
    assert stored.details["pupil_ref"] == "WM-2026-07" and stored.version == request.version + 2


async def test_a_request_withdrawn_between_two_turns_is_not_saved_to(
    demo_db: Database, clock: FixedClock
) -> None:
    chat = Chat(demo_db, clock, HANNAH)
    at = await walk(chat, ONE_PUPIL, stop_at="needs")
    request = await the_request(demo_db)
    assert request.id is not None
    async with demo_db.session() as session:
        await withdraw(session, clock, Outbox(clock), await profile_of(demo_db, DANIEL), request.id)
        await session.commit()
    refused = await chat.fill(at.card, **ONE_PUPIL["needs"])
    assert f"Request {request.ref} has been withdrawn, so it can no longer be changed here" in refused.text
    assert refused.cards == []
    stored = await the_request(demo_db)
    assert stored.status == "withdrawn" and "needs_summary" not in stored.details


async def test_the_review_after_a_save_names_the_school_read_with_the_request(
    demo_db: Database, clock: FixedClock
) -> None:
    chat = Chat(demo_db, clock, HANNAH)
    review = await walk(chat, ONE_PUPIL)
    async with demo_db.session() as session:
        school = await session.get(School, await school_id(demo_db, "990101"))
    assert school is not None and school.name in flat(review.card)
    async with demo_db.session() as session:  # renamed between two turns: the next card says so
        school.name = "Westgate Primary (renamed)"
        session.add(school)
        await session.commit()
    needs = await chat.press(action(review.card, "Edit: needs"))
    again = await chat.fill(needs.card)
    assert section_of(again.card) == "review" and "Westgate Primary (renamed)" in flat(again.card)
