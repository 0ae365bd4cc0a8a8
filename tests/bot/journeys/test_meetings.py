"""Meetings in the personal chat through the real app: see, add, move, cancel, and the refusals.

The app runs on a fixed clock (Monday 23 November 2026, 09:30 UTC), so the dates below are in the
future. Forms are filled in from the cards the bot sent, as a person would in Teams.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlmodel import col, select

from bot import calendars
from bot.app import create_app
from bot.config import Settings
from communities.audit import AuditEvent
from communities.clock import FixedClock
from communities.db import Database
from communities.meetings.calendar import Attendee, CalendarEntry, CalendarError, EventSpec
from communities.meetings.tables import Meeting, MeetingStatus
from communities.roster.tables import Community, Person
from tests.bot.conftest import Post
from tests.cards.meetings.test_admin import check_card, inputs, show_cards, submit_data
from tests.support.activities import personal_message, user
from tests.support.fake_connector import FakeConnector, PostedActivity

PRIYA = user(1, "Priya Shah")  # council officer
DANIEL = user(2, "Daniel Okafor")  # chair of CANT1
HANNAH = user(4, "Hannah Reid")  # SENCO at a CANT1 school
TOM = user(5, "Tom Walsh")  # chair of THAN2
SAM = user(7, "Sam Carter")  # finance: in no community

NOT_DANIELS = (
    "Sorry: Only a council officer or the chair or vice chair of THAN2 can change its meetings. "
    "Ask the chair if a meeting needs to change."
)


@pytest.fixture
async def client(settings: Settings, clock: FixedClock) -> AsyncIterator[TestClient[Any, Any]]:
    async with TestClient(TestServer(create_app(settings, clock=clock))) as test_client:
        yield test_client


# ---- talking to the bot ------------------------------------------------------------------------


def chat(sender: dict[str, Any]) -> str:
    return f"a:chat-{sender['id']}"


async def say(
    post: Post,
    fake: FakeConnector,
    who: dict[str, Any],
    text: str | None = None,
    value: Any = None,
    reply_to: str | None = None,
) -> list[PostedActivity]:
    """What the bot answered (as new messages) to one message or card submit; ``reply_to`` is the
    message whose card was pressed, as Teams sends it."""
    before = len(fake.activities(chat(who)))
    activity = personal_message(fake.url, who, text, value=value)
    if reply_to is not None:
        activity["replyToId"] = reply_to
    await post(activity)
    return fake.activities(chat(who))[before:]


def button(card: dict[str, Any] | None, title: str) -> dict[str, Any]:
    """What Teams sends for the card's button ``title``."""
    [data] = [a["data"] for a in _actions(card) if a.get("title") == title]
    return dict(data)


def _actions(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, dict):
        found = [node] if node.get("type") == "Action.Submit" else []
        return found + [a for value in node.values() for a in _actions(value)]
    if isinstance(node, list):
        return [a for value in node for a in _actions(value)]
    return []


def texts(replies: list[PostedActivity]) -> list[str]:
    return [r.text for r in replies if r.text]


def cards(replies: list[PostedActivity]) -> list[dict[str, Any]]:
    found = [r.card for r in replies if r.card is not None]
    for card in found:
        check_card(card)
    return found


def fill(form: dict[str, Any], **answers: str) -> dict[str, Any]:
    """What Teams sends when the form is submitted: the inputs (as filled in) and the button's data.

    ``answers`` are keyed by the first word of an input's label: Date, Starts, Ends, Where, Online, Why.
    """
    fields = inputs(form)
    value = {field["id"]: field["value"] for field in fields.values() if "value" in field}
    for word, answer in answers.items():
        [label] = [label for label in fields if label.split()[0] == word]
        value[fields[label]["id"]] = answer
    return {**value, **submit_data(form)}


def form(card: dict[str, Any], title: str, index: int = 0) -> dict[str, Any]:
    return show_cards(card)[title][index]


async def community_card(post: Post, fake: FakeConnector, who: dict[str, Any], text: str) -> dict[str, Any]:
    [card] = cards(await say(post, fake, who, text))
    return card


# ---- reading the database ----------------------------------------------------------------------


