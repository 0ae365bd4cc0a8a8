"""Broadcasting meeting dates: one card per channel, edits on a re-broadcast, the report, retries."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import update
from sqlmodel import select

from cards.meetings.dates import dates_card, preview_card, report_card
from communities.broadcasts import report as broadcast_report
from communities.broadcasts import service as broadcasts
from communities.broadcasts.report import Delivery
from communities.broadcasts.selection import BroadcastRefused, Selection
from communities.clock import FixedClock
from communities.db import Database
from communities.meetings.service import MeetingTimes, move
from communities.meetings.tables import Meeting, MeetingOffsets, london_wall_time
from communities.messaging.outbox import DeliveryKind, Outbox, OutboxMessage, OutboxStatus
from communities.messaging.teams_links import TeamInstallation
from communities.roster.directory import community_by_code
from tests.communities.messaging.test_channel_linking import channel, link
from tests.support.meetings import add_meeting
from tests.support.people import DANIEL, PRIYA, TOM, profile_of


def flat(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


SPRING = Selection(date(2027, 1, 1), date(2027, 3, 31))


async def meeting(db: Database, clock: FixedClock, code: str, start: str) -> int:
    return await add_meeting(db, clock, code, start)


@pytest.fixture
async def dated(demo_db: Database, clock: FixedClock) -> Database:
    """CANT1 and THAN2 have spring meetings and linked channels; MAID1 has a meeting, no channel."""
    await meeting(demo_db, clock, "CANT1", "2027-01-19 16:00")
    await meeting(demo_db, clock, "CANT1", "2027-03-16 16:00")
    await meeting(demo_db, clock, "THAN2", "2027-02-02 09:30")
    await meeting(demo_db, clock, "MAID1", "2027-02-03 09:30")
    await link(demo_db, clock, DANIEL, "CANT1", channel("19:cant1@thread.tacv2"))
    await link(demo_db, clock, TOM, "THAN2", channel("19:than2@thread.tacv2"))
    async with demo_db.session() as session:  # the link confirmations are not what we count here
        await session.execute(update(OutboxMessage).values(status=OutboxStatus.SENT))
        await session.commit()
    return demo_db


async def send(db: Database, clock: FixedClock, selection: Selection = SPRING, key: str | None = None) -> int:
    async with db.session() as session:
        planned, _ = await broadcasts.plan(session, clock, selection, feed_base_url=None, bot_name="CoS Bot")
        made = await broadcasts.start(
            session,
            clock,
            Outbox(clock),
            actor_person_id=None,
            selection=selection,
            planned=planned,
            render=dates_card,
            confirm_key=key,
        )
        await session.commit()
        assert made.id is not None
        return made.id


async def report(db: Database, broadcast_id: int) -> dict[str, tuple[Delivery, str | None]]:
    async with db.session() as session:
        made = await broadcast_report.report(session, broadcast_id)
    return {line.code: (line.delivery, line.reason) for line in made.lines}


async def cards_of(db: Database, broadcast_id: int) -> list[OutboxMessage]:
    async with db.session() as session:
        rows = await session.exec(
            select(OutboxMessage).where(OutboxMessage.batch_key == f"broadcast:{broadcast_id}")
        )
        return list(rows.all())


async def deliver(db: Database, *, fail: str | None = None) -> None:
    """What the outbox sender would record: every pending card sent (or one channel's failed)."""
    async with db.session() as session:
        for row in (
            await session.exec(select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.PENDING))
        ).all():
            if fail and fail in row.conversation_key:
                row.status, row.failure_reason = (
                    OutboxStatus.FAILED,
                    "Teams answered 403: the bot was removed",
                )
            else:
                row.status, row.activity_id = OutboxStatus.SENT, f"act-{row.id}"
            session.add(row)
        await session.commit()


async def test_each_linked_channel_gets_one_new_thread_and_the_rest_are_reported(
    dated: Database, clock: FixedClock
) -> None:
    broadcast_id = await send(dated, clock)
    rows = await cards_of(dated, broadcast_id)
    assert sorted(r.conversation_key for r in rows) == ["19:cant1@thread.tacv2", "19:than2@thread.tacv2"]
    assert {r.kind for r in rows} == {DeliveryKind.NEW_THREAD}
    cant1 = next(r for r in rows if "cant1" in r.conversation_key)
    card = flat(cant1.payload)
    assert "Meeting dates for Canterbury City Community (CANT1)" in card
    assert "Tuesday 19 January 2027, 16:00–17:30" in card and "Tuesday 16 March 2027" in card
    assert "Tuesday 5 January 2027, 16:00" in card  # requests close ten school days before
    status = await report(dated, broadcast_id)
    assert status["CANT1"] == (Delivery.PENDING, None)
    assert status["MAID1"][0] == Delivery.NOT_SENT and "link MAID1" in (status["MAID1"][1] or "")
    await deliver(dated, fail="than2")
    status = await report(dated, broadcast_id)
    assert status["CANT1"] == (Delivery.SENT, None)
    assert status["THAN2"] == (Delivery.FAILED, "Teams answered 403: the bot was removed")


async def test_pressing_send_twice_makes_one_broadcast(dated: Database, clock: FixedClock) -> None:
    first = await send(dated, clock, key="preview-1")
    again = await send(dated, clock, key="preview-1")
    assert first == again and len(await cards_of(dated, first)) == 2


