"""Agendas and RSVPs in the real Agents Playground, used through its web UI as a person would.

Daniel Okafor, the chair of CANT1, links the Playground's community channel to CANT1, reviews the
agenda of the community's next meeting in his personal chat and publishes it: the agenda card
appears in the channel, with the accepted request's reference and school and no pupil detail.

Then the RSVP: Daniel adds a meeting with the Meetings card at a time for which the scheduler's
meeting reminder is due now; the running service posts the reminder card in the channel at once,
Daniel presses "Attending" on it and the card's counts change in place. The service runs on the real
clock with the timeline offsets of ``playground.E2E_TIMELINE`` (they are settings), chosen so that
a reminder is due at any hour for a meeting today or tomorrow; should none be (see
:func:`reminder_slot`), that test is skipped, saying why.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from time import monotonic
from typing import Any, TypeVar

import pytest
from playwright.sync_api import Locator

from bot.cli import playground as pgconfig
from bot.config import Settings
from communities.clock import SystemClock
from communities.db import Database
from communities.meetings.tables import (
    LONDON,
    Meeting,
    MeetingOffsets,
    MeetingStatus,
    derived_dates,
    london_wall_time,
    when_text,
)
from scheduler.timeline import StepKind, timeline_for
from tests.e2e.playground import CHANNEL, DEFAULT_TIMEOUT, E2E, E2E_TIMELINE, PlaygroundUI
from tests.e2e.test_broadcast_e2e import facts_after, pick_date
from tests.e2e.test_playground import DANIEL, GRACE
from tests.support.requests import raise_and_accept

T = TypeVar("T")

CODE = "CANT1"
COMMUNITY = "Canterbury City Community (CANT1)"
#: St Dunstan's (CANT1), Grace Li's school: she raises the request, Daniel (the chair) accepts it.
SCHOOL_URN = "990102"
SCHOOL = "St Dunstan's Church of England Primary School"
PUPIL_REF = "SD-2026-31"
NEEDS = "Finds transitions very hard; leaves the classroom most afternoons."
TRIED = "Two APDR cycles: a key adult at transitions helped in the mornings."
HOPED = "Calm afternoons and a plan the class team can keep up."
#: A request as the Request Form saves it, pupil-level fields included.
ANSWERS: dict[str, Any] = {
    "request_type": "one_pupil",
    "pupil_ref": PUPIL_REF,
    "year_group": "3",
    "sen_status": "sen_support",
    "primary_need": "semh",
    "needs_summary": NEEDS,
    "apdr_cycles": 2,
    "graduated_response": TRIED,
    "what_worked": "The key adult helped; moving tables did not.",
    "hoped_outcome": HOPED,
    "support": ["advice", "training"],
    "parents_informed": True,
    "parental_agreement": True,
    "urgency": "standard",
}
#: What the channel must never show of the request (domain.md §5), nor the flagged member's name.
NOT_IN_THE_CHANNEL = (PUPIL_REF, NEEDS, TRIED, HOPED, "Grace Li")
ITEM_FACTS = ("School", "Type of request", "Support asked", "Declarations expected")
RSVP_FACTS = ("Attending", "Apologies", "Sending a colleague", "Schools represented")
#: CANT1 has four schools; quorum needs the chair or vice chair and half of them represented.
CANT1_SCHOOLS = 4
QUORUM = "the chair or vice chair and 2 of 4 schools"


def run_async(work: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine to the end in a thread of its own: the sync Playwright's event loop counts as
    this thread's running loop, so asyncio.run() cannot be called here."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, work()).result(timeout=60)


def link_the_channel(ui: PlaygroundUI) -> None:
    """``@CoS Bot link CANT1`` in the Playground's community channel, as the chair."""
    ui.open_channel(CHANNEL)
    link = ui.new_post(f"link {CODE}")
    ui.wait_for_text(f"is now the channel of {COMMUNITY}", within=link)


def channel_post(ui: PlaygroundUI, heading: str, timeout: float = 30) -> Locator:
    """The bot's post in the community channel whose card has ``heading``: a new post, not a reply."""
    post = ui.wait_for_bot_message(heading, timeout=timeout)
    events = ui.observer.bot_messages(heading, conversation=pgconfig.CHANNEL_ID)
    assert {e.conversation_id for e in events} == {pgconfig.CHANNEL_ID}, "a post of its own, not a reply"
    assert ui.posts.filter(has_text=heading).count() == 1, "one post, shown once"
    return post


