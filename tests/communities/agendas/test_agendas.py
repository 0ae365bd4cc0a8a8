"""Agendas against the demo roster on a real database: building, ordering, deferring, AOB,
publishing and republishing through the outbox, and who may do it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlmodel import col, select

from cards.agenda_cards import channel_agenda_cards
from communities.agendas.access import build_draft
from communities.agendas.changes import (
    AgendaChanged,
    AgendaRefused,
    AgendaView,
    Move,
    add_aob,
    defer_item,
    may_remove_aob,
    move_item,
    remove_aob,
    view,
)
from communities.agendas.publishing import publish
from communities.agendas.tables import Agenda, AgendaStatus
from communities.agendas.view import open_for_review
from communities.audit import AuditEvent
from communities.budget.since import BudgetSince
from communities.clock import FixedClock
from communities.db import Database
from communities.declarations.conflict_rules import Ruling
from communities.meetings.service import MeetingTimes, cancel, move, schedule
from communities.meetings.tables import MeetingOffsets, london_wall_time
from communities.messaging.outbox import DeliveryKind, Outbox, OutboxMessage, OutboxStatus
from communities.messaging.teams_links import ChannelLink
from communities.requests.tables import Request
from communities.roster.directory import community_by_code
from tests.support.people import DANIEL, GRACE, HANNAH, PRIYA, TOM, personal_chat, profile_of
from tests.support.requests import COMPLETE, raise_and_accept

ANSWERS = COMPLETE
URGENT = {**ANSWERS, "urgency": "urgent", "urgency_reason": "At risk of a suspension this term."}
CHANNEL = "19:cant1-community@thread.tacv2"


def london(text: str) -> datetime:
    return london_wall_time(datetime.fromisoformat(text))


async def two_meetings(db: Database, clock: FixedClock) -> tuple[int, int]:
    """CANT1's meetings on 20 January and 30 March 2027 (requests go to the first)."""
    priya = await profile_of(db, PRIYA)
    ids = []
    async with db.session() as session:
        community = await community_by_code(session, "CANT1")
        assert community is not None
        for start in ("2027-01-20 16:00", "2027-03-30 16:00"):
            starts = london(start)
            meeting = await schedule(
                session,
                clock,
                priya,
                community,
                MeetingTimes(starts, starts + timedelta(minutes=90)),
                location=None,
                online=True,
                offsets=MeetingOffsets(),
            )
            ids.append(meeting.id)
        await session.commit()
    assert ids[0] is not None and ids[1] is not None
    return ids[0], ids[1]


async def accepted(
    db: Database, clock: FixedClock, email: str, urn: str, answers: dict[str, Any] = ANSWERS
) -> int:
    """A request raised, submitted and accepted now; the clock then moves on an hour."""
    request = await raise_and_accept(db, clock, email, urn, answers)
    clock.advance(hours=1)
    assert request.id is not None
    return request.id


async def three_requests(db: Database, clock: FixedClock) -> tuple[int, int, int]:
    """Westgate's standard request, then St Dunstan's, then Westgate's urgent one."""
    first = await accepted(db, clock, HANNAH, "990101")
    second = await accepted(db, clock, GRACE, "990102", {**ANSWERS, "support": ["training"]})
    urgent = await accepted(db, clock, HANNAH, "990101", URGENT)
    return first, second, urgent


async def as_person(db: Database, email: str, call: Any) -> Any:
    actor = await profile_of(db, email)
    async with db.session() as session:
        result = await call(session, actor)
        await session.commit()
    return result


async def agenda_view(db: Database, meeting_id: int) -> AgendaView:
    async with db.session() as session:
        return await view(session, meeting_id=meeting_id)


async def give_chat(db: Database, clock: FixedClock, email: str) -> None:
    person = await profile_of(db, email)
    async with db.session() as session:
        session.add(personal_chat(person.person_id, email, clock.now()))
        await session.commit()