async def stored(settings: Settings, code: str) -> list[Meeting]:
    database = Database(settings.database_url)
    try:
        async with database.session() as session:
            rows = await session.exec(
                select(Meeting)
                .join(Community, col(Community.id) == col(Meeting.community_id))
                .where(Community.code == code)
                .order_by(col(Meeting.starts_at))
            )
            return list(rows.all())
    finally:
        await database.dispose()


async def audited(settings: Settings) -> list[tuple[str, str, str]]:
    """(action, entity id, actor's name) of every audit row about meetings, oldest first."""
    database = Database(settings.database_url)
    try:
        async with database.session() as session:
            rows = await session.exec(
                select(AuditEvent.action, AuditEvent.entity_id, Person.display_name)
                .join(Person, col(Person.id) == col(AuditEvent.actor_person_id))
                .where(col(AuditEvent.action).startswith("meeting"))
                .order_by(col(AuditEvent.id))
            )
            return [tuple(row) for row in rows.all()]  # type: ignore[misc]
    finally:
        await database.dispose()


async def add_than2_meeting(post: Post, fake: FakeConnector, settings: Settings) -> Meeting:
    """The officer adds Thanet's meeting on Wednesday 3 February 2027, 15:45–17:15."""
    card = await community_card(post, fake, PRIYA, "meetings THAN2")
    filled = fill(
        form(card, "Add a meeting"), Date="2027-02-03", Starts="15:45", Ends="17:15", Where="Ramsgate"
    )
    assert texts(await say(post, fake, PRIYA, value=filled))[0].startswith("Added a meeting for THAN2")
    [meeting] = await stored(settings, "THAN2")
    return meeting


# ---- a chair ------------------------------------------------------------------------------------


