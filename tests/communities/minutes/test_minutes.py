"""The minutes: drafted from the meeting's record once its outcomes are confirmed, edited by the chair
section by section, approved once, then sent to every member and announced in the channel."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlmodel import select

from cards.minutes.members import members_minutes_card, minutes_approved_channel_card
from communities.clock import FixedClock
from communities.db import Database
from communities.messaging.outbox import Outbox
from communities.minutes import approving, drafting
from communities.minutes.access import MinutesChanged, MinutesRefused
from communities.minutes.tables import Minutes, MinutesSection, MinutesStatus
from communities.minutes.view import MinutesView
from communities.outcomes.tables import AttendanceStatus
from tests.communities.agendas.test_agendas import audited, give_chat, link_channel, outbox_rows
from tests.support.minutes import ACTION, AOB_LINE, decided_meeting
from tests.support.outcomes import as_person
from tests.support.people import DANIEL, GRACE, HANNAH, PRIYA, TOM


def open_as(clock: FixedClock, meeting_id: int) -> Any:
    return lambda s, a: drafting.open_minutes(s, clock, a, meeting_id)


def edit_as(clock: FixedClock, meeting_id: int, section: str, words: str, version: int | None) -> Any:
    return lambda s, a: drafting.edit_section(s, clock, a, meeting_id, section, words, version=version)


def approve_as(clock: FixedClock, meeting_id: int, version: int | None) -> Any:
    return lambda s, a: approving.approve(
        s,
        clock,
        Outbox(clock),
        a,
        meeting_id,
        version=version,
        render_members=members_minutes_card,
        render_channel=minutes_approved_channel_card,
    )


async def minutes_rows(db: Database) -> list[Minutes]:
    async with db.session() as session:
        return list((await session.exec(select(Minutes))).all())


async def test_the_draft_is_read_from_the_meetings_record(demo_db: Database, clock: FixedClock) -> None:
    decided = await decided_meeting(demo_db, clock)
    shown: MinutesView = await as_person(demo_db, DANIEL, open_as(clock, decided.meeting_id))
    assert shown.status is MinutesStatus.DRAFT and shown.version == 1
    assert shown.when == "Thursday 10 December 2026" and shown.community_code == "CANT1"
    assert [r.name for r in shown.with_status(AttendanceStatus.APOLOGIES)] == ["Grace Li"]
    assert "Daniel Okafor" in [r.name for r in shown.with_status(AttendanceStatus.ABSENT)]
    assert [(d.ref, d.name, d.ruling) for d in shown.declarations] == [
        (decided.ref, "Daniel Okafor", "Took no part"),
        (decided.ref, "Hannah Reid", "Spoke but did not decide"),
    ]
    [outcome] = shown.outcomes
    assert (outcome.ref, outcome.school, outcome.decision, outcome.funding) == (
        decided.ref,
        "Westgate Meadow Primary School",
        "Funding agreed",
        "£1,500",
    )
    assert [(a.description, a.owner) for a in outcome.actions] == [
        (ACTION, "St Dunstan's Church of England Primary School")
    ]
    assert shown.aob == (AOB_LINE,)
    again = await as_person(demo_db, GRACE, open_as(clock, decided.meeting_id))
    assert again.minutes_id == shown.minutes_id and len(await minutes_rows(demo_db)) == 1
    assert [a for a, _, _ in await audited(demo_db) if a.startswith("minutes")] == ["minutes_drafted"]


async def test_no_minutes_before_the_outcomes_are_confirmed(demo_db: Database, clock: FixedClock) -> None:
    decided = await decided_meeting(demo_db, clock, confirm=False)
    with pytest.raises(MinutesRefused, match=r"Confirm the outcomes of the meeting on Thursday 10 December"):
        await as_person(demo_db, DANIEL, open_as(clock, decided.meeting_id))
    assert await minutes_rows(demo_db) == []


async def test_someone_not_chairing_is_refused_audited_and_nothing_changes(
    demo_db: Database, clock: FixedClock
) -> None:
    decided = await decided_meeting(demo_db, clock)
    for email in (HANNAH, TOM):
        with pytest.raises(
            MinutesRefused, match=r"Only the chair or vice chair of CANT1, or a council officer"
        ):
            await as_person(demo_db, email, open_as(clock, decided.meeting_id))
    assert await minutes_rows(demo_db) == []
    shown = await as_person(demo_db, PRIYA, open_as(clock, decided.meeting_id))  # an officer may
    with pytest.raises(MinutesRefused):
        await as_person(demo_db, HANNAH, edit_as(clock, decided.meeting_id, "notes", "Mine", shown.version))
    with pytest.raises(MinutesRefused):
        await as_person(demo_db, TOM, approve_as(clock, decided.meeting_id, shown.version))
    [row] = await minutes_rows(demo_db)
    assert row.version == 1 and row.sections == {} and row.status == MinutesStatus.DRAFT
    actions = [a for a, _, _ in await audited(demo_db) if a.startswith("minutes")]
    assert actions.count("minutes_open_refused") == 2
    assert "minutes_edit_refused" in actions and "minutes_approve_refused" in actions


async def test_the_chair_edits_sections_and_a_stale_card_changes_nothing(
    demo_db: Database, clock: FixedClock
) -> None:
    decided = await decided_meeting(demo_db, clock)
    meeting = decided.meeting_id
    shown = await as_person(demo_db, DANIEL, open_as(clock, meeting))
    edited = await as_person(
        demo_db, DANIEL, edit_as(clock, meeting, "aob", "The summer school bus is agreed.", shown.version)
    )
    assert edited.version == 2 and edited.note(MinutesSection.AOB) == "The summer school bus is agreed."
    with pytest.raises(MinutesChanged):
        await as_person(demo_db, GRACE, edit_as(clock, meeting, "notes", "Late", shown.version))
    with pytest.raises(MinutesRefused, match="This may identify a child"):
        await as_person(
            demo_db,
            DANIEL,
            edit_as(clock, meeting, "notes", "Jack Smithson, born 14/02/2013.", edited.version),
        )
    with pytest.raises(MinutesRefused, match="out of date"):
        await as_person(demo_db, DANIEL, edit_as(clock, meeting, "budget", "x", edited.version))
    cleared = await as_person(demo_db, DANIEL, edit_as(clock, meeting, "aob", "  ", edited.version))
    assert cleared.version == 3 and cleared.notes == {}
    edits = [d for a, _, d in await audited(demo_db) if a == "minutes_edited"]
    assert "summer school" not in json.dumps(edits)  # the audit keeps the section, never the text


async def test_approving_sends_the_minutes_to_the_members_once_and_tells_the_channel(
    demo_db: Database, clock: FixedClock
) -> None:
    decided = await decided_meeting(demo_db, clock)
    await link_channel(demo_db, clock)
    for email in (DANIEL, HANNAH):
        await give_chat(demo_db, clock, email)
    shown = await as_person(demo_db, DANIEL, open_as(clock, decided.meeting_id))
    approved = await as_person(demo_db, DANIEL, approve_as(clock, decided.meeting_id, shown.version))
    assert approved.newly and approved.posted_in_channel and len(approved.told) == 2
    assert approved.unreachable  # Grace and the other members have no chat with the bot yet
    assert approved.view.approved and approved.view.approved_by == "Daniel Okafor"
    rows = await outbox_rows(demo_db)
    members = [r for r in rows if r.idempotency_key.startswith(f"minutes:{decided.meeting_id}:")]
    channel = [r for r in rows if r.idempotency_key == f"minutes-approved:{decided.meeting_id}"]
    assert len(members) == 2 and len(channel) == 1
    assert ACTION in json.dumps(members[0].payload) and decided.ref in json.dumps(members[0].payload)
    posted = json.dumps(channel[0].payload)
    assert "approved" in posted and decided.ref not in posted and "Westgate" not in posted

    again = await as_person(demo_db, GRACE, approve_as(clock, decided.meeting_id, shown.version))
    assert not again.newly and again.told == () and len(await outbox_rows(demo_db)) == len(rows)
    with pytest.raises(MinutesRefused, match="already approved"):
        await as_person(demo_db, DANIEL, edit_as(clock, decided.meeting_id, "notes", "More", None))
    assert [a for a, _, _ in await audited(demo_db)].count("minutes_approved") == 1
