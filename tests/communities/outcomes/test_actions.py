"""Agreed actions after the meeting: marked done by their owner (or the chair, vice chair, an officer),
cancelled only by those three, refusals audited and changing nothing, reminders before they are due."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from communities.audit import AuditEvent
from communities.clock import FixedClock
from communities.db import Database
from communities.outcomes.access import OutcomeRefused
from communities.outcomes.actions import mark_action, open_actions, overdue_actions, reminders_due
from communities.outcomes.confirming import confirm_outcomes
from communities.outcomes.recording import save_outcome
from communities.outcomes.tables import ActionStatus, OutcomeAction
from tests.support.outcomes import (
    action,
    as_person,
    held_meeting,
    owner_school,
    person_id,
    rulings_for_westgate,
    support_agreed,
)
from tests.support.people import DANIEL, GRACE, HANNAH, PRIYA, TOM


async def with_action(db: Database, clock: FixedClock, *, confirm: bool = True) -> int:
    """A confirmed outcome with one action for St Dunstan's (Grace's school), due Friday 15 January 2027."""
    held = await held_meeting(db, clock)
    entry = support_agreed(await rulings_for_westgate(db), actions=(action(await owner_school(db)),))
    await as_person(
        db, GRACE, lambda s, a: save_outcome(s, clock, a, held.meeting_id, held.request_ids[0], entry)
    )
    if confirm:
        await as_person(db, GRACE, lambda s, a: confirm_outcomes(s, clock, a, held.meeting_id))
    async with db.session() as session:
        found = (await session.exec(select(OutcomeAction))).one()
    assert found.id is not None
    return found.id


async def status(db: Database, action_id: int) -> str:
    async with db.session() as session:
        found = await session.get(OutcomeAction, action_id)
    assert found is not None
    return str(found.status)


async def refusals(db: Database) -> list[str]:
    async with db.session() as session:
        rows = (await session.exec(select(AuditEvent.action))).all()
    return [a for a in rows if a.endswith("_refused")]


async def test_the_owner_school_marks_its_action_done_once(demo_db: Database, clock: FixedClock) -> None:
    action_id = await with_action(demo_db, clock)
    marked = await as_person(demo_db, GRACE, lambda s, a: mark_action(s, clock, a, action_id))
    assert marked.changed and marked.line.status is ActionStatus.DONE
    assert marked.line.ref == "COS-CANT1-26-001" and marked.line.owner.startswith("St Dunstan")
    again = await as_person(demo_db, GRACE, lambda s, a: mark_action(s, clock, a, action_id))
    assert not again.changed and await status(demo_db, action_id) == "done"
    with pytest.raises(OutcomeRefused, match="already done"):
        await as_person(
            demo_db, PRIYA, lambda s, a: mark_action(s, clock, a, action_id, ActionStatus.CANCELLED)
        )


async def test_others_are_refused_audited_and_nothing_changes(demo_db: Database, clock: FixedClock) -> None:
    action_id = await with_action(demo_db, clock)
    for email in (HANNAH, TOM):  # Westgate's SENCO (not the owner school), another community's chair
        with pytest.raises(OutcomeRefused, match="Only the action's owner"):
            await as_person(demo_db, email, lambda s, a: mark_action(s, clock, a, action_id))
    with pytest.raises(OutcomeRefused, match="can cancel an agreed action"):
        await as_person(
            demo_db, HANNAH, lambda s, a: mark_action(s, clock, a, action_id, ActionStatus.CANCELLED)
        )
    assert await status(demo_db, action_id) == "open"
    assert await refusals(demo_db) == [
        "action_done_refused",
        "action_done_refused",
        "action_cancelled_refused",
    ]
    # The chair (of the community: the action is not his school's request to decide) and an officer may.
    cancelled = await as_person(
        demo_db, DANIEL, lambda s, a: mark_action(s, clock, a, action_id, ActionStatus.CANCELLED)
    )
    assert cancelled.changed and await status(demo_db, action_id) == "cancelled"


async def test_a_draft_outcomes_actions_are_not_there_yet(demo_db: Database, clock: FixedClock) -> None:
    action_id = await with_action(demo_db, clock, confirm=False)
    with pytest.raises(OutcomeRefused, match="not confirmed yet"):
        await as_person(demo_db, PRIYA, lambda s, a: mark_action(s, clock, a, action_id))
    async with demo_db.session() as session:
        assert await open_actions(session, date(2027, 1, 1)) == []


async def test_open_overdue_and_reminders_due(demo_db: Database, clock: FixedClock) -> None:
    action_id = await with_action(demo_db, clock)
    grace = await person_id(demo_db, GRACE)
    async with demo_db.session() as session:
        assert [line.action_id for line in await open_actions(session, date(2027, 1, 1))] == [action_id]
        assert await overdue_actions(session, date(2027, 1, 15)) == []
        assert [line.action_id for line in await overdue_actions(session, date(2027, 1, 16))] == [action_id]
        assert await reminders_due(session, date(2027, 1, 11), 3) == []
        [reminder] = await reminders_due(session, date(2027, 1, 12), 3)
        assert reminder.owners == (grace,)  # St Dunstan's one school leader
        assert reminder.key == f"outcomes:action_reminder:{action_id}:2027-01-15"
        assert await reminders_due(session, date(2027, 1, 16), 3) == []  # overdue: no reminder
