"""Each person's view of a meeting's channel cards, and the chair's nudge, on PostgreSQL."""

from __future__ import annotations

import pytest
from sqlmodel import select

from communities.audit import AuditEvent
from communities.clock import FixedClock
from communities.db import Database
from communities.meetings import rsvp, rsvp_views
from communities.meetings.rsvp import RsvpAnswer, RsvpRefused
from communities.messaging.outbox import Outbox, OutboxMessage, OutgoingMessage
from tests.support.meetings import add_meeting
from tests.support.people import DANIEL, GRACE, HANNAH, personal_chat, profile_of


async def test_views_and_a_nudge_on_postgresql(pg_demo_db: Database, clock: FixedClock) -> None:
    db = pg_demo_db
    meeting_id = await add_meeting(db, clock, "CANT1", "2026-11-24 16:00")
    daniel, grace, hannah = [await profile_of(db, email) for email in (DANIEL, GRACE, HANNAH)]
    async with db.session() as session:
        session.add(personal_chat(grace.person_id, GRACE, clock.now()))
        await rsvp.answer(session, clock, meeting_id, hannah, RsvpAnswer.APOLOGIES)
        await session.commit()
    async with db.session() as session:
        facts = await rsvp.reminder_facts(session, meeting_id)
        mine = await rsvp_views.personal_view(session, clock, meeting_id, hannah)
        chair = await rsvp_views.personal_view(session, clock, meeting_id, daniel)
    assert facts is not None and facts.member_user_ids == (f"29:{GRACE}",) and facts.members >= 3
    assert mine.mine is RsvpAnswer.APOLOGIES and mine.chair is None
    assert chair.chair is not None and "Grace Li" in chair.chair.not_answered
    assert "Hannah Reid" not in chair.chair.not_answered

    outbox, message = Outbox(clock), OutgoingMessage(text="Please answer.")
    async with db.session() as session:
        with pytest.raises(RsvpRefused):
            await rsvp_views.nudge(session, clock, outbox, hannah, meeting_id, message)
    async with db.session() as session:
        nudged = await rsvp_views.nudge(session, clock, outbox, daniel, meeting_id, message)
        await session.commit()
    assert nudged.told == 1 and nudged.unreachable >= 1
    async with db.session() as session:
        actions = sorted(
            a.action for a in (await session.exec(select(AuditEvent))).all() if "nudge" in a.action
        )
        rows = (await session.exec(select(OutboxMessage))).all()
    assert actions == ["rsvp_nudge_refused", "rsvp_nudged"]
    assert [r.idempotency_key.startswith(f"rsvp_nudge:{meeting_id}:") for r in rows] == [True]
