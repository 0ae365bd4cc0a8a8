"""Recording outcomes item by item, as drafts in the database, by someone who may decide them."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from sqlmodel import select

from communities.audit import AuditEvent
from communities.clock import FixedClock
from communities.db import Database
from communities.meetings.service import cancel
from communities.outcomes.access import CANCELLED, NOT_STARTED, OutcomeChanged, OutcomeRefused
from communities.outcomes.recording import OWN_RULING, IdentifyingText, open_recording, save_outcome
from communities.outcomes.tables import Outcome, OutcomeAction
from communities.outcomes.validation import OutcomeEntry, OutcomeInvalid
from communities.requests.tables import Request
from tests.support.meetings import add_meeting
from tests.support.outcomes import (
    MEETING_AT,
    action,
    as_person,
    held_meeting,
    owner_school,
    person_id,
    publish,
    rulings_for_westgate,
    status_of,
    support_agreed,
)
from tests.support.people import DANIEL, GRACE, HANNAH, PRIYA, TOM
from tests.support.requests import raise_and_accept, school_id


def save(meeting_id: int, request_id: int, entry: OutcomeEntry, **options: Any) -> Any:
    async def work(session: Any, actor: Any) -> Any:
        return await save_outcome(session, clock_of[0], actor, meeting_id, request_id, entry, **options)

    return work


clock_of: list[FixedClock] = []


@pytest.fixture(autouse=True)
def _remember_clock(clock: FixedClock) -> Any:
    clock_of[:] = [clock]
    yield
    clock_of.clear()


async def outcomes(db: Database) -> list[Outcome]:
    async with db.session() as session:
        return list((await session.exec(select(Outcome))).all())


async def audit_actions(db: Database) -> list[str]:
    async with db.session() as session:
        return [row.action for row in (await session.exec(select(AuditEvent))).all()]


async def test_the_recording_lists_the_agenda_items_with_their_flagged_members(
    demo_db: Database, clock: FixedClock
) -> None:
    held = await held_meeting(demo_db, clock, 2)
    recording = await as_person(demo_db, GRACE, lambda s, a: open_recording(s, clock, a, held.meeting_id))
    assert [item.request_id for item in recording.items] == held.request_ids
    first = recording.items[0]
    assert first.school == "Westgate Meadow Primary School" and not first.recorded
    assert {f.name for f in first.flagged} == {"Daniel Okafor", "Hannah Reid"}
    assert not recording.complete and not recording.confirmed
    assert "outcomes_opened" in await audit_actions(demo_db)


async def test_saving_an_item_keeps_a_draft_and_the_request_is_discussed(
    demo_db: Database, clock: FixedClock
) -> None:
    held = await held_meeting(demo_db, clock)
    [request_id] = held.request_ids
    assert await status_of(demo_db, request_id) == "scheduled"
    entry = support_agreed(
        await rulings_for_westgate(demo_db), actions=(action(await owner_school(demo_db)),)
    )
    shown = await as_person(demo_db, GRACE, save(held.meeting_id, request_id, entry))
    assert shown.status == "draft" and shown.decision == "support_agreed" and shown.version == 1
    assert shown.actions[0].owner == "St Dunstan's Church of England Primary School"
    assert await status_of(demo_db, request_id) == "discussed"
    # Saved again from the card it showed: the actions are replaced, not added to.
    again = await as_person(demo_db, GRACE, save(held.meeting_id, request_id, entry, version=shown.version))
    assert again.version == 2 and len(again.actions) == 1
    async with demo_db.session() as session:
        assert len((await session.exec(select(OutcomeAction))).all()) == 1


async def test_a_stale_card_never_overwrites_a_newer_save(demo_db: Database, clock: FixedClock) -> None:
    held = await held_meeting(demo_db, clock)
    [request_id] = held.request_ids
    entry = support_agreed(await rulings_for_westgate(demo_db))
    first = await as_person(demo_db, GRACE, save(held.meeting_id, request_id, entry))
    await as_person(demo_db, PRIYA, save(held.meeting_id, request_id, entry, version=first.version))
    with pytest.raises(OutcomeChanged, match="Someone else saved"):
        changed = replace(entry, decision="advice_only", review_date=None)
        await as_person(demo_db, GRACE, save(held.meeting_id, request_id, changed, version=first.version))
    [kept] = await outcomes(demo_db)
    assert kept.decision == "support_agreed" and kept.version == 2


async def test_a_saved_draft_survives_a_restart(
    demo_db: Database, clock: FixedClock, database_url: str
) -> None:
    held = await held_meeting(demo_db, clock)
    [request_id] = held.request_ids
    entry = support_agreed(await rulings_for_westgate(demo_db), funding=None)
    await as_person(demo_db, GRACE, save(held.meeting_id, request_id, entry))
    await demo_db.dispose()  # the bot stops in the middle of recording...
    restarted = Database(database_url)  # ...and starts again: a new engine, new sessions
    try:
        recording = await as_person(
            restarted, GRACE, lambda s, a: open_recording(s, clock, a, held.meeting_id)
        )
    finally:
        await restarted.dispose()
    [item] = recording.items
    assert item.outcome is not None and item.outcome.decision == "support_agreed"
    assert item.outcome.review_date == date(2027, 3, 30)
    assert {f.recorded for f in item.flagged} == {"took_no_part", "spoke_not_decided"}


async def test_the_chair_may_not_decide_a_request_from_his_own_school(
    demo_db: Database, clock: FixedClock
) -> None:
    held = await held_meeting(demo_db, clock)
    [request_id] = held.request_ids
    entry = support_agreed(await rulings_for_westgate(demo_db))
    with pytest.raises(OutcomeRefused) as refused:
        await as_person(demo_db, DANIEL, save(held.meeting_id, request_id, entry))
    said = str(refused.value)
    assert said.startswith("Only someone without a conflict of interest can record the outcome of COS-")
    assert "Westgate Meadow Primary School is your school" in said
    assert "Grace Li (vice chair) or a council officer can do it instead" in said
    assert await outcomes(demo_db) == [] and await status_of(demo_db, request_id) == "scheduled"
    assert "outcome_save_refused_conflict" in await audit_actions(demo_db)
    # The vice chair, or an officer, may.
    await as_person(demo_db, PRIYA, save(held.meeting_id, request_id, entry))
    assert len(await outcomes(demo_db)) == 1


async def test_the_chairs_recorded_ruling_keeps_any_member_out_of_the_decision(
    demo_db: Database, clock: FixedClock
) -> None:
    held = await held_meeting(demo_db, clock, email=GRACE, urn="990102")  # St Dunstan's: Grace is flagged
    [request_id] = held.request_ids
    grace_id = await as_person(demo_db, GRACE, lambda s, a: _id(a))
    with pytest.raises(OutcomeRefused, match="St Dunstan's Church of England Primary School is your school"):
        await as_person(
            demo_db, GRACE, save(held.meeting_id, request_id, support_agreed({grace_id: "took_no_part"}))
        )
    # Daniel is not flagged on it, so he records it, with Grace's ruling.
    await as_person(
        demo_db, DANIEL, save(held.meeting_id, request_id, support_agreed({grace_id: "took_no_part"}))
    )
    assert len(await outcomes(demo_db)) == 1


async def _id(actor: Any) -> int:
    return int(actor.person_id)


async def test_someone_flagged_may_not_rule_on_their_own_conflict(
    demo_db: Database, clock: FixedClock
) -> None:
    """A trust conflict does not keep a member out by default, but they may not rule on it themselves."""
    held = await held_meeting(demo_db, clock)
    [request_id] = held.request_ids
    harbledown = await school_id(demo_db, "990103")
    async with demo_db.session() as session:  # as if Harbledown Park (Grace's trust) had raised it
        request = await session.get(Request, request_id)
        assert request is not None
        request.school_id = harbledown
        session.add(request)
        await session.commit()
    grace = await person_id(demo_db, GRACE)
    for rulings in ({grace: "no_conflict"}, {}):
        with pytest.raises(OutcomeRefused) as refused:
            await as_person(demo_db, GRACE, save(held.meeting_id, request_id, support_agreed(rulings)))
        assert str(refused.value) == OWN_RULING
    await as_person(
        demo_db, DANIEL, save(held.meeting_id, request_id, support_agreed({grace: "no_conflict"}))
    )
    [saved] = await outcomes(demo_db)
    assert saved.rulings == {str(grace): "no_conflict"}


@pytest.mark.parametrize("who", [HANNAH, TOM])
async def test_a_forged_button_records_nothing_for_someone_without_the_right(
    demo_db: Database, clock: FixedClock, who: str
) -> None:
    held = await held_meeting(demo_db, clock)
    [request_id] = held.request_ids
    entry = support_agreed(await rulings_for_westgate(demo_db))
    with pytest.raises(
        OutcomeRefused, match="Only the chair or vice chair of CANT1, or a council officer, can"
    ):
        await as_person(demo_db, who, save(held.meeting_id, request_id, entry))
    with pytest.raises(OutcomeRefused, match="Only the chair or vice chair of CANT1"):
        await as_person(demo_db, who, lambda s, a: open_recording(s, clock, a, held.meeting_id))
    assert await outcomes(demo_db) == [] and await status_of(demo_db, request_id) == "scheduled"
    assert "outcome_save_refused" in await audit_actions(demo_db)


async def test_a_cancelled_meeting_takes_no_outcome(demo_db: Database, clock: FixedClock) -> None:
    meeting_id = await add_meeting(demo_db, clock, "CANT1", MEETING_AT)
    request = await raise_and_accept(demo_db, clock, HANNAH, "990101")
    assert request.id is not None
    await publish(demo_db, clock, meeting_id)
    await as_person(demo_db, PRIYA, lambda s, a: cancel(s, clock, a, meeting_id, "Snow"))
    clock.advance(days=18)
    entry = support_agreed(await rulings_for_westgate(demo_db))
    with pytest.raises(OutcomeRefused) as refused:
        await as_person(demo_db, GRACE, save(meeting_id, request.id, entry))
    assert str(refused.value) == CANCELLED
    assert await outcomes(demo_db) == []
    # Its request was carried over: waiting for the next meeting again.
    assert await status_of(demo_db, request.id) == "accepted"


async def test_outcomes_wait_for_the_meeting_to_start(demo_db: Database, clock: FixedClock) -> None:
    meeting_id = await add_meeting(demo_db, clock, "CANT1", MEETING_AT)
    with pytest.raises(OutcomeRefused) as refused:
        await as_person(demo_db, GRACE, lambda s, a: open_recording(s, clock, a, meeting_id))
    assert str(refused.value) == NOT_STARTED


async def test_a_request_not_on_the_agenda_is_refused(demo_db: Database, clock: FixedClock) -> None:
    held = await held_meeting(demo_db, clock)
    other = await raise_and_accept(demo_db, clock, GRACE, "990102")  # accepted after: the next meeting
    assert other.id is not None
    with pytest.raises(OutcomeRefused, match="not on this meeting's published agenda"):
        await as_person(demo_db, DANIEL, save(held.meeting_id, other.id, support_agreed({})))


async def test_every_problem_of_an_entry_is_said(demo_db: Database, clock: FixedClock) -> None:
    held = await held_meeting(demo_db, clock)
    [request_id] = held.request_ids
    entry = OutcomeEntry(decision="funding_agreed", funding="-5", review_date=date(2026, 12, 1))
    with pytest.raises(OutcomeInvalid) as refused:
        await as_person(demo_db, GRACE, save(held.meeting_id, request_id, entry))
    problems = refused.value.problems
    assert set(problems) == {"funding", "review_date", "rulings"}
    assert "Daniel Okafor, Hannah Reid" in problems["rulings"]
    assert await outcomes(demo_db) == [] and await status_of(demo_db, request_id) == "scheduled"


async def test_text_that_may_identify_a_child_is_warned_about_until_confirmed(
    demo_db: Database, clock: FixedClock
) -> None:
    held = await held_meeting(demo_db, clock)
    [request_id] = held.request_ids
    entry = support_agreed(
        await rulings_for_westgate(demo_db), what_is_working="Jayden Smith settles with his key adult."
    )
    with pytest.raises(IdentifyingText) as warned:
        await as_person(demo_db, GRACE, save(held.meeting_id, request_id, entry))
    assert "This may identify a child" in str(warned.value) and "what_is_working" in warned.value.found
    assert await outcomes(demo_db) == []
    await as_person(demo_db, GRACE, save(held.meeting_id, request_id, entry, not_about_a_pupil=True))
    [saved] = await outcomes(demo_db)
    assert saved.identifying_text_acknowledged["what_is_working"]["kinds"] == ["name"]