# ---- publishing the agenda ----------------------------------------------------------------------


@dataclass(frozen=True)
class AcceptedRequest:
    ref: str
    #: When the meeting it is on is, as the cards say it.
    meeting_when: str


def accept_a_request(e2e: E2E) -> AcceptedRequest:
    """Set-up: Grace Li raises and submits a request for St Dunstan's and Daniel accepts it, through
    the domain services on the running bot's database and on the real clock (so it goes on CANT1's
    next meeting whose deadline it meets, as an accepted request does). The chat can do the same
    (tests/e2e/test_playground.py raises one), at a minute of form filling more."""
    assert e2e.bot is not None
    url = e2e.bot.database_url

    async def work() -> AcceptedRequest:
        database, clock = Database(url), SystemClock()
        try:
            request = await raise_and_accept(database, clock, GRACE, SCHOOL_URN, ANSWERS, chair=DANIEL)
            async with database.session() as session:
                meeting = await session.get(Meeting, request.meeting_id) if request.meeting_id else None
            assert meeting is not None, f"the accepted request {request.ref} is on no meeting"
            return AcceptedRequest(request.ref, when_text(meeting))
        finally:
            await database.dispose()

    return run_async(work)


@pytest.mark.e2e
def test_the_chair_publishes_the_agenda_and_it_appears_in_the_channel(e2e: E2E) -> None:
    ui = e2e.start(as_email=DANIEL)
    ui.wait_for_bot_message("Community chair")
    link_the_channel(ui)
    request = accept_a_request(e2e)

    ui.open_personal_chat()
    ui.send("agenda")

    review = ui.wait_for_bot_message(f"Agenda for review: {COMMUNITY}")
    shown = review.inner_text()
    for expected in ("Draft: not posted yet", request.meeting_when, request.ref, SCHOOL):
        assert expected in shown, f"{expected!r} not on the chair's review copy:\n{shown}"
    # The chair's own copy names the flagged member (Grace Li: it is her school) and the ruling.
    assert "Grace Li: St Dunstan's Church of England Primary School is their school" in shown, shown
    assert facts_after(shown, request.ref, ITEM_FACTS)["Declarations expected"] == "Yes", shown
    for button in ("Defer", "Add AOB", "Publish"):
        assert review.get_by_role("button", name=button, exact=True).count() == 1, f"no {button!r} button"

    review.get_by_role("button", name="Publish", exact=True).click()

    # The card pressed now says what happened, read-only: no second copy, nothing left to press.
    done = ui.wait_for_bot_message("Published to the community's channel (one card).")
    assert "Published: the channel shows this version." in done.inner_text()
    assert done.locator(".ac-adaptiveCard").get_by_role("button").count() == 0
    assert ui.chat_messages_by().filter(has_text=f"Agenda for review: {COMMUNITY}").count() == 1

    ui.open_channel(CHANNEL)
    post = channel_post(ui, f"Agenda: {COMMUNITY}")
    shown = post.inner_text()
    assert f"link {CODE}" not in shown, "the agenda is a post of its own, not a reply to the link"
    for expected in (request.meeting_when, "Daniel Okafor", request.ref, "Requests from schools"):
        assert expected in shown, f"{expected!r} not on the channel's agenda:\n{shown}"
    assert facts_after(shown, request.ref, ITEM_FACTS) == {
        "School": SCHOOL,
        "Type of request": "One pupil",
        "Support asked": "Advice, Training",
        "Declarations expected": "Yes",
    }, shown
    # No pupil detail and no flagged member: neither on the screen nor anywhere in what was posted.
    [event] = ui.observer.bot_messages(f"Agenda: {COMMUNITY}", conversation=pgconfig.CHANNEL_ID)
    for secret in NOT_IN_THE_CHANNEL:
        assert secret not in shown, f"{secret!r} is shown in the channel:\n{shown}"
        assert secret not in event.text, f"{secret!r} is in the card posted to the channel"
    e2e.assert_bot_healthy()


# ---- RSVP on the meeting reminder --------------------------------------------------------------

