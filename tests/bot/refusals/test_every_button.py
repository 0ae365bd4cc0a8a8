"""A button pressed by someone who may not press it is refused, and the refusal changes nothing.

Every button the bot shows each demo person (officer, chair, vice chair, school leader, SENCO,
someone not in the roster) is harvested through the real app, then pressed as every person
the domain's rules do not let press it (a forged or forwarded card), in a personal chat and
in a channel. A snapshot of every table is taken before and after each press: the only rows
a press may add are the audit rows of refusals.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from bot.config import Settings
from communities.clock import SystemClock
from communities.db import Database
from communities.declarations import code_of_conduct
from communities.declarations.conflict_rules import InterestKind
from communities.declarations.register import InterestDeclaration, InterestDetails, declare_interest
from communities.meetings.tables import Meeting
from communities.messaging.outbox import Outbox
from communities.permissions import (
    RequestScope,
    is_school_staff,
    is_triager,
    may_broadcast,
    may_use,
    may_view_request,
)
from communities.requests.service import return_for_info
from communities.requests.tables import Request
from communities.roster.directory import PersonProfile
from tests.bot.conftest import Post
from tests.support.activities import channel_message, personal_message
from tests.support.buttons import PEOPLE, Button, show_every_button
from tests.support.fake_connector import FakeConnector
from tests.support.meetings import add_meeting
from tests.support.people import DANIEL, GRACE, HANNAH, PRIYA, TOM, profile_of
from tests.support.requests import raise_and_accept, raise_and_submit

Row = dict[str, Any]
Snapshot = dict[str, list[Row]]

#: Tables left out of the comparison, with why.
NOT_COMPARED = {
    # The bot's own conversation and user state (dialog stacks): every turn writes it.
    "bot_state",
}
#: The columns compared of a table every personal turn may touch. Each press comes from a chat
#: of its own (so that Teams' per-chat rate limit does not pace the test), and the bot
#: remembers the chat a person last wrote from: which chat that is is not a change the press made.
ONLY_COLUMNS = {"personal_chat": ("id", "teams_user_id", "person_id")}


def snapshot(path: str) -> Snapshot:
    """Every row of every table (SQLite, read-only, beside the app's own connection)."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
        connection.row_factory = sqlite3.Row
        tables = [
            name
            for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if name not in NOT_COMPARED and not name.startswith("sqlite_")
        ]
        return {
            table: [
                dict(row)
                for row in connection.execute(
                    f"SELECT {', '.join(ONLY_COLUMNS.get(table, ('*',)))} FROM {table} ORDER BY rowid"  # noqa: S608
                )
            ]
            for table in tables
        }


def changes(before: Snapshot, after: Snapshot) -> list[str]:
    """What a refused press must not do: anything but add the audit rows of refusals."""
    found = []
    for table in sorted(set(before) | set(after)):
        was, now = before.get(table, []), after.get(table, [])
        if table == "audit_event" and now[: len(was)] == was:
            found += [
                f"audited {row['action']}"
                for row in now[len(was) :]
                if not row["action"].endswith("_refused")
            ]
        elif was != now:
            gone = [row for row in was if row not in now]
            new = [row for row in now if row not in was]
            found.append(f"{table}: {gone} became {new}")
    return found


def refusals(before: Snapshot, after: Snapshot) -> list[str]:
    return [row["action"] for row in after["audit_event"][len(before["audit_event"]) :]]


def database_path(settings: Settings) -> str:
    path = make_url(settings.database_url).database
    assert path
    return path


async def seed(settings: Settings) -> None:
    """Requests in every state a button acts on, in two communities, and their meetings."""
    database, clock = Database(settings.database_url), SystemClock()
    try:
        await add_meeting(database, clock, "CANT1", "2027-03-16 16:00")
        await add_meeting(database, clock, "CANT1", "2027-05-18 16:00")
        await add_meeting(database, clock, "THAN2", "2027-03-17 16:00")
        await raise_and_accept(database, clock, HANNAH, "990101")
        await raise_and_accept(database, clock, GRACE, "990102")
        await raise_and_submit(database, clock, GRACE, "990102")  # for the chair's queue
        await raise_and_submit(database, clock, TOM, "990201")  # for THAN2's queue
        returned = await raise_and_submit(database, clock, HANNAH, "990101")
        assert returned.id is not None
        chair = await profile_of(database, GRACE)  # Daniel's own school: he may not return it
        async with database.session() as session:
            await return_for_info(session, clock, Outbox(clock), chair, returned.id, "Add the EHCP date.")
            await session.commit()
        for email in (HANNAH, GRACE):  # registers with an interest on them, to update or end
            person = await profile_of(database, email)
            async with database.session() as session:
                await code_of_conduct.accept(session, clock, person.person_id)
                await declare_interest(session, clock, person.person_id, TRUSTEE)
                await session.commit()
    finally:
        await database.dispose()


async def settled(path: str) -> Snapshot:
    """The snapshot once the outbox has delivered what the harvest queued (it changes rows as it goes)."""
    for _ in range(100):
        taken = snapshot(path)
        await asyncio.sleep(0.05)
        if taken == snapshot(path):
            return taken
    raise AssertionError("the database kept changing with nobody pressing anything")


TRUSTEE = InterestDetails(InterestKind.OTHER, "Trustee of a local charity", pecuniary=False)

#: The demo roster's email of each person who presses buttons (Jo Visitor is not in the roster).
EMAILS = {"29:user-1": PRIYA, "29:user-2": DANIEL, "29:user-3": GRACE, "29:user-4": HANNAH, "29:user-5": TOM}


async def may_press(database: Database, profile: PersonProfile | None, button: Button) -> bool:
    """Whether the domain's rules let this person press this button (then a press may change things)."""
    if profile is None:
        return False
    data, action = button.data, button.action
    async with database.session() as session:
        request = await session.get(Request, data["request_id"]) if "request_id" in data else None
        meeting = await session.get(Meeting, data["meeting_id"]) if "meeting_id" in data else None
        interest = (
            await session.get(InterestDeclaration, data["interest_id"]) if "interest_id" in data else None
        )
    if meeting is not None:  # the agenda's and the meetings' buttons
        return is_triager(profile, meeting.community_id)
    if request is not None:
        if action == "request_open":
            return may_view_request(profile, RequestScope(request.school_id, request.community_id)).allowed
        if action in ("request_accept", "request_return"):
            return is_triager(profile, request.community_id)
        return is_school_staff(profile, request.school_id)  # withdraw, continue, the request form's
    if data.get("form") == "declarations":  # each person's own register
        return interest is None or interest.person_id == profile.person_id
    if data.get("form") == "request":  # a new request's form (one on a request is above)
        return may_use(profile, "raise_request").allowed
    if isinstance(data.get("community_id"), int):
        return is_triager(profile, data["community_id"])
    if action == "accept_code_of_conduct":
        return True  # each person accepts it for themselves
    if action.startswith("broadcast_"):
        return may_broadcast(profile).allowed
    return may_use(profile, action).allowed


def in_a_channel(
    fake: FakeConnector, person: dict[str, Any], press: dict[str, Any], n: int
) -> dict[str, Any]:
    """A press on a card posted in a channel: a message with the card's data and no text.

    Each in a channel of its own, so that Teams' per-channel rate limit does not pace the test.
    """
    activity = channel_message(fake.url, person, "", channel_id=f"19:replay-{n}@thread.tacv2")
    del activity["text"], activity["entities"]
    activity["value"] = press
    return activity


async def test_a_button_pressed_by_someone_who_may_not_changes_nothing_but_the_refusals_audit_row(
    fake: FakeConnector, post: Post, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    await seed(settings)
    shown = await show_every_button(fake, post)
    every_button: dict[str, Button] = {}
    for buttons in shown.values():
        every_button.update(buttons)
    actions = {button.action for button in every_button.values()}
    assert {"request_accept", "request_return", "request_withdraw", "agenda_publish"} <= actions, actions

    database = Database(settings.database_url)
    try:
        profiles = {
            p["id"]: await profile_of(database, e) if (e := EMAILS.get(p["id"])) else None for p in PEOPLE
        }
        refused = {
            key: [p for p in PEOPLE if not await may_press(database, profiles[p["id"]], button)]
            for key, button in every_button.items()
        }
    finally:
        await database.dispose()

    path = database_path(settings)
    before = await settled(path)
    problems: list[str] = []
    audited: set[str] = set()
    presses = 0
    caplog.set_level(logging.ERROR)
    for key, button in sorted(every_button.items()):
        for person in refused[key]:
            for where in ("personal chat", "channel"):
                presses += 1
                if where == "personal chat":
                    activity = personal_message(fake.url, person, value=button.press)
                    activity["conversation"]["id"] = f"a:replay-{presses}"
                else:
                    activity = in_a_channel(fake, person, button.press, presses)
                await post(activity)
                after = snapshot(path)
                problems += [
                    f"{person['name']} pressed {button.press} in a {where}: {c}"
                    for c in changes(before, after)
                ]
                audited.update(refusals(before, after))
                before = after

    assert problems == [], "\n".join(problems[:20])
    assert [r.getMessage() for r in caplog.records if "turn failed" in r.getMessage()] == []
    # The presses reached the domain's checks: a school's triage, a chair's agenda and meetings.
    assert {
        "request_accept_refused",
        "request_return_for_info_refused",
        "request_withdraw_refused",
        "request_read_refused",
        "agenda_publish_refused",
        "meeting_cancel_refused",
        "declaration_refused",
    } <= audited, audited