async def link_channel(db: Database, clock: FixedClock) -> None:
    daniel = await profile_of(db, DANIEL)
    async with db.session() as session:
        community = await community_by_code(session, "CANT1")
        assert community is not None and community.id is not None
        session.add(
            ChannelLink(
                community_id=community.id,
                team_id="19:team-cant1",
                channel_id=CHANNEL,
                channel_name="Community",
                service_url="https://smba.example/uk/",
                reference={"serviceUrl": "https://smba.example/uk/", "conversation": {"id": CHANNEL}},
                linked_by_person_id=daniel.person_id,
                linked_at=clock.now(),
            )
        )
        await session.commit()


async def outbox_rows(db: Database) -> list[OutboxMessage]:
    async with db.session() as session:
        return list((await session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id)))).all())


async def audited(db: Database) -> list[tuple[str, int | None, str]]:
    async with db.session() as session:
        rows = (await session.exec(select(AuditEvent).order_by(col(AuditEvent.id)))).all()
    return [(row.action, row.actor_person_id, row.entity_id) for row in rows]


# ---- building ----------------------------------------------------------------------------------


async def test_the_draft_follows_the_template_and_puts_urgent_requests_first(
    demo_db: Database, clock: FixedClock
) -> None:
    january, _ = await two_meetings(demo_db, clock)
    first, second, urgent = await three_requests(demo_db, clock)
    async with demo_db.session() as session:
        agenda = await build_draft(session, clock, january)  # the scheduler, at the cut-off
        await session.commit()
    assert agenda.status == AgendaStatus.DRAFT and agenda.item_order == [urgent, first, second]

    shown = await agenda_view(demo_db, january)
    assert [item.request_id for item in shown.items] == [urgent, first, second]
    assert [item.ref for item in shown.items] == ["COS-CANT1-26-003", "COS-CANT1-26-001", "COS-CANT1-26-002"]
    assert shown.items[0].urgent and not shown.items[1].urgent
    assert shown.items[1].school == "Westgate Meadow Primary School" and shown.items[1].kind == "One pupil"
    assert shown.items[1].support == ("Advice", "Funding") and shown.items[2].support == ("Training",)
    assert shown.budget == BudgetSince("2026-27", None, ())  # no budget is set for the year yet
    assert shown.reviews == () and shown.aob == () and shown.previous_meeting is None
    assert shown.next_meeting == "Tuesday 30 March 2027, 16:00–17:30, Online (Teams)"
    assert shown.when == "Wednesday 20 January 2027, 16:00–17:30" and shown.chair == "Daniel Okafor"
    # Westgate's requests flag its own staff (the chair too); the default ruling lets them present.
    flagged = {line.name: line for line in shown.items[1].flagged}
    assert set(flagged) == {"Daniel Okafor", "Hannah Reid"}
    assert flagged["Hannah Reid"].ruling is Ruling.MAY_PRESENT_NOT_DECIDE
    assert [line.name for line in shown.items[2].flagged] == ["Grace Li"]
    assert all(item.declarations_expected for item in shown.items)
    assert ("agenda_built", None, str(january)) in await audited(demo_db)


async def test_building_again_returns_the_same_agenda_with_the_chairs_order(
    demo_db: Database, clock: FixedClock
) -> None:
    january, _ = await two_meetings(demo_db, clock)
    first, second, urgent = await three_requests(demo_db, clock)
    async with demo_db.session() as session:
        built = await build_draft(session, clock, january)
        await session.commit()
    await as_person(
        demo_db, DANIEL, lambda s, a: move_item(s, clock, a, january, second, 1, version=built.version)
    )
    async with demo_db.session() as session:
        again = await build_draft(session, clock, january)
        count = len((await session.exec(select(Agenda))).all())
    assert again.id == built.id and count == 1
    assert again.item_order == [second, urgent, first] and again.version == built.version + 1
    assert [a for a, _, _ in await audited(demo_db)].count("agenda_built") == 1


async def test_a_request_accepted_after_the_draft_joins_it_at_the_end(
    demo_db: Database, clock: FixedClock
) -> None:
    january, _ = await two_meetings(demo_db, clock)
    first = await accepted(demo_db, clock, HANNAH, "990101")
    async with demo_db.session() as session:
        await build_draft(session, clock, january)
        await session.commit()
    later = await accepted(demo_db, clock, GRACE, "990102", URGENT)
    assert [i.request_id for i in (await agenda_view(demo_db, january)).items] == [first, later]