async def test_a_chair_adds_moves_and_cancels_a_meeting_of_his_community(
    fake: FakeConnector, post: Post, settings: Settings
) -> None:
    card = await community_card(post, fake, DANIEL, "meetings")
    assert card["body"][0]["text"] == "Meetings: Canterbury City Community (CANT1)"
    assert card["body"][1]["text"] == "No meetings are set yet. Add one below."

    add = fill(
        form(card, "Add a meeting"),
        Date="2027-04-06",
        Starts="16:00",
        Ends="17:30",
        Where="Westgate Meadow Primary School",
    )
    replies = await say(post, fake, DANIEL, value=add)
    assert texts(replies) == [
        # 10 and 5 school days before, over Easter (Good Friday and Easter Monday are bank holidays).
        "Added a meeting for CANT1: Tuesday 6 April 2027, 16:00–17:30. Requests close Friday 19 March "
        "2027, 16:00; the agenda is due by Tuesday 30 March 2027, 16:00. The calendar is up to date."
    ]
    [meeting] = await stored(settings, "CANT1")
    assert meeting.id is not None
    # British Summer Time in April; the deadline, ten days before, is still in GMT at the same 16:00.
    assert (meeting.starts_at, meeting.ends_at) == (
        datetime(2027, 4, 6, 15, 0, tzinfo=UTC),
        datetime(2027, 4, 6, 16, 30, tzinfo=UTC),
    )
    assert meeting.submission_deadline == datetime(2027, 3, 19, 16, 0, tzinfo=UTC)  # 16:00 GMT, Friday
    assert meeting.agenda_publish_by == datetime(2027, 3, 30, 15, 0, tzinfo=UTC)  # 16:00 BST, Tuesday
    assert (meeting.location, meeting.online, meeting.source) == (
        "Westgate Meadow Primary School",
        True,
        "teams",
    )
    assert meeting.calendar_event_id == f"cos-meeting-{meeting.id}"
    assert (meeting.sequence, meeting.calendar_synced, meeting.calendar_problem) == (1, 1, None)

    [card] = cards(replies)
    shown = json.dumps(card, ensure_ascii=False)
    assert "Tuesday 6 April 2027, 16:00–17:30" in shown and "Daniel Okafor" in shown
    move = fill(form(card, "Move"), Date="2027-04-13", Starts="17:00", Ends="18:00", Where="", Online="true")
    replies = await say(post, fake, DANIEL, value=move)
    assert texts(replies) == [
        "Moved the CANT1 meeting to Tuesday 13 April 2027, 17:00–18:00. Requests close Tuesday 30 March "
        "2027, 17:00; the agenda is due by Tuesday 6 April 2027, 17:00. The calendar is up to date."
    ]
    [moved] = await stored(settings, "CANT1")
    assert moved.id == meeting.id and moved.calendar_event_id == f"cos-meeting-{meeting.id}"
    assert moved.starts_at == datetime(2027, 4, 13, 16, 0, tzinfo=UTC)
    assert moved.submission_deadline == datetime(
        2027, 3, 30, 16, 0, tzinfo=UTC
    )  # 17:00 BST, 10 school days before
    assert (moved.location, moved.online) == (None, True)
    assert (moved.sequence, moved.calendar_synced) == (2, 2)

    [listed] = [r for r in replies if r.card is not None]
    await asyncio.sleep(2)  # Teams' per-chat limit (8 messages in 2 seconds): a person reads, then presses
    cancel = fill(form(listed.card or {}, "Cancel"), Why="Westgate is closed for the flood repairs.")
    replies = await say(post, fake, DANIEL, value={**cancel}, reply_to=listed.id)
    [asked] = replies  # a confirmation first, saying what will happen and who will be told
    question = json.dumps(asked.card, ensure_ascii=False)
    assert "Cancel the CANT1 meeting?" in question and "Westgate is closed for the flood repairs." in question
    assert "The calendar invitation is cancelled with your reason" in question
    assert "I post nothing in the community's channel and message nobody about it in Teams" in question
    [still] = await stored(settings, "CANT1")
    assert still.status == MeetingStatus.SCHEDULED  # nothing yet
    confirm = button(asked.card, "Yes, cancel the meeting")

    replies = await say(post, fake, DANIEL, value=confirm, reply_to=asked.id)
    assert replies == []  # one message: the confirmation, replaced in place by what happened
    done = fake.activity(asked.id)
    assert "Action.Submit" not in json.dumps(done.card) and "Meeting cancelled" in json.dumps(done.card)
    assert (
        "Cancelled the CANT1 meeting of Tuesday 13 April 2027, 17:00–18:00. The calendar invitation is "
        "cancelled with your reason. I post nothing in the channel and message nobody in Teams about it; "
        "accepted requests go to the next meeting. The calendar is up to date."
    ) in json.dumps(done.card, ensure_ascii=False)
    [cancelled] = await stored(settings, "CANT1")
    assert cancelled.status == MeetingStatus.CANCELLED
    assert cancelled.cancel_reason == "Westgate is closed for the flood repairs."
    assert (cancelled.sequence, cancelled.calendar_synced) == (3, 3)
    card = fake.activity(listed.id).card or {}  # the meetings card the form was on, updated in place
    shown = json.dumps(card, ensure_ascii=False)
    assert "Tuesday 13 April 2027, 17:00–18:00 (Cancelled)" in shown
    assert "Westgate is closed for the flood repairs." in shown
    assert list(show_cards(card)) == ["Add a meeting"]  # a cancelled meeting has no Move or Cancel

    # The same confirmation pressed again (a double press): it says so, and nothing changes.
    await asyncio.sleep(2)
    await say(post, fake, DANIEL, value=confirm, reply_to=asked.id)
    again = json.dumps(fake.activity(asked.id).card)
    assert "Nothing was changed" in again and "That meeting is cancelled already." in again
    [same] = await stored(settings, "CANT1")
    assert same.sequence == 3

    assert await audited(settings) == [
        ("meeting_added", str(meeting.id), "Daniel Okafor"),
        ("meeting_moved", str(meeting.id), "Daniel Okafor"),
        ("meeting_cancelled", str(meeting.id), "Daniel Okafor"),
    ]
    fake.assert_no_violations()


