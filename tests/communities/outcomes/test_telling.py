"""The school told on confirmation (its own chat), finance of funding, the channel once; nothing twice;
and the after-meeting message asking the chair and vice chair to record the outcomes."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from sqlmodel import col, select

from cards.meetings.timeline import MeetingSummary
from cards.outcomes.telling import outcomes_channel_card, school_outcome_card
from communities.clock import FixedClock
from communities.db import Database
from communities.meetings.rsvp import QuorumRule
from communities.meetings.tables import Meeting
from communities.messaging.outbox import Outbox, OutboxMessage
from communities.outcomes import telling
from communities.outcomes.confirming import confirm_outcomes
from communities.outcomes.recording import save_outcome
from communities.outcomes.tables import Outcome
from communities.roster.tables import Community
from scheduler.steps import StepContext, run_step, summary_of
from scheduler.timeline import StepKind, TimelineOffsets, step_of, timeline_for
from tests.communities.agendas.test_agendas import give_chat, link_channel
from tests.support.outcomes import as_person, held_meeting, person_id, rulings_for_westgate, support_agreed
from tests.support.people import DANIEL, GRACE, HANNAH, PRIYA


async def rows(db: Database, prefix: str) -> list[OutboxMessage]:
    async with db.session() as session:
        found = (await session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id)))).all()
    return [row for row in found if row.idempotency_key.startswith(prefix)]


async def confirm_and_tell(db: Database, clock: FixedClock, meeting_id: int) -> telling.Telling:
    async def work(session, actor):  # type: ignore[no-untyped-def]
        confirmation = await confirm_outcomes(session, clock, actor, meeting_id)
        return await telling.tell_confirmed(
            session,
            clock,
            Outbox(clock),
            confirmation,
            school_card=school_outcome_card,
            channel_card=outcomes_channel_card,
        )

    result: telling.Telling = await as_person(db, GRACE, work)
    return result


async def test_the_school_is_told_once_and_the_channel_gets_one_summary(
    demo_db: Database, clock: FixedClock
) -> None:
    held = await held_meeting(demo_db, clock, 1)
    [request_id] = held.request_ids
    for email in (HANNAH, DANIEL):
        await give_chat(demo_db, clock, email)
    await link_channel(demo_db, clock)
    entry = replace(
        support_agreed(await rulings_for_westgate(demo_db)),
        decision="funding_agreed",
        funding="1,500.50",
        funding_from=date(2027, 1, 4),
        funding_to=date(2027, 3, 31),
    )
    await as_person(
        demo_db, GRACE, lambda s, a: save_outcome(s, clock, a, held.meeting_id, request_id, entry)
    )

    told = await confirm_and_tell(demo_db, clock, held.meeting_id)

    [school] = told.schools
    assert set(school.told) == {"Hannah Reid", "Daniel Okafor"} and told.channel
    dms = await rows(demo_db, "outcome:")
    assert {row.idempotency_key for row in dms} == {
        f"outcome:1:school:{await person_id(demo_db, HANNAH)}",
        f"outcome:1:school:{await person_id(demo_db, DANIEL)}",
    }
    shown = str(dms[0].payload)
    assert "£1,500.50" in shown and "Outreach from their nurture lead" in shown and "not Kent" in shown
    [post] = await rows(demo_db, "outcomes:")
    posted = str(post.payload)
    assert school.ref in posted and "Funding agreed" in posted and "£1,500.50" in posted
    assert "calm space" not in posted and "nurture" not in posted  # the school's detail stays in its chat
    async with demo_db.session() as session:
        outcome = (await session.exec(select(Outcome))).one()
    assert outcome.school_told_at == clock.now()

    again = await confirm_and_tell(demo_db, clock, held.meeting_id)
    assert again.schools == () and not again.channel
    assert len(await rows(demo_db, "outcome")) == 3


async def test_after_the_meeting_the_chair_and_vice_chair_are_asked_to_record_the_outcomes(
    demo_db: Database, clock: FixedClock
) -> None:
    held = await held_meeting(demo_db, clock, 1)
    for email in (DANIEL, GRACE, PRIYA):
        await give_chat(demo_db, clock, email)
    outbox = Outbox(clock)
    async with demo_db.session() as session:
        meeting = await session.get(Meeting, held.meeting_id)
        assert meeting is not None
        community = await session.get(Community, meeting.community_id)
        assert community is not None
        steps = timeline_for(meeting, TimelineOffsets(), meeting.starts_at)
        step = step_of(steps, StepKind.OUTCOMES_DUE)
        assert step is not None and step.due == meeting.ends_at + timedelta(minutes=30)
        summary: MeetingSummary = summary_of(meeting, community)
        ctx = StepContext(meeting, community, step, summary, clock, outbox, QuorumRule(), "")
        queued = await run_step(session, ctx)
        await session.commit()
    assert queued == 2
    sent = await rows(demo_db, f"timeline:{held.meeting_id}:outcomes_due")
    assert {row.idempotency_key.rsplit(":", 1)[1] for row in sent} == {
        str(await person_id(demo_db, DANIEL)),
        str(await person_id(demo_db, GRACE)),
    }
    shown = str(sent[0].payload)
    assert "Record the outcomes of Canterbury City Community (CANT1)" in shown
    assert "COS-CANT1-26-001" in shown and "outcomes_open" in shown