#: How long the test needs between adding the meeting and pressing the button: the meeting must
#: not have started by then.
LEAD = timedelta(minutes=15)
#: How long after the slot is chosen the service has the meeting and runs its reminder: the step
#: must still be worth running then. In the last minutes before one reminder hands over to the next
#: (03:00 and 15:00 with E2E_TIMELINE) none is left that long, so the next one, due within this
#: time, is taken and the test waits for it.
RUN_WITHIN = timedelta(minutes=3)
REMINDERS = (StepKind.MEETING_REMINDER_MORNING, StepKind.MEETING_REMINDER_DAY_BEFORE)
#: Start times to try, in half-hours after midnight: after school first (16:00 to 22:30, so that an
#: hour-long meeting ends the same day), then earlier and earlier (an early meeting's reminder is an
#: hour before it).
PREFERRED_STARTS = [*range(32, 46), *range(31, -1, -1)]


@dataclass(frozen=True)
class ReminderSlot:
    """A meeting a chair can add now, whose meeting reminder the scheduler runs at once."""

    day: date
    starts: time
    ends: time
    kind: StepKind
    #: The date and times as the cards show them.
    when: str
    #: "Today" or "Tomorrow": the meeting's day as seen from the London day the step falls on.
    label: str
    #: When the reminder is due: now or earlier, or within RUN_WITHIN (the test waits for it).
    due: datetime

    def seconds_to_wait(self) -> float:
        """How long until the reminder is due (0 if it is)."""
        return max(0.0, (self.due - SystemClock().now()).total_seconds())


def reminder_slot(now: datetime) -> ReminderSlot | None:
    """An hour-long meeting, today or tomorrow on a half-hour of the Meetings form's time list, for
    which the scheduler's own timeline (the offsets the e2e service runs with) has a meeting
    reminder already due at ``now`` and still worth running for a while (else one due within
    RUN_WITHIN); None when there is none. With ``E2E_TIMELINE`` a day-before reminder runs
    15:00–03:00 and a morning-of one 03:00–15:00."""
    return _reminder_slot(now, due_by=now) or _reminder_slot(now, due_by=now + RUN_WITHIN)


