"""The chair's agenda through the real app as it changes: removing a line of any other business (AOB)
asks first, and a long agenda split over several cards is edited part by part, none left behind."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.config import Settings
from cards import agenda_cards
from communities.agendas.changes import add_aob
from communities.clock import FixedClock
from communities.db import Database
from tests.bot.conftest import Post
from tests.bot.journeys.test_agendas import DANIEL, button, flat, latest_message, prepare, pressed
from tests.communities.agendas.test_agendas import as_person
from tests.support.activities import chat_of, personal_message
from tests.support.fake_connector import FakeConnector, PostedActivity
from tests.support.people import DANIEL as DANIEL_EMAIL


async def next_meeting(settings: Settings) -> int:
    """CANT1's meeting on 20 January 2027 (the one the agenda is for)."""
    from sqlmodel import col, select

    from communities.meetings.tables import Meeting

    database = Database(settings.database_url)
    try:
        async with database.session() as session:
            meeting = (await session.exec(select(Meeting).order_by(col(Meeting.starts_at)))).first()
            assert meeting is not None and meeting.id is not None
            return meeting.id
    finally:
        await database.dispose()


async def add_lines(settings: Settings, lines: list[str]) -> None:
    database, clock = Database(settings.database_url), FixedClock(datetime.now(UTC))
    meeting_id = await next_meeting(settings)
    try:
        for line in lines:
            await as_person(database, DANIEL_EMAIL, lambda s, a, t=line: add_aob(s, clock, a, meeting_id, t))
    finally:
        await database.dispose()


def live_versions(card: dict[str, Any] | None) -> set[int]:
    """The agenda versions the card's buttons would act on (none: nothing left to press)."""
    found: set[int] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            data = node.get("data")
            if node.get("type") == "Action.Submit" and isinstance(data, dict) and "version" in data:
                found.add(data["version"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card)
    return found


def parts_of(fake: FakeConnector) -> list[PostedActivity]:
    return [a for a in fake.activities(chat_of(DANIEL)) if "Agenda for review" in flat(a.card)]


async def test_removing_aob_asks_first_keep_it_changes_nothing_and_yes_edits_the_agenda_in_place(
    fake: FakeConnector, post: Post, settings: Settings
) -> None:
    await prepare(settings)
    await add_lines(settings, ["Outreach offer from the special school"])
    await post(personal_message(fake.url, DANIEL, "agenda"))
    review = await latest_message(fake, chat_of(DANIEL), "Publish")
    remove = button(review.card or {}, "Remove")
    messages = len(fake.activities(chat_of(DANIEL)))

    await post(pressed(fake, DANIEL, review, remove))
    asked = await latest_message(fake, chat_of(DANIEL), "Remove this item")
    assert len(fake.activities(chat_of(DANIEL))) == messages + 1  # the question, as a message of its own
    question = flat(asked.card)
    assert "7.1 Outreach offer from the special school" in question
    assert "Nobody is told: the agenda is not published yet" in question
    keep = button(asked.card or {}, "Keep it")
    await post(pressed(fake, DANIEL, asked, keep))
    kept = flat(fake.activity(asked.id).card)
    assert "Nothing was changed" in kept and "stays on the agenda" in kept and "Action.Submit" not in kept
    assert "Outreach offer" in flat(fake.activity(review.id).card)  # still on the agenda

    await asyncio.sleep(2)  # a person reads, then presses (Teams' per-chat limit)
    await post(pressed(fake, DANIEL, review, remove))
    asked = await latest_message(fake, chat_of(DANIEL), "Remove this item")
    yes = button(asked.card or {}, "Yes, remove it")
    await post(pressed(fake, DANIEL, asked, yes))
    done = flat(fake.activity(asked.id).card)
    assert "Removed from the agenda" in done and "Action.Submit" not in done
    assert "Nobody else was told: the agenda is not published yet." in done
    agenda = flat(fake.activity(review.id).card)  # the agenda it was pressed on, edited in place
    assert "Outreach offer" not in agenda and "Publish" in agenda
    assert len(fake.activities(chat_of(DANIEL))) == messages + 2  # the two questions, nothing else

    await asyncio.sleep(2)
    await post(pressed(fake, DANIEL, asked, yes))  # pressed again (an old copy): nothing more is removed
    again = flat(fake.activity(asked.id).card)
    assert "Nothing was changed" in again and "Nothing was removed" in again
    assert len(fake.activities(chat_of(DANIEL))) == messages + 2
    fake.assert_no_violations()


async def test_a_change_on_one_part_of_a_long_agenda_edits_every_part(
    fake: FakeConnector, post: Post, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(agenda_cards, "MAX_CARD_BYTES", 6 * 1024)  # a short agenda splits as a long one
    await prepare(settings)
    await add_lines(
        settings, [f"Item {n}: " + "the transport of pupils to the summer school " * 3 for n in range(8)]
    )
    await post(personal_message(fake.url, DANIEL, "agenda"))
    parts = await fake.wait_for(lambda: p if len(p := parts_of(fake)) >= 2 else None)
    ids = [part.id for part in parts]
    await fake.wait_for(
        lambda: all(f'"parts": {json.dumps(ids)}' in flat(p.card) for p in parts_of(fake)) or None
    )
    [before] = {v for part in parts for v in live_versions(part.card)}

    await asyncio.sleep(2)
    add = {**button(parts[-1].card or {}, "Add AOB"), "aob_text": "Transition visits in June"}
    await post(pressed(fake, DANIEL, parts[-1], add))  # pressed on the last part
    now = [fake.activity(i) for i in ids] + [p for p in parts_of(fake) if p.id not in ids]
    versions = {v for part in now for v in live_versions(part.card)}
    assert versions == {before + 1}  # every part shows the agenda as it is now: no old button left live
    assert "Transition visits in June" in "".join(flat(p.card) for p in now)

    await asyncio.sleep(2)
    monkeypatch.setattr(agenda_cards, "MAX_CARD_BYTES", 28 * 1024)  # now it fits in one card
    first = fake.activity(ids[0])
    await post(pressed(fake, DANIEL, first, button(first.card or {}, "Defer")))  # on the first part this time
    shown = fake.activity(ids[0])
    assert live_versions(shown.card) == {before + 2} and "Transition visits in June" in flat(shown.card)
    assert "moved to the meeting on" in (shown.text or "") and "part 1 of" not in flat(shown.card)
    for gone in ids[1:]:  # the parts no longer needed say so, with nothing to press
        retired = flat(fake.activity(gone).card)
        assert "this part is no longer used" in retired and "Action.Submit" not in retired
    fake.assert_no_violations()


async def test_the_menus_agenda_button_sends_the_agenda_and_leaves_the_menu(
    fake: FakeConnector, post: Post, settings: Settings
) -> None:
    await prepare(settings)
    await post(personal_message(fake.url, DANIEL, "help"))
    menu = await latest_message(fake, chat_of(DANIEL), "What would you like to do?")
    await post(pressed(fake, DANIEL, menu, button(menu.card or {}, "Agenda")))
    await latest_message(fake, chat_of(DANIEL), "Agenda for review")
    assert "What would you like to do?" in flat(fake.activity(menu.id).card)  # the menu is still there
    assert fake.activity(menu.id).updates == 0
