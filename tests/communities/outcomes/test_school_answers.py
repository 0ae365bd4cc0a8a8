"""The school's answer when a review falls due: its staff answer, with a note checked for text that
may identify a child; the answer shows on the next agenda's reviews of earlier outcomes."""

from __future__ import annotations

import pytest
from sqlmodel import select

from cards.agenda_cards import chair_agenda_card, channel_agenda_cards
from communities.agendas import view as agenda_view
from communities.agendas.access import build_draft
from communities.audit import AuditEvent
from communities.clock import FixedClock
from communities.db import Database
from communities.outcomes.access import OutcomeRefused
from communities.outcomes.recording import IdentifyingText
from communities.outcomes.reviews import mark_reviews_due
from communities.outcomes.school_answers import answer_review
from communities.outcomes.tables import SchoolReviewAnswer
from tests.communities.outcomes.test_reviews import in_delivery
from tests.support.meetings import add_meeting
from tests.support.outcomes import as_person
from tests.support.people import GRACE, HANNAH, TOM


async def answers(db: Database) -> list[tuple[str, str | None]]:
    async with db.session() as session:
        rows = (await session.exec(select(SchoolReviewAnswer))).all()
    return [(str(r.result), r.note) for r in rows]


async def test_the_school_answers_once_its_review_is_due(demo_db: Database, clock: FixedClock) -> None:
    held = await in_delivery(demo_db, clock)
    [request_id] = held.request_ids
    with pytest.raises(OutcomeRefused, match="is not due for review now"):
        await as_person(
            demo_db, HANNAH, lambda s, a: answer_review(s, clock, a, request_id, "achieved", "Settled")
        )
    clock.advance(days=120)  # 10 April 2027: the review date (30 March) has come
    async with demo_db.session() as session:
        await mark_reviews_due(session, clock)
        await session.commit()
    with pytest.raises(OutcomeRefused, match="Choose how it went"):
        await as_person(demo_db, HANNAH, lambda s, a: answer_review(s, clock, a, request_id, "maybe", ""))
    said = await as_person(
        demo_db,
        HANNAH,
        lambda s, a: answer_review(
            s, clock, a, request_id, "partly_achieved", "Mornings  settled; afternoons not yet."
        ),
    )
    assert said.changed and said.question.note == "Mornings settled; afternoons not yet."
    again = await as_person(
        demo_db,
        HANNAH,
        lambda s, a: answer_review(
            s, clock, a, request_id, "partly_achieved", "Mornings settled; afternoons not yet."
        ),
    )
    assert not again.changed
    changed = await as_person(
        demo_db,
        HANNAH,
        lambda s, a: answer_review(s, clock, a, request_id, "achieved", "Settled all day now."),
    )
    assert changed.changed
    assert await answers(demo_db) == [("achieved", "Settled all day now.")]


async def test_others_are_refused_and_a_note_naming_a_child_is_warned(
    demo_db: Database, clock: FixedClock
) -> None:
    held = await in_delivery(demo_db, clock)
    [request_id] = held.request_ids
    clock.advance(days=120)
    for email in (GRACE, TOM):  # another school's leader (the vice chair too), another community's chair
        with pytest.raises(OutcomeRefused, match="Only a school leader or SENCO at Westgate Meadow"):
            await as_person(
                demo_db, email, lambda s, a: answer_review(s, clock, a, request_id, "achieved", "")
            )
    async with demo_db.session() as session:
        refused = (await session.exec(select(AuditEvent.action))).all()
    assert refused.count("school_review_answer_refused") == 2
    with pytest.raises(IdentifyingText):
        await as_person(
            demo_db,
            HANNAH,
            lambda s, a: answer_review(s, clock, a, request_id, "achieved", "Oliver Bennett settled well."),
        )
    assert await answers(demo_db) == []
    await as_person(
        demo_db,
        HANNAH,
        lambda s, a: answer_review(
            s, clock, a, request_id, "achieved", "Oliver Bennett settled well.", not_about_a_pupil=True
        ),
    )
    async with demo_db.session() as session:
        row = (await session.exec(select(SchoolReviewAnswer))).one()
    assert row.identifying_text_acknowledged["note"]["kinds"]


async def test_the_answer_shows_on_the_next_agenda_its_note_only_on_the_chairs_copy(
    demo_db: Database, clock: FixedClock
) -> None:
    held = await in_delivery(demo_db, clock)
    [request_id] = held.request_ids
    clock.advance(days=120)
    await as_person(
        demo_db,
        HANNAH,
        lambda s, a: answer_review(s, clock, a, request_id, "partly_achieved", "Mornings settled."),
    )
    meeting_id = await add_meeting(demo_db, clock, "CANT1", "2027-05-18 16:00")
    async with demo_db.session() as session:
        await build_draft(session, clock, meeting_id)
        await session.commit()
        view = await agenda_view.view(session, meeting_id=meeting_id)
    [line] = view.reviews
    assert (line.ref, line.school_says, line.school_note) == (
        "COS-CANT1-26-001",
        "Partly achieved",
        "Mornings settled.",
    )
    assert "Mornings settled." in str(chair_agenda_card(view))
    channel = str(channel_agenda_cards(view))
    assert "The school says: partly achieved." in channel and "Mornings settled." not in channel
