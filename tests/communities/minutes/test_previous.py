"""The next agenda's section 3: the previous minutes for approval, with the open and overdue actions."""

from __future__ import annotations

import json

from sqlmodel import select

from cards.agenda_cards import chair_agenda_cards, channel_agenda_cards
from communities.agendas.access import build_draft
from communities.agendas.view import AgendaView, view
from communities.clock import FixedClock
from communities.db import Database
from communities.minutes.tables import MinutesStatus
from communities.outcomes.tables import ActionStatus, OutcomeAction
from tests.communities.minutes.test_minutes import approve_as, open_as
from tests.support.meetings import add_meeting
from tests.support.minutes import ACTION, decided_meeting
from tests.support.outcomes import as_person
from tests.support.people import DANIEL


async def next_agenda(db: Database, clock: FixedClock, meeting_id: int) -> AgendaView:
    async with db.session() as session:
        await build_draft(session, clock, meeting_id)
        shown = await view(session, meeting_id=meeting_id)
        await session.commit()
    return shown


async def test_the_next_agenda_shows_the_minutes_and_the_open_actions(
    demo_db: Database, clock: FixedClock
) -> None:
    decided = await decided_meeting(demo_db, clock)
    later = await add_meeting(demo_db, clock, "CANT1", "2027-01-20 16:00")

    shown = await next_agenda(demo_db, clock, later)
    assert shown.minutes is not None and shown.minutes.status is None  # not written yet
    assert shown.minutes.when == "Thursday 10 December 2026"
    [action] = shown.minutes.actions
    assert (action.ref, action.description, action.overdue) == (decided.ref, ACTION, True)  # due 15 January
    assert shown.minutes.overdue == 1

    minutes = await as_person(demo_db, DANIEL, open_as(clock, decided.meeting_id))
    assert (await next_agenda(demo_db, clock, later)).minutes.status is MinutesStatus.DRAFT  # type: ignore[union-attr]
    await as_person(demo_db, DANIEL, approve_as(clock, decided.meeting_id, minutes.version))
    shown = await next_agenda(demo_db, clock, later)
    assert shown.minutes is not None and shown.minutes.status is MinutesStatus.APPROVED

    chair = json.dumps(chair_agenda_cards(shown))
    assert "Minutes of the meeting on Thursday 10 December 2026: approved by the chair" in chair
    assert "1 action open, 1 overdue" in chair and ACTION in chair and "overdue" in chair
    channel = json.dumps(channel_agenda_cards(shown))
    assert decided.ref in channel and "an action due 15 January 2027, overdue" in channel
    assert ACTION not in channel and "St Dunstan" not in channel  # no free text or owner in a channel

    async with demo_db.session() as session:  # a done action is no longer listed
        for row in (await session.exec(select(OutcomeAction))).all():
            row.status = ActionStatus.DONE
            session.add(row)
        await session.commit()
    shown = await next_agenda(demo_db, clock, later)
    assert shown.minutes is not None and shown.minutes.actions == ()
    assert "No actions are open." in json.dumps(chair_agenda_cards(shown))


async def test_an_agenda_with_no_previous_meeting_says_so(demo_db: Database, clock: FixedClock) -> None:
    first = await add_meeting(demo_db, clock, "CANT1", "2027-01-20 16:00")
    shown = await next_agenda(demo_db, clock, first)
    assert shown.minutes is None
    assert "No previous meeting on record." in json.dumps(chair_agenda_cards(shown))
