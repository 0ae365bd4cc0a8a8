"""A forged (or forwarded) press on the chair's minutes by someone who may not write them is refused by
the domain, and changes nothing but the refusal's audit row: saving a section, asking to approve,
approving, keeping them as a draft; and the `minutes` command of someone who is not a chair."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.config import Settings
from communities.clock import FixedClock
from communities.db import Database
from communities.minutes import drafting
from tests.bot.conftest import Post
from tests.bot.refusals.test_every_button import changes, database_path, refusals, settled, snapshot
from tests.support.activities import personal_message, user
from tests.support.fake_connector import FakeConnector
from tests.support.minutes import decided_meeting
from tests.support.outcomes import as_person
from tests.support.people import DANIEL

TOM = user(5, "Tom Walsh")  # chair of THAN2
HANNAH = user(4, "Hannah Reid")  # a SENCO at a CANT1 school


async def seed(settings: Settings) -> tuple[int, int]:
    """CANT1's meeting, decided, with its draft minutes."""
    database, clock = Database(settings.database_url), FixedClock(datetime(2026, 11, 23, 9, 30, tzinfo=UTC))
    try:
        made = await decided_meeting(database, clock)
        shown = await as_person(
            database, DANIEL, lambda s, a: drafting.open_minutes(s, clock, a, made.meeting_id)
        )
        return made.meeting_id, shown.version
    finally:
        await database.dispose()


async def test_a_forged_press_on_the_minutes_is_refused_and_changes_nothing(
    fake: FakeConnector, post: Post, settings: Settings
) -> None:
    meeting_id, version = await seed(settings)
    at = {"meeting_id": meeting_id, "version": version}
    forged: list[tuple[dict[str, Any], dict[str, Any]]] = [
        (TOM, {"action": "minutes_save", **at, "section": "notes", "minutes_notes": "Mine now"}),
        (HANNAH, {"action": "minutes_save", **at, "section": "aob", "minutes_aob": "Mine now"}),
        (TOM, {"action": "minutes_approve", **at}),
        (HANNAH, {"action": "minutes_approve_confirm", **at}),
        (TOM, {"action": "minutes_approve_confirm", **at}),
        (TOM, {"action": "minutes_approve_keep", **at}),
        (TOM, {"action": "minutes", "community": "CANT1"}),
        (HANNAH, {"action": "minutes"}),
    ]
    for person in (TOM, HANNAH):  # each has a chat with the bot already
        await post(personal_message(fake.url, person, "help"))
    path = database_path(settings)
    before = await settled(path)
    audited: list[str] = []
    for person, data in forged:
        await post(personal_message(fake.url, person, value=data))
        after = snapshot(path)
        assert changes(before, after) == [], (person["name"], data)
        audited += refusals(before, after)
        before = after
    for typed in ("minutes", "minutes CANT1"):
        await post(personal_message(fake.url, HANNAH, typed))
        after = snapshot(path)
        assert changes(before, after) == [], typed
        before = after
    assert {"minutes_edit_refused", "minutes_approve_refused"} <= set(audited)
    said = " ".join(a.text or str(a.card) for a in fake.activities())
    assert "Only the chair or vice chair of CANT1, or a council officer, can write or approve" in said
    assert "“Minutes” is only for a community chair or vice chair, or a council officer." in said