async def test_a_senco_sees_the_dates_but_a_forged_change_is_refused_and_audited(
    fake: FakeConnector, post: Post, settings: Settings
) -> None:
    card = await community_card(post, fake, DANIEL, "meetings")
    add = fill(form(card, "Add a meeting"), Date="2027-01-20", Starts="16:00", Ends="17:30")
    [card] = cards(await say(post, fake, DANIEL, value=add))

    [seen] = cards(await say(post, fake, HANNAH, "meetings"))
    assert "Wednesday 20 January 2027, 16:00–17:30" in json.dumps(seen, ensure_ascii=False)
    assert show_cards(seen) == {} and check_card(seen) == []  # no forms for a SENCO

    # Hannah replays the chair's forms.
    another = fill(form(card, "Add a meeting"), Date="2027-02-10", Starts="16:00", Ends="17:30")
    refusal = (
        "Sorry: Only a council officer or the chair or vice chair of CANT1 can change its meetings. "
        "Ask the chair if a meeting needs to change."
    )
    assert texts(await say(post, fake, HANNAH, value=another)) == [refusal]
    later = fill(form(card, "Move"), Date="2027-02-10")
    assert texts(await say(post, fake, HANNAH, value=later)) == [refusal]
    gone = fill(form(card, "Cancel"), Why="No reason")
    assert texts(await say(post, fake, HANNAH, value=gone)) == [refusal]

    [meeting] = await stored(settings, "CANT1")
    assert meeting.status == MeetingStatus.SCHEDULED and meeting.sequence == 1
    assert meeting.starts_at == datetime(2027, 1, 20, 16, 0, tzinfo=UTC)  # GMT in January
    assert [(action, who) for action, _, who in await audited(settings)] == [
        ("meeting_added", "Daniel Okafor"),
        ("meeting_add_refused", "Hannah Reid"),
        ("meeting_move_refused", "Hannah Reid"),
        ("meeting_cancel_refused", "Hannah Reid"),
    ]


async def test_a_chair_cannot_see_into_or_change_another_community(
    fake: FakeConnector, post: Post, settings: Settings
) -> None:
    thanet = await add_than2_meeting(post, fake, settings)
    assert texts(await say(post, fake, DANIEL, "meetings THAN2")) == [
        "Sorry: You can see the meetings of your own community (CANT1), not of THAN2."
    ]
    # Daniel's own card, with the id of Thanet's meeting written into the button's data.
    card = await community_card(post, fake, DANIEL, "meetings")
    add = fill(form(card, "Add a meeting"), Date="2027-03-03")
    [card] = cards(await say(post, fake, DANIEL, value=add))
    move = {**fill(form(card, "Move"), Date="2027-03-10"), "meeting_id": thanet.id}
    cancel = {**fill(form(card, "Cancel"), Why="Mine now"), "meeting_id": thanet.id}
    assert texts(await say(post, fake, DANIEL, value=move)) == [NOT_DANIELS]
    assert texts(await say(post, fake, DANIEL, value=cancel)) == [NOT_DANIELS]
    elsewhere = {**add, "community_id": thanet.community_id}
    assert texts(await say(post, fake, DANIEL, value=elsewhere)) == [NOT_DANIELS]

    [unchanged] = await stored(settings, "THAN2")
    assert (unchanged.starts_at, unchanged.status, unchanged.sequence) == (
        thanet.starts_at,
        MeetingStatus.SCHEDULED,
        1,
    )
    assert len(await stored(settings, "CANT1")) == 1


# ---- an officer ---------------------------------------------------------------------------------