# ---- the chair's changes -----------------------------------------------------------------------


async def test_the_chair_reorders_items_and_a_stale_card_is_refused(
    demo_db: Database, clock: FixedClock
) -> None:
    january, _ = await two_meetings(demo_db, clock)
    first, second, urgent = await three_requests(demo_db, clock)

    def reorder(request_id: int, to: Move | int, version: int | None = None) -> Any:
        return as_person(
            demo_db, DANIEL, lambda s, a: move_item(s, clock, a, january, request_id, to, version=version)
        )

    shown = await reorder(urgent, Move.DOWN)
    assert [i.request_id for i in shown.items] == [first, urgent, second] and shown.version == 2
    shown = await reorder(second, 1, version=2)
    assert [i.request_id for i in shown.items] == [second, first, urgent] and shown.version == 3
    shown = await reorder(second, Move.UP)  # already first: nothing changes
    assert [i.request_id for i in shown.items] == [second, first, urgent] and shown.version == 3
    shown = await reorder(first, 99)  # clamped to the end
    assert [i.request_id for i in shown.items] == [second, urgent, first]
    with pytest.raises(AgendaChanged, match="changed since this card"):
        await reorder(first, Move.UP, version=3)
    assert [i.request_id for i in (await agenda_view(demo_db, january)).items] == [second, urgent, first]


async def test_deferring_moves_the_request_to_the_next_meeting_and_tells_the_requester(
    demo_db: Database, clock: FixedClock
) -> None:
    january, march = await two_meetings(demo_db, clock)
    first, second, urgent = await three_requests(demo_db, clock)
    await give_chat(demo_db, clock, HANNAH)
    deferred = await as_person(
        demo_db, GRACE, lambda s, a: defer_item(s, clock, Outbox(clock), a, january, first)
    )
    assert [i.request_id for i in deferred.view.items] == [urgent, second]
    assert deferred.ref == "COS-CANT1-26-001" and deferred.to_meeting == "Tuesday 30 March 2027, 16:00"
    async with demo_db.session() as session:
        moved = await session.get(Request, first)
    assert moved is not None and moved.meeting_id == march and moved.status == "accepted"

    told = [row for row in await outbox_rows(demo_db) if row.reference["conversation"]["id"] == f"a:{HANNAH}"]
    deferral = [row.payload["text"] for row in told if ":deferred:" in row.idempotency_key]
    assert len(deferral) == 1
    assert "COS-CANT1-26-001" in deferral[0] and "Tuesday 30 March 2027, 16:00" in deferral[0]
    assert "Wednesday 20 January 2027" in deferral[0] and "deferred" in deferral[0]
    assert "WM-2026-07" not in deferral[0] and "dysregulation" not in deferral[0]
    assert any(a == "request_deferred" and e == "COS-CANT1-26-001" for a, _, e in await audited(demo_db))

    # The March agenda has it; deferring it again from January is refused.
    assert [i.request_id for i in (await as_person(demo_db, DANIEL, _open(clock, march))).items] == [first]
    with pytest.raises(AgendaRefused, match="not on this agenda"):
        await as_person(demo_db, GRACE, lambda s, a: defer_item(s, clock, Outbox(clock), a, january, first))
    with pytest.raises(AgendaRefused, match="no later meeting"):
        await as_person(demo_db, GRACE, lambda s, a: defer_item(s, clock, Outbox(clock), a, march, first))


def _open(clock: FixedClock, meeting_id: int) -> Any:
    return lambda s, a: open_for_review(s, clock, a, meeting_id)


