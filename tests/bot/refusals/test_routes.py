"""Every route's capability is enforced: pressed or typed by someone who may not, it is refused
with the reason, and nothing is written but the refusal's audit row.

Routes that need a capability (the menu's, the broadcast steps) are pressed and typed by every
demo person without it, and by someone not in the roster. Buttons whose domain call decides
(a request's, the agenda's, a meeting form's, `link` and `unlink`) are harvested from the cards
their rightful users are shown, then replayed by people who may not press them. Each press is
compared against a snapshot of every table taken just before it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import SQLModel

import communities.tables  # noqa: F401  (registers every table)
from bot.config import Settings
from communities.clock import SystemClock
from communities.db import Database
from communities.messaging.outbox import OutboxMessage, OutboxStatus
from communities.requests.service import start_draft
from communities.roster.directory import PersonProfile, find_person, load_profile
from dialogs.routes import chat_routes
from dialogs.routing import Place, Route
from tests.bot.conftest import Post
from tests.bot.journeys.test_channel_buttons import pressed_in_channel
from tests.bot.journeys.test_meetings import fill, form, say
from tests.cards.meetings.test_admin import show_cards
from tests.support.activities import channel_message, submit_data, user
from tests.support.fake_connector import FakeConnector, PostedActivity
from tests.support.meetings import add_meeting
from tests.support.people import GRACE as GRACE_EMAIL
from tests.support.people import HANNAH as HANNAH_EMAIL
from tests.support.people import aad_id, profile_of
from tests.support.requests import raise_and_accept, raise_and_submit, school_id

PRIYA, DANIEL, GRACE, HANNAH, TOM, SAM = (
    user(1, "Priya Shah"),  # officer
    user(2, "Daniel Okafor"),  # chair of CANT1, school leader at Westgate
    user(3, "Grace Li"),  # vice chair of CANT1, school leader at St Dunstan's
    user(4, "Hannah Reid"),  # SENCO at Westgate (CANT1)
    user(5, "Tom Walsh"),  # chair of THAN2, school leader at Ramsgate
    user(7, "Sam Carter"),  # finance, in no community
)
STRANGER = user(99, "Jo Visitor")  # not in the roster
PEOPLE = (PRIYA, DANIEL, GRACE, HANNAH, TOM, SAM)
ROUTES = chat_routes()


def routes_needing_a_capability() -> list[tuple[Place, str]]:
    return sorted(
        ((place, action) for place in Place for action, r in ROUTES.routes(place).items() if r.capability),
        key=lambda found: (found[0].value, found[1]),
    )


# ---- the database, before and after -----------------------------------------------------------------


@pytest.fixture
async def database(settings: Settings) -> AsyncIterator[Database]:
    db = Database(settings.database_url)
    try:
        yield db
    finally:
        await db.dispose()


async def snapshot(db: Database) -> dict[str, list[str]]:
    """Every row of every table, leaving out refusals' audit rows (a refusal writes only that)."""
    tables: dict[str, list[str]] = {}
    async with db.engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            rows = (await connection.execute(select(table))).mappings().all()
            tables[table.name] = sorted(
                repr(sorted(row.items()))
                for row in rows
                if not (table.name == "audit_event" and str(row["action"]).endswith("_refused"))
            )
    return tables


async def profiles(db: Database) -> dict[str, PersonProfile]:
    found = {}
    async with db.session() as session:
        for person in PEOPLE:
            row = await find_person(session, aad_object_id=aad_id(int(person["id"].split("-")[1])))
            assert row is not None, person
            found[person["id"]] = await load_profile(session, row)
    return found


async def unchanged_after(db: Database, press: Any) -> list[PostedActivity]:
    before = await snapshot(db)
    replies: list[PostedActivity] = await press()
    after = await snapshot(db)
    changed = {name: (before[name], after[name]) for name in before if before[name] != after[name]}
    assert not changed, changed
    return replies