async def test_an_officer_sees_every_community_and_changes_any_of_them(
    fake: FakeConnector, post: Post, settings: Settings
) -> None:
    [summary] = cards(await say(post, fake, PRIYA, "meetings"))
    assert "Communities with a meeting coming up: 0 of 3" in json.dumps(summary)
    thanet = await add_than2_meeting(post, fake, settings)
    [summary] = cards(await say(post, fake, PRIYA, value={"action": "meetings"}))  # the menu button
    lines = [e["text"] for e in summary["body"] if e["type"] == "TextBlock"]
    assert "**Thanet Coast Community (THAN2)**: next Wednesday 3 February 2027, 15:45–17:15" in lines
    assert "**Canterbury City Community (CANT1)**: no meeting set" in lines
    buttons = {
        a["title"]: a["data"] for e in summary["body"] if e["type"] == "ActionSet" for a in e["actions"]
    }
    assert list(buttons) == ["Open CANT1", "Open MAID1", "Open THAN2"]

    [card] = cards(await say(post, fake, PRIYA, value=buttons["Open MAID1"]))
    assert card["body"][0]["text"] == "Meetings: Maidstone Town Community (MAID1)"
    add = fill(form(card, "Add a meeting"), Date="2027-01-28", Starts="09:30", Ends="11:30", Online="false")
    assert texts(await say(post, fake, PRIYA, value=add)) == [
        "Added a meeting for MAID1: Thursday 28 January 2027, 09:30–11:30. Requests close Thursday "
        "14 January 2027, 09:30; the agenda is due by Thursday 21 January 2027, 09:30. The calendar "
        "is up to date."
    ]
    [maidstone] = await stored(settings, "MAID1")
    assert maidstone.starts_at == datetime(2027, 1, 28, 9, 30, tzinfo=UTC)
    assert maidstone.online  # no place given: online, whatever the toggle said
    # A meeting on a Saturday is kept, with a warning that names the day.
    saturday = fill(
        form(card, "Add a meeting"), Date="2027-02-06", Starts="10:00", Ends="11:00", Online="true"
    )
    [said] = texts(await say(post, fake, PRIYA, value=saturday))
    assert said.startswith("Added a meeting for MAID1: Saturday 6 February 2027, 10:00–11:00.")
    assert (
        "Please note: Saturday 6 February 2027 is not a school day (a Saturday); the meeting is kept as "
        "you set it." in said
    )
    assert len(await stored(settings, "MAID1")) == 2

    [card] = cards(await say(post, fake, PRIYA, value=buttons["Open THAN2"]))
    move = fill(form(card, "Move"), Date="2027-06-09", Starts="15:45", Ends="17:15")
    assert texts(await say(post, fake, PRIYA, value=move))[0].startswith(
        "Moved the THAN2 meeting to Wednesday 9 June 2027, 15:45–17:15."
    )
    [moved] = await stored(settings, "THAN2")
    assert (moved.id, moved.starts_at, moved.sequence) == (
        thanet.id,
        datetime(2027, 6, 9, 14, 45, tzinfo=UTC),
        2,
    )


async def test_someone_in_no_community_is_told_so(fake: FakeConnector, post: Post) -> None:
    assert texts(await say(post, fake, SAM, "meetings")) == [
        "You are not in a community yet, so there are no meetings to show."
    ]
    assert texts(await say(post, fake, PRIYA, "meetings NOPE9")) == [
        "Sorry: I don't know a community with the code “NOPE9”."
    ]


# ---- times and cards that are not right ----------------------------------------------------------


async def test_impossible_times_and_forged_ids_are_refused_in_words(
    fake: FakeConnector, post: Post, settings: Settings
) -> None:
    card = await community_card(post, fake, DANIEL, "meetings")
    add = form(card, "Add a meeting")
    cases = [
        (fill(add, Date="2026-11-20"), "Sorry: That time has already passed; choose a time in the future."),
        (
            fill(add, Date="2027-03-28", Starts="01:30", Ends="02:30"),
            "Sorry: 28 Mar 2027 01:30 does not exist in London (the clocks go forward); choose another time.",
        ),
        (
            fill(add, Date="2027-10-31", Starts="01:30", Ends="02:30"),
            "Sorry: 31 Oct 2027 01:30 happens twice in London (the clocks go back); choose another time.",
        ),
        (
            fill(add, Date="2027-01-20", Starts="17:30", Ends="16:00"),
            "Sorry: The meeting must end after it starts.",
        ),
        (fill(add, Date="20/01/2027"), "Sorry: Give the date, and the start and end times (such as 16:00)."),
    ]
    out_of_date = "Sorry: That card is out of date; write `meetings` to see the meetings again."
    good = fill(add, Date="2027-01-20")
    for forged_id in (True, "1", None, -1):
        cases.append(({**good, "community_id": forged_id}, out_of_date))
        cases.append(({"action": "meeting_cancel", "meeting_id": forged_id}, out_of_date))
    cases.append(({**good, "fields": {"date": "2027-01-20"}}, out_of_date))
    nowhere = "Sorry: That meeting does not exist (the card may be from somewhere else)."
    cases.append(({**good, "action": "meeting_move", "meeting_id": 999}, nowhere))
    cases.append(({"action": "meeting_cancel", "meeting_id": 999, "fields": "c", "c_reason": "Why"}, nowhere))
    for value, refusal in cases:
        assert texts(await say(post, fake, DANIEL, value=value)) == [refusal], value
    assert await stored(settings, "CANT1") == []