async def test_aob_lines_are_checked_added_and_removed(demo_db: Database, clock: FixedClock) -> None:
    january, _ = await two_meetings(demo_db, clock)

    def add(text: str) -> Any:
        return as_person(demo_db, DANIEL, lambda s, a: add_aob(s, clock, a, january, text))

    shown = await add("  Shared CPD:   Hannah Reid to report on the autism training  ")
    shown = await add("Transport for the summer school")
    assert shown.aob == (
        "Shared CPD: Hannah Reid to report on the autism training",
        "Transport for the summer school",
    )
    with pytest.raises(AgendaRefused, match="in the box first"):
        await add("   ")
    with pytest.raises(AgendaRefused, match="to 200 characters"):
        await add("x" * 201)
    with pytest.raises(AgendaRefused, match="may identify a child"):
        await add("Jack Smith, DOB 12/03/2015: a managed move")
    with pytest.raises(AgendaRefused, match="may identify a child"):
        await add("The UPN A123456789012 was sent by email")
    shown = await as_person(demo_db, DANIEL, lambda s, a: remove_aob(s, clock, a, january, 0, version=3))
    assert shown.aob == ("Transport for the summer school",) and shown.version == 4
    with pytest.raises(AgendaChanged):
        await as_person(demo_db, DANIEL, lambda s, a: remove_aob(s, clock, a, january, 5))


async def test_removing_aob_is_checked_before_the_chair_is_asked_and_changes_nothing(
    demo_db: Database, clock: FixedClock
) -> None:
    january, _ = await two_meetings(demo_db, clock)
    shown = await as_person(demo_db, DANIEL, lambda s, a: add_aob(s, clock, a, january, "Transport"))
    asked = await as_person(
        demo_db, DANIEL, lambda s, a: may_remove_aob(s, clock, a, january, 0, version=shown.version)
    )
    assert asked == "Transport"
    assert (await agenda_view(demo_db, january)).aob == ("Transport",)  # asking removes nothing
    with pytest.raises(AgendaChanged, match="has changed since"):  # a card from before a change
        await as_person(demo_db, DANIEL, lambda s, a: may_remove_aob(s, clock, a, january, 0, version=1))
    with pytest.raises(AgendaChanged, match="not on the agenda any more"):
        await as_person(demo_db, DANIEL, lambda s, a: may_remove_aob(s, clock, a, january, 1))
    with pytest.raises(AgendaRefused, match="Only the chair or vice chair of CANT1"):  # a forged card
        await as_person(demo_db, TOM, lambda s, a: may_remove_aob(s, clock, a, january, 0))
    tom = await profile_of(demo_db, TOM)
    assert ("agenda_remove_aob_refused", tom.person_id, str(january)) in await audited(demo_db)
    assert (await agenda_view(demo_db, january)).aob == ("Transport",)


# ---- publishing --------------------------------------------------------------------------------


def _publish(
    clock: FixedClock, meeting_id: int, render: Any = channel_agenda_cards, version: int | None = None
) -> Any:
    return lambda s, a: publish(s, clock, Outbox(clock), a, meeting_id, render, version=version)


async def delivered(db: Database, row_id: int, activity_id: str) -> None:
    """What the sender records when Teams accepted the post."""
    async with db.session() as session:
        row = await session.get(OutboxMessage, row_id)
        assert row is not None
        row.status, row.activity_id = OutboxStatus.SENT, activity_id
        row.thread_conversation_id = f"{CHANNEL};messageid={activity_id}"
        session.add(row)
        await session.commit()


