"""The chair writes the minutes in the chat, edits a section, approves them (asked first), all on one
card; each member with a chat gets the full minutes, and the channel one short post with no detail."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.config import Settings
from communities.clock import FixedClock
from communities.db import Database
from communities.meetings.tables import Meeting
from tests.bot.conftest import Post
from tests.bot.journeys.test_agendas import button, flat, latest_message, pressed
from tests.support.activities import CHANNEL_ID, channel_message, chat_of, personal_message, user
from tests.support.fake_connector import FakeConnector
from tests.support.minutes import ACTION, Decided, decided_meeting

DANIEL = user(2, "Daniel Okafor")
HANNAH = user(4, "Hannah Reid")


async def prepare(settings: Settings) -> Decided:
    """CANT1's meeting with its outcome confirmed, moved to last week (the app runs on today's clock)."""
    database = Database(settings.database_url)
    try:
        made = await decided_meeting(database, FixedClock(datetime(2026, 11, 23, 9, 30, tzinfo=UTC)))
        async with database.session() as session:
            meeting = await session.get(Meeting, made.meeting_id)
            assert meeting is not None
            meeting.starts_at = datetime.now(UTC) - timedelta(days=7)
            meeting.ends_at = meeting.starts_at + timedelta(hours=1, minutes=30)
            session.add(meeting)
            await session.commit()
        return made
    finally:
        await database.dispose()


async def test_the_chair_edits_and_approves_the_minutes_and_the_members_and_channel_are_told(
    fake: FakeConnector, post: Post, settings: Settings
) -> None:
    made = await prepare(settings)
    await post(channel_message(fake.url, DANIEL, "link CANT1"))
    await post(personal_message(fake.url, HANNAH, "help"))  # Hannah has a chat with the bot

    await post(personal_message(fake.url, DANIEL, "minutes"))
    draft = await latest_message(fake, chat_of(DANIEL), "Minutes for approval")
    assert made.ref in flat(draft.card) and ACTION in flat(draft.card)
    messages = len(fake.activities(chat_of(DANIEL)))

    save = {
        **button(draft.card, "Save any other business"),
        "minutes_aob": "The summer school bus is agreed.",
    }
    await post(pressed(fake, DANIEL, draft, save))
    saved = fake.activity(draft.id)
    assert "The summer school bus is agreed." in flat(saved.card) and saved.text == "Saved."

    await post(pressed(fake, DANIEL, draft, button(saved.card, "Approve")))
    asked = fake.activity(draft.id)
    assert "Approve the minutes of" in flat(asked.card) and "Yes, approve" in flat(asked.card)

    confirm = button(asked.card, "Yes, approve")
    await post(pressed(fake, DANIEL, draft, confirm))
    done = fake.activity(draft.id)
    assert "Approved. Sent to 2 members in their chat with the bot." in flat(done.card)
    assert "Action.Submit" not in flat(done.card) and "Input.Text" not in flat(done.card)
    own = await fake.wait_for(  # his own copy, as a member: a message of its own
        lambda: next((a for a in fake.activities(chat_of(DANIEL)) if a.id != draft.id), None)
    )
    assert own is not None and "Minutes: Canterbury City Community" in flat(own.card)
    assert len(fake.activities(chat_of(DANIEL))) == messages + 1

    copy = await latest_message(fake, chat_of(HANNAH), "Minutes: Canterbury City Community")
    assert ACTION in flat(copy.card) and "The summer school bus is agreed." in flat(copy.card)
    posted = await latest_message(fake, CHANNEL_ID, "Minutes approved")
    assert made.ref not in flat(posted.card) and "Westgate" not in flat(posted.card)
    assert "have been sent to the community's members" in flat(posted.card)

    # Approving again (an old card) tells nobody again.
    await post(pressed(fake, DANIEL, draft, confirm))
    assert "already approved: nobody was told again" in flat(fake.activity(draft.id).card)
    assert len([a for a in fake.activities(CHANNEL_ID) if "Minutes approved" in flat(a.card)]) == 1
    fake.assert_no_violations()