# ---- the calendar --------------------------------------------------------------------------------


class RefusingCalendar:
    """A calendar backend that refuses everything, as Graph does without its permission."""

    REASON = "Microsoft Graph refused: the scheduling mailbox was not found (404)."

    async def create(self, spec: EventSpec) -> CalendarEntry:
        raise CalendarError(self.REASON, permanent=True, status=404)

    async def update(self, event_id: str, spec: EventSpec) -> CalendarEntry:
        raise CalendarError(self.REASON, permanent=True, status=404)

    async def set_attendees(self, event_id: str, attendees: tuple[Attendee, ...]) -> None:
        raise CalendarError(self.REASON, permanent=True, status=404)

    async def cancel(self, event_id: str, message: str) -> None:
        raise CalendarError(self.REASON, permanent=True, status=404)

    async def close(self) -> None:
        pass


async def test_a_meeting_the_calendar_refuses_is_saved_and_the_chair_is_told_why(
    fake: FakeConnector, post: Post, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[Settings] = []

    def calendar_for(given: Settings) -> RefusingCalendar:
        built.append(given)
        return RefusingCalendar()

    monkeypatch.setattr(calendars, "calendar_for", calendar_for)
    monkeypatch.setattr(calendars, "_CALENDARS", {})
    card = await community_card(post, fake, DANIEL, "meetings")
    add = fill(form(card, "Add a meeting"), Date="2027-01-20")
    replies = await say(post, fake, DANIEL, value=add)
    [said] = texts(replies)
    assert said.startswith("Added a meeting for CANT1: Wednesday 20 January 2027, 16:00–17:30.")
    assert said.endswith(
        "The meeting is saved, but the calendar could not be updated: " + RefusingCalendar.REASON
    )
    [meeting] = await stored(settings, "CANT1")
    assert (meeting.calendar_problem, meeting.calendar_synced, meeting.calendar_event_id) == (
        RefusingCalendar.REASON,
        0,
        None,
    )
    [card] = cards(replies)
    assert f"The calendar could not be updated: {RefusingCalendar.REASON}" in json.dumps(card)

    move = fill(form(card, "Move"), Starts="16:30", Ends="18:00")
    assert texts(await say(post, fake, DANIEL, value=move))[0].endswith(RefusingCalendar.REASON)
    [seen] = cards(await say(post, fake, HANNAH, "meetings"))
    assert "calendar could not" not in json.dumps(seen)  # only those who can fix it are told
    [summary] = cards(await say(post, fake, PRIYA, "meetings"))
    assert "1 meeting not brought up to date in the calendar." in json.dumps(summary)
    assert built == [settings]  # one calendar for the process, not one per change


async def test_keep_it_on_a_cancellation_changes_nothing_and_says_so_in_place(
    fake: FakeConnector, post: Post, settings: Settings
) -> None:
    card = await community_card(post, fake, DANIEL, "meetings")
    add = fill(form(card, "Add a meeting"), Date="2027-01-20", Starts="16:00", Ends="17:30")
    [listed] = [r for r in await say(post, fake, DANIEL, value=add) if r.card is not None]
    cancel = fill(form(listed.card or {}, "Cancel"), Why="Snow")
    [asked] = await say(post, fake, DANIEL, value=cancel, reply_to=listed.id)
    keep = button(asked.card, "Keep it")
    assert await say(post, fake, DANIEL, value=keep, reply_to=asked.id) == []  # no new message
    kept = json.dumps(fake.activity(asked.id).card, ensure_ascii=False)
    assert "The meeting is kept" in kept and "Action.Submit" not in kept
    assert (
        "Nothing was changed: the CANT1 meeting of Wednesday 20 January 2027, 16:00–17:30 is still on."
        in kept
    )
    [meeting] = await stored(settings, "CANT1")
    assert (meeting.status, meeting.sequence, meeting.cancel_reason) == (MeetingStatus.SCHEDULED, 1, None)
    assert [action for action, _, _ in await audited(settings)] == ["meeting_added"]