async def delivered(db: Database, timeout: float = 5.0) -> None:  # noqa: ASYNC109
    """Wait until the outbox has sent everything queued (its rows change as it does)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        async with db.session() as session:
            pending = await session.exec(
                select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.PENDING)
            )
            if pending.first() is None:
                return
        await asyncio.sleep(0.05)
    raise AssertionError("the outbox did not deliver in time")


def texts(replies: list[PostedActivity]) -> list[str]:
    return [reply.text for reply in replies if reply.text]


# ---- routes that need a capability ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("place", "action"), routes_needing_a_capability(), ids=lambda found: getattr(found, "name", found)
)
async def test_a_route_refuses_everyone_without_its_capability_and_writes_nothing(
    place: Place, action: str, fake: FakeConnector, post: Post, database: Database
) -> None:
    route = ROUTES.routes(place)[action]
    words = [word for word, found in ROUTES.commands(place).items() if found is route]
    everyone = await profiles(database)
    without = [person for person in PEOPLE if not route.decision(everyone[person["id"]]).allowed]
    for person in [*without, STRANGER]:
        await say(post, fake, person, "hi")  # the first message stores the chat; not part of the check
        profile = everyone.get(person["id"])
        expected = f"Sorry: {route.decision(profile).reason}" if profile else "not registered"
        if place == Place.PERSONAL:
            for press in [{"value": {"action": action}}, *({"text": word} for word in words)]:
                replies = await unchanged_after(
                    database, lambda p=press, who=person: say(post, fake, who, **p)
                )
                assert expected in texts(replies)[0], (person["name"], press, texts(replies))
                if profile is not None and route.is_menu_item:  # and the menu the person may use
                    assert replies[-1].card is not None
        else:
            replies = await unchanged_after(database, lambda who=person: in_channel(post, fake, who, action))
            assert expected in texts(replies)[0], (person["name"], texts(replies))


async def in_channel(
    post: Post, fake: FakeConnector, who: dict[str, Any], action: str
) -> list[PostedActivity]:
    return await pressed(post, fake, who, {"action": action})


async def pressed(
    post: Post, fake: FakeConnector, who: dict[str, Any], data: dict[str, Any]
) -> list[PostedActivity]:
    """A card button pressed on a post in a channel (no text, the button's data as the value)."""
    press = pressed_in_channel(fake.url, who, data)
    await post(press)
    return fake.activities(press["conversation"]["id"])


# ---- buttons the domain decides on ------------------------------------------------------------------


@dataclass
class Shown:
    """The buttons the rightful people were shown, by action, with who may press each."""

    presses: dict[str, list[dict[str, Any]]]


MAY_NOT = {
    # A request of Westgate (CANT1): its school's staff, CANT1's chair and vice chair, officers.
    "request_open": (TOM, SAM),
    "request_accept": (HANNAH, TOM, SAM),
    "request_return": (HANNAH, TOM, SAM),
    "request_withdraw": (PRIYA, GRACE, TOM, SAM),
    "request_withdraw_confirm": (PRIYA, GRACE, TOM, SAM),
    "request_withdraw_keep": (PRIYA, GRACE, TOM, SAM),
    "request_continue": (PRIYA, GRACE, TOM, SAM),
    # CANT1's agenda and meetings: its chair and vice chair, officers.
    "agenda_move_up": (HANNAH, TOM, SAM),
    "agenda_move_down": (HANNAH, TOM, SAM),
    "agenda_defer": (HANNAH, TOM, SAM),
    "agenda_add_aob": (HANNAH, TOM, SAM),
    "agenda_remove_aob": (HANNAH, TOM, SAM),
    "agenda_publish": (HANNAH, TOM, SAM),
    "meeting_add": (HANNAH, TOM, SAM),
    "meeting_move": (HANNAH, TOM, SAM),
    "meeting_cancel": (HANNAH, TOM, SAM),
}


@pytest.fixture
async def shown(fake: FakeConnector, post: Post, settings: Settings) -> Shown:
    db, clock = Database(settings.database_url), SystemClock()
    try:
        await add_meeting(db, clock, "CANT1", "2027-03-16 16:00")
        await raise_and_accept(db, clock, HANNAH_EMAIL, "990101")
        await raise_and_accept(db, clock, HANNAH_EMAIL, "990101")  # two items: both moves are offered
        await raise_and_submit(db, clock, GRACE_EMAIL, "990102")  # waiting in the chair's queue
        hannah = await profile_of(db, HANNAH_EMAIL)
        async with db.session() as session:  # a draft: "Continue my draft" on My requests
            await start_draft(session, clock, hannah, await school_id(db, "990101"))
            await session.commit()
    finally:
        await db.dispose()
    presses: dict[str, list[dict[str, Any]]] = {}

    def keep(replies: list[PostedActivity]) -> None:
        for reply in replies:
            for data in submit_data(reply.card):
                presses.setdefault(str(data.get("action")), []).append(data)

    for person in PEOPLE:
        await say(post, fake, person, "hi")
    keep(await say(post, fake, HANNAH, "requests"))
    keep(await say(post, fake, HANNAH, value=presses["request_withdraw"][0]))  # its confirmation
    keep(await say(post, fake, DANIEL, "queue"))
    for data in presses.get("request_open", []):
        keep(await say(post, fake, DANIEL, value=data))
    for data in presses.get("request_return", []):
        data["note"] = "A note the chair did not write"
    keep(await say(post, fake, DANIEL, "agenda"))
    [add_aob] = presses["agenda_add_aob"]
    for action in [found for found in presses if found.startswith("agenda_")]:
        del presses[action]  # the agenda changes: only the latest copy's buttons are current
    keep(await say(post, fake, DANIEL, value={**add_aob, "aob_text": "Transport"}))
    [meetings] = [reply.card for reply in await say(post, fake, DANIEL, "meetings") if reply.card]
    for title, forms in show_cards(meetings).items():
        answers = {"Date": "2027-02-10"} if title.startswith("Add") else {}
        for found in forms:
            data = fill(form(meetings, title, forms.index(found)), **answers)
            presses.setdefault(str(data.get("action")), []).append(data)
    return Shown(presses)


@pytest.mark.parametrize(
    "action",
    list(MAY_NOT),
)
async def test_a_button_on_a_record_is_refused_to_whoever_may_not_press_it_and_writes_nothing(
    action: str, shown: Shown, fake: FakeConnector, post: Post, database: Database
) -> None:
    route = ROUTES.for_button(Place.PERSONAL, action)
    assert route is not None and route.capability is None  # the domain decides, against the record
    presses = shown.presses.get(action)
    assert presses, f"no card showed {action}: {sorted(shown.presses)}"
    for person in MAY_NOT[action]:
        for data in presses:
            replies = await unchanged_after(
                database, lambda d=data, who=person: say(post, fake, who, value=d)
            )
            said = " ".join(texts(replies))
            assert "Sorry" in said or "Only" in said, (person["name"], action, said)
            # The same press in a channel: no route there, so a line of help and nothing else.
            replies = await unchanged_after(database, lambda d=data, who=person: pressed(post, fake, who, d))
            assert texts(replies)[0].startswith("In a channel I understand"), texts(replies)


async def test_link_and_unlink_are_refused_to_whoever_may_not_change_the_channel(
    fake: FakeConnector, post: Post, database: Database
) -> None:
    def typed(who: dict[str, Any], text: str) -> Any:
        async def press() -> list[PostedActivity]:
            activity = channel_message(fake.url, who, text)
            await post(activity)
            return fake.activities(activity["conversation"]["id"])

        return press

    route: Route | None = ROUTES.for_command(Place.CHANNEL, "link CANT1")
    assert route is not None and route.capability is None
    for person in (GRACE, HANNAH, TOM, SAM):  # only CANT1's chair, or an officer
        said = texts(await unchanged_after(database, typed(person, "link CANT1")))
        assert said and "Only a council officer or the chair of CANT1" in said[0], said
    await post(channel_message(fake.url, DANIEL, "link CANT1"))
    await delivered(database)
    for person in (GRACE, HANNAH, TOM, SAM):
        said = texts(await unchanged_after(database, typed(person, "unlink")))
        assert said and "Only a council officer or the chair of CANT1" in said[0], said