async def test_publish_posts_a_thread_and_republish_edits_it_in_place(
    demo_db: Database, clock: FixedClock
) -> None:
    january, _ = await two_meetings(demo_db, clock)
    await three_requests(demo_db, clock)
    await link_channel(demo_db, clock)

    published = await as_person(demo_db, DANIEL, _publish(clock, january))
    assert published.parts == 1 and not published.edited_in_place and len(published.queued) == 1
    post = published.queued[0]
    assert post.kind == DeliveryKind.NEW_THREAD and post.conversation_key == CHANNEL
    assert post.idempotency_key == f"agenda:{january}:v1"
    assert published.view.status is AgendaStatus.PUBLISHED and not published.view.unpublished_changes
    content = post.payload["attachments"][0]["content"]
    assert "COS-CANT1-26-003" in str(content) and "Declarations expected" in str(content)
    async with demo_db.session() as session:  # its requests are on it for good: placed no more
        on_it = (await session.exec(select(Request).where(Request.meeting_id == january))).all()
    assert on_it and {str(r.status) for r in on_it} == {"scheduled"}
    assert {i.ref for i in published.view.items} == {r.ref for r in on_it}  # and still on the agenda

    again = await as_person(demo_db, DANIEL, _publish(clock, january, version=1))  # a second click
    assert again.unchanged and again.parts == 1
    channel_rows = [r for r in await outbox_rows(demo_db) if r.conversation_key == CHANNEL]
    assert [r.id for r in channel_rows] == [post.id]

    await delivered(demo_db, post.id, "1700000000001")
    changed = await as_person(demo_db, GRACE, lambda s, a: add_aob(s, clock, a, january, "Transport"))
    assert changed.unpublished_changes and changed.version == 2
    republished = await as_person(demo_db, DANIEL, _publish(clock, january, version=2))
    assert republished.edited_in_place and len(republished.queued) == 1
    edit = republished.queued[0]
    assert edit.kind == DeliveryKind.UPDATE and edit.update_of_id == post.id
    assert edit.idempotency_key == f"agenda:{january}:v2"
    assert "7.1 Transport" in str(edit.payload) and "Updated" in str(edit.payload)
    async with demo_db.session() as session:
        agenda = (await session.exec(select(Agenda).where(Agenda.meeting_id == january))).one()
    assert agenda.channel_message_id == post.id and agenda.published_version == 2
    channel_rows = [r for r in await outbox_rows(demo_db) if r.conversation_key == CHANNEL]
    assert [r.kind for r in channel_rows] == [DeliveryKind.NEW_THREAD, DeliveryKind.UPDATE]
    actions = [a for a, _, _ in await audited(demo_db)]
    assert actions.count("agenda_published") == 1 and actions.count("agenda_republished") == 1


async def test_a_moved_meeting_is_a_change_to_republish(demo_db: Database, clock: FixedClock) -> None:
    january, _ = await two_meetings(demo_db, clock)
    await link_channel(demo_db, clock)
    first = await as_person(demo_db, DANIEL, _publish(clock, january))
    await delivered(demo_db, first.queued[0].id, "1700000000001")
    starts = london("2027-01-21 09:30")
    await as_person(
        demo_db,
        PRIYA,
        lambda s, a: move(
            s,
            clock,
            a,
            january,
            MeetingTimes(starts, starts + timedelta(hours=1)),
            location=None,
            online=True,
            offsets=MeetingOffsets(),
        ),
    )
    assert (await agenda_view(demo_db, january)).unpublished_changes
    again = await as_person(demo_db, DANIEL, _publish(clock, january, version=1))
    assert [(r.kind, r.update_of_id) for r in again.queued] == [(DeliveryKind.UPDATE, first.queued[0].id)]
    assert again.queued[0].idempotency_key == f"agenda:{january}:v2"
    assert "Thursday 21 January 2027, 09:30" in str(again.queued[0].payload)
    assert not again.view.unpublished_changes


def cards_of(count: int) -> Any:
    def render(shown: AgendaView) -> Sequence[dict[str, Any]]:
        return [
            {"type": "AdaptiveCard", "body": [{"type": "TextBlock", "text": f"part {n}"}]}
            for n in range(count)
        ]

    return render


async def test_a_republished_agenda_in_fewer_parts_retires_the_extra_post_in_words(
    demo_db: Database, clock: FixedClock
) -> None:
    january, _ = await two_meetings(demo_db, clock)
    await link_channel(demo_db, clock)
    first = await as_person(demo_db, DANIEL, _publish(clock, january, cards_of(2)))
    keys = [row.idempotency_key for row in first.queued]
    assert keys == [f"agenda:{january}:v1", f"agenda:{january}:v1:part2"]
    for n, row in enumerate(first.queued):
        await delivered(demo_db, row.id, f"17000000000{n}")
    await as_person(demo_db, DANIEL, lambda s, a: add_aob(s, clock, a, january, "Transport"))
    second = await as_person(demo_db, DANIEL, _publish(clock, january, cards_of(1)))
    assert [(r.kind, r.update_of_id) for r in second.queued] == [
        (DeliveryKind.UPDATE, first.queued[0].id),
        (DeliveryKind.UPDATE, first.queued[1].id),
    ]
    assert "no longer needed" in second.queued[1].payload["text"]