async def test_a_rebroadcast_edits_the_earlier_card_or_leaves_an_unchanged_channel_alone(
    dated: Database, clock: FixedClock
) -> None:
    first = await send(dated, clock)
    await deliver(dated)
    unchanged = await send(dated, clock)
    assert await cards_of(dated, unchanged) == []
    assert {s for s, _ in (await report(dated, unchanged)).values()} >= {Delivery.UNCHANGED}

    async with dated.session() as session:
        community = await community_by_code(session, "CANT1")
        assert community is not None
    assert await cards_of(dated, first)
    officer = await profile_of(dated, PRIYA)
    async with dated.session() as session:
        january = (
            await session.exec(
                select(Meeting).where(Meeting.community_id == community.id).order_by(Meeting.id)
            )
        ).first()
        assert january is not None and january.id is not None
        starts = london_wall_time(datetime(2027, 1, 26, 16, 0))
        await move(
            session,
            clock,
            officer,
            january.id,
            MeetingTimes(starts, starts + timedelta(minutes=90)),
            location=None,
            online=True,
            offsets=MeetingOffsets(),
        )
        await session.commit()
    second = await send(dated, clock)
    [edit] = await cards_of(dated, second)
    assert edit.kind == DeliveryKind.UPDATE and edit.conversation_key == "19:cant1@thread.tacv2"
    assert "Updated: Meeting dates" in flat(edit.payload) and "26 January 2027" in flat(edit.payload)
    await deliver(dated)
    assert (await report(dated, second))["CANT1"] == (Delivery.UPDATED, None)
    assert (await report(dated, second))["THAN2"][0] == Delivery.UNCHANGED


async def test_retry_failed_sends_again_and_a_newly_linked_channel_gets_its_card(
    dated: Database, clock: FixedClock
) -> None:
    broadcast_id = await send(dated, clock)
    await deliver(dated, fail="than2")
    await link(dated, clock, PRIYA, "MAID1", channel("19:maid1@thread.tacv2"))
    async with dated.session() as session:
        again = await broadcasts.retry_failed(
            session,
            clock,
            Outbox(clock),
            broadcast_id,
            feed_base_url=None,
            bot_name="CoS Bot",
            render=dates_card,
        )
        await session.commit()
    assert again == 2
    await deliver(dated)
    status = await report(dated, broadcast_id)
    assert {code: s for code, (s, _) in status.items()} == {
        "CANT1": Delivery.SENT,
        "MAID1": Delivery.SENT,
        "THAN2": Delivery.SENT,
    }


async def test_a_channel_whose_team_removed_the_app_is_reported_not_sent(
    dated: Database, clock: FixedClock
) -> None:
    async with dated.session() as session:
        session.add(
            TeamInstallation(
                team_id="19:team@thread.tacv2",
                service_url="https://smba.example/uk/",
                general_reference={},
                installed=False,
                installed_at=clock.now(),
            )
        )
        await session.commit()
    broadcast_id = await send(dated, clock)
    status = await report(dated, broadcast_id)
    assert status["CANT1"][0] == Delivery.NOT_SENT and "not installed" in (status["CANT1"][1] or "")


async def test_selections_by_area_and_code_and_their_refusals(dated: Database, clock: FixedClock) -> None:
    async with dated.session() as session:
        planned, empty = await broadcasts.plan(
            session, clock, Selection(date(2027, 1, 1), date(2027, 1, 31)), feed_base_url=None, bot_name="b"
        )
        assert [d.code for d in planned] == ["CANT1"] and set(empty) == {"MAID1", "THAN2"}
        only, _ = await broadcasts.plan(
            session,
            clock,
            Selection(SPRING.first, SPRING.last, community_codes=("THAN2",)),
            feed_base_url=None,
            bot_name="b",
        )
        assert [d.code for d in only] == ["THAN2"]
        with pytest.raises(BroadcastRefused, match="no area called"):
            await broadcasts.plan(
                session,
                clock,
                Selection(SPRING.first, SPRING.last, area="Atlantis"),
                feed_base_url=None,
                bot_name="b",
            )
    with pytest.raises(BroadcastRefused, match="end date comes before"):
        Selection(date(2027, 2, 1), date(2027, 1, 1))
    assert Selection.from_json(SPRING.to_json()) == SPRING
    with pytest.raises(BroadcastRefused):
        Selection.from_json({"first": "not a date"})


async def test_the_feed_link_is_on_the_card_when_the_calendar_is_local(
    dated: Database, clock: FixedClock
) -> None:
    async with dated.session() as session:
        planned, empty = await broadcasts.plan(
            session, clock, SPRING, feed_base_url="https://cos.example", bot_name="CoS Bot"
        )
        await session.commit()
    card = dates_card(planned[0])
    [button] = card["actions"]
    assert button["title"] == "Add to my calendar"
    assert button["url"].startswith("https://cos.example/calendar/") and button["url"].endswith(".ics")
    preview = flat(preview_card(SPRING, planned, empty, "k1"))
    assert "Cannot get one" in preview and "link MAID1" in preview and "Send to 2 channels" in preview


async def test_the_report_card_counts_and_offers_retry_only_when_done(
    dated: Database, clock: FixedClock
) -> None:
    broadcast_id = await send(dated, clock)
    async with dated.session() as session:
        pending = report_card(await broadcast_report.report(session, broadcast_id))
    assert "Delivering" in flat(pending) and "actions" not in pending
    await deliver(dated, fail="than2")
    async with dated.session() as session:
        done = report_card(await broadcast_report.report(session, broadcast_id))
    text = flat(done)
    assert "Done." in text and "Teams answered 403" in text
    assert done["actions"][0]["data"] == {"action": "broadcast_retry", "broadcast_id": broadcast_id}
