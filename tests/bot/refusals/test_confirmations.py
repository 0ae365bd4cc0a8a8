"""A confirmation forged (or forwarded) by someone who may not do what it confirms is refused by the
domain, and changes nothing but the refusal's audit row: cancelling a meeting, removing a line of
any other business (AOB) from an agenda, withdrawing a request."""

from __future__ import annotations

from typing import Any

from bot.config import Settings
from communities.agendas.changes import add_aob
from communities.clock import SystemClock
from communities.db import Database
from tests.bot.conftest import Post
from tests.bot.refusals.test_every_button import changes, database_path, refusals, settled, snapshot
from tests.communities.agendas.test_agendas import as_person
from tests.support.activities import personal_message, user
from tests.support.fake_connector import FakeConnector
from tests.support.meetings import add_meeting
from tests.support.people import DANIEL, HANNAH
from tests.support.requests import raise_and_submit

TOM = user(5, "Tom Walsh")  # chair of THAN2
HANNAH_CHAT = user(4, "Hannah Reid")  # a SENCO at a CANT1 school
GRACE = user(3, "Grace Li")  # St Dunstan's: not Westgate's school


async def seed(settings: Settings) -> tuple[int, int, int]:
    """CANT1's meeting with a line of AOB on its agenda, and Westgate's submitted request."""
    database, clock = Database(settings.database_url), SystemClock()
    try:
        meeting_id = await add_meeting(database, clock, "CANT1", "2027-03-16 16:00")
        shown = await as_person(database, DANIEL, lambda s, a: add_aob(s, clock, a, meeting_id, "Transport"))
        request = await raise_and_submit(database, clock, HANNAH, "990101")
        assert request.id is not None
        return meeting_id, shown.version, request.id
    finally:
        await database.dispose()


async def test_a_forged_confirmation_is_refused_and_changes_nothing(
    fake: FakeConnector, post: Post, settings: Settings
) -> None:
    meeting_id, version, request_id = await seed(settings)
    forged: list[tuple[dict[str, Any], dict[str, Any]]] = [
        (TOM, {"action": "meeting_cancel_confirm", "meeting_id": meeting_id, "reason": "Mine now"}),
        (HANNAH_CHAT, {"action": "meeting_cancel_confirm", "meeting_id": meeting_id, "reason": "Mine now"}),
        (TOM, {"action": "meeting_cancel_keep", "meeting_id": meeting_id}),
        (
            TOM,
            {
                "action": "agenda_remove_aob_confirm",
                "meeting_id": meeting_id,
                "version": version,
                "aob_index": 0,
                "aob_line": "Transport",
            },
        ),
        (
            HANNAH_CHAT,
            {"action": "agenda_remove_aob", "meeting_id": meeting_id, "version": version, "aob_index": 0},
        ),
        (TOM, {"action": "request_withdraw_confirm", "request_id": request_id}),
        (GRACE, {"action": "request_withdraw_confirm", "request_id": request_id}),
    ]
    for person in (TOM, HANNAH_CHAT, GRACE):  # each has a chat with the bot already
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
    assert {"meeting_cancel_refused", "agenda_remove_aob_refused", "request_withdraw_refused"} <= set(audited)
    said = " ".join(a.text or str(a.card) for a in fake.activities())
    assert "Only a council officer or the chair or vice chair of CANT1 can change its meetings." in said
    assert (
        "Only the chair or vice chair of CANT1, or a council officer, can change or publish its agenda."
        in said
    )