async def test_a_post_that_failed_is_posted_again_rather_than_edited(
    demo_db: Database, clock: FixedClock
) -> None:
    january, _ = await two_meetings(demo_db, clock)
    await link_channel(demo_db, clock)
    first = await as_person(demo_db, DANIEL, _publish(clock, january))
    async with demo_db.session() as session:
        row = await session.get(OutboxMessage, first.queued[0].id)
        assert row is not None
        row.status, row.failure_reason = OutboxStatus.FAILED, "403 the bot was removed"
        session.add(row)
        await session.commit()
    again = await as_person(demo_db, DANIEL, _publish(clock, january))
    assert [r.kind for r in again.queued] == [DeliveryKind.NEW_THREAD] and not again.edited_in_place
    assert again.queued[0].idempotency_key == f"agenda:{january}:v1:after{first.queued[0].id}"


async def test_publishing_without_a_channel_is_refused_in_a_sentence(
    demo_db: Database, clock: FixedClock
) -> None:
    january, _ = await two_meetings(demo_db, clock)
    with pytest.raises(AgendaRefused) as refused:
        await as_person(demo_db, DANIEL, _publish(clock, january))
    assert str(refused.value).startswith("Canterbury City Community (CANT1) has no channel linked yet")
    assert not [r for r in await outbox_rows(demo_db) if r.kind == DeliveryKind.NEW_THREAD]


# ---- permissions -------------------------------------------------------------------------------


async def test_a_senco_and_another_communitys_chair_are_refused_and_audited(
    demo_db: Database, clock: FixedClock
) -> None:
    january, _ = await two_meetings(demo_db, clock)
    first, _, _ = await three_requests(demo_db, clock)
    await link_channel(demo_db, clock)
    hannah, tom = await profile_of(demo_db, HANNAH), await profile_of(demo_db, TOM)
    attempts = [
        (HANNAH, lambda s, a: build_draft(s, clock, january, a)),
        (TOM, lambda s, a: add_aob(s, clock, a, january, "Anything")),
        (TOM, lambda s, a: move_item(s, clock, a, january, first, Move.DOWN)),
        (HANNAH, lambda s, a: defer_item(s, clock, Outbox(clock), a, january, first)),
        (TOM, _publish(clock, january)),
    ]
    for email, call in attempts:
        with pytest.raises(
            AgendaRefused, match="Only the chair or vice chair of CANT1, or a council officer"
        ):
            await as_person(demo_db, email, call)
    refused = [
        (a, who) for a, who, e in await audited(demo_db) if a.endswith("_refused") and e == str(january)
    ]
    assert refused == [
        ("agenda_build_refused", hannah.person_id),
        ("agenda_add_aob_refused", tom.person_id),
        ("agenda_move_refused", tom.person_id),
        ("agenda_defer_refused", hannah.person_id),
        ("agenda_publish_refused", tom.person_id),
    ]
    assert not [r for r in await outbox_rows(demo_db) if r.conversation_key == CHANNEL]
    # The vice chair and an officer may.
    await as_person(demo_db, GRACE, lambda s, a: add_aob(s, clock, a, january, "Transport"))
    shown = await as_person(demo_db, PRIYA, lambda s, a: move_item(s, clock, a, january, first, 1))
    assert shown.aob == ("Transport",) and shown.items[0].request_id == first


async def test_a_cancelled_meeting_gets_no_agenda(demo_db: Database, clock: FixedClock) -> None:
    january, _ = await two_meetings(demo_db, clock)
    await as_person(demo_db, DANIEL, lambda s, a: cancel(s, clock, a, january, "Snow"))
    with pytest.raises(AgendaRefused, match="cancelled, so its agenda cannot change"):
        await as_person(demo_db, DANIEL, lambda s, a: build_draft(s, clock, january, a))