def _reminder_slot(now: datetime, *, due_by: datetime) -> ReminderSlot | None:
    # The offsets the e2e service runs with (playground.E2E_TIMELINE), read as the service reads them.
    offsets = Settings.from_env(E2E_TIMELINE, env_file=Path("/nonexistent/.env")).timeline
    meeting_offsets = MeetingOffsets()
    today = now.astimezone(LONDON).date()
    for day in (today, today + timedelta(days=1)):
        for half_hours in PREFERRED_STARTS:
            local = datetime.combine(day, time(half_hours // 2, 30 * (half_hours % 2)))
            try:
                starts, ends = london_wall_time(local), london_wall_time(local + timedelta(hours=1))
            except ValueError:  # the hour the clocks skip or repeat: the form refuses it too
                continue
            if starts < now + LEAD:
                continue
            deadline, publish_by = derived_dates(starts, meeting_offsets)
            meeting = Meeting(
                id=1,
                community_id=1,
                starts_at=starts,
                ends_at=ends,
                status=MeetingStatus.SCHEDULED,
                submission_deadline=deadline,
                agenda_publish_by=publish_by,
                created_at=now,
                updated_at=now,
            )
            for step in timeline_for(meeting, offsets, now):
                if step.kind in REMINDERS and step.at <= due_by and step.expires >= due_by + RUN_WITHIN:
                    # Told from when it is posted: now, or the step's time if the service is ahead.
                    same_day = max(step.at, now).astimezone(LONDON).date() == day
                    return ReminderSlot(
                        day=day,
                        starts=local.time(),
                        ends=(local + timedelta(hours=1)).time(),
                        kind=step.kind,
                        when=when_text(meeting),
                        label="Today" if same_day else "Tomorrow",
                        due=step.at,
                    )
    return None


def fill_in_a_new_meeting(ui: PlaygroundUI, slot: ReminderSlot) -> Locator:
    """The Meetings card in the chair's chat with *Add a meeting* pressed and ``slot``'s day and times
    picked, ready for *Add the meeting*."""
    ui.open_personal_chat()
    ui.send("meetings")
    card = ui.wait_for_bot_message(f"Meetings: {COMMUNITY}")
    card.get_by_role("button", name="Add a meeting", exact=True).click()
    pick_date(card, "Date", slot.day)
    pick_time(card, "Starts (London time)", slot.starts)
    pick_time(card, "Ends (London time)", slot.ends)
    return card


def pick_time(card: Locator, label: str, at: time) -> None:
    """Pick ``at`` from the list of the Input.Time labelled ``label`` (a picker listing half-hours)."""
    shown = f"{at.hour % 12 or 12}:{at:%M} {'AM' if at.hour < 12 else 'PM'}"  # as the picker lists it
    card.get_by_role("combobox", name=label).click()
    card.page.get_by_role("option", name=shown, exact=True).click()
    value = card.get_by_role("combobox", name=label).input_value()
    assert value == shown, f"{label} shows {value!r}, not {shown!r}"


def rsvp_facts(post: Locator) -> dict[str, str]:
    return facts_after(post.inner_text(), "Will you be there?", RSVP_FACTS)


def wait_for_counts(ui: PlaygroundUI, post: Locator, wanted: dict[str, str]) -> dict[str, str]:
    """Wait until the card in ``post`` shows the counts ``wanted`` (it is edited in place)."""
    deadline = monotonic() + DEFAULT_TIMEOUT
    while True:
        shown = rsvp_facts(post)
        if all(shown.get(title) == value for title, value in wanted.items()):
            return shown
        if monotonic() > deadline:
            raise AssertionError(f"the reminder card shows {shown}, expected {wanted}:\n{post.inner_text()}")
        ui.page.wait_for_timeout(100)


@pytest.mark.e2e
def test_a_member_rsvps_on_the_meeting_reminder_and_the_count_changes(e2e: E2E) -> None:
    now = SystemClock().now()
    slot = reminder_slot(now)
    if slot is None:  # from Friday 15:00 to Monday 03:00 no school day's meeting has a reminder due
        pytest.skip(f"E2E_TIMELINE leaves no reminder due at {now.astimezone(LONDON):%a %H:%M} London")
    ui = e2e.start(as_email=DANIEL)
    ui.wait_for_bot_message("Community chair")
    link_the_channel(ui)

    # Daniel adds the meeting with the Meetings card; the bot derives its jobs at once.
    card = fill_in_a_new_meeting(ui, slot)
    assert card.get_by_role("checkbox", name="Online (Teams)").is_checked()  # no place: online
    card.get_by_role("button", name="Add the meeting", exact=True).click()
    ui.wait_for_bot_message(f"Added a meeting for {CODE}: {slot.when}.")

    # The scheduler's reminder, in the channel: the time, the RSVP buttons, no answers yet.
    ui.open_channel(CHANNEL)
    heading = f"{slot.label}: {COMMUNITY} meeting"
    post = channel_post(ui, heading, timeout=30 + slot.seconds_to_wait())
    shown = post.inner_text()
    assert slot.when in shown, f"{slot.when!r} not on the reminder:\n{shown}"
    assert f"Quorum: not met yet: needs {QUORUM}" in shown, shown
    assert rsvp_facts(post) == {
        "Attending": "0",
        "Apologies": "0",
        "Sending a colleague": "0",
        "Schools represented": f"0 of {CANT1_SCHOOLS}",
    }, shown

    post.get_by_role("button", name="Attending", exact=True).click()

    # The same card, edited in place: one attending, his school represented; no reply in the thread.
    counts = wait_for_counts(ui, post, {"Attending": "1", "Schools represented": f"1 of {CANT1_SCHOOLS}"})
    assert counts == {
        "Attending": "1",
        "Apologies": "0",
        "Sending a colleague": "0",
        "Schools represented": f"1 of {CANT1_SCHOOLS}",
    }, counts
    assert f"Quorum: not met yet: needs {QUORUM}" in post.inner_text()  # one school of the two needed
    assert ui.posts.filter(has_text=heading).count() == 1, "the card changed in place: still one post"
    # The press is answered with this person's card (Action.Execute) before the bot edits the post for
    # everyone through the outbox: wait for that edit in the stream.
    events = ui.wait_for_stream(heading, count=2, conversation=pgconfig.CHANNEL_ID)
    assert [e.action for e in events][:1] == ["createMessage"], [e.action for e in events]
    assert {e.action for e in events[1:]} == {"updateMessage"}, [e.action for e in events]
    assert len({e.message.get("messageId") for e in events}) == 1, "every edit is of the reminder's message"
    replies = [
        e.text[:200] for e in ui.observer.bot_messages(conversation=pgconfig.CHANNEL_ID) if e not in events
    ]
    assert not [r for r in replies if "Sorry" in r], f"the bot refused the answer: {replies}"
    e2e.assert_bot_healthy()
