"""Who sent a turn: a registered sender's profile is reused for a while, then looked up again."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from botbuilder.core import TurnContext
from botbuilder.core.adapters import TestAdapter
from botbuilder.schema import Activity
from sqlalchemy import update

from bot.config import Settings
from bot.services import Services
from bot.teams.connector import BotConnector
from bot.teams.turn_sender import Senders
from communities.clock import FixedClock
from communities.db import Database
from communities.messaging.outbox import Outbox
from communities.roster.tables import Person
from tests.support.activities import personal_message, user

HANNAH = user(4, "Hannah Reid")


class Ticker:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def turn(text: str = "help") -> TurnContext:
    return TurnContext(TestAdapter(), Activity().deserialize(personal_message("http://x", HANNAH, text)))


async def leave_the_roster(database: Database) -> None:
    async with database.session() as session:
        await session.execute(update(Person).where(Person.display_name == "Hannah Reid").values(active=False))
        await session.commit()


def senders_for(
    database: Database, clock: FixedClock, connector: BotConnector, ttl: float, ticker: Ticker
) -> Senders:
    settings = replace(Settings(), roster_cache_seconds=ttl)
    return Senders(Services(settings, database, clock, Outbox(clock), connector), monotonic=ticker)


async def test_a_roster_change_reaches_the_bot_when_the_remembered_profile_expires(
    demo_db: Database, clock: FixedClock, connector: BotConnector
) -> None:
    ticker = Ticker()
    senders = senders_for(demo_db, clock, connector, 30, ticker)
    first = await senders.identify(turn())
    assert first.profile is not None and first.profile.display_name == "Hannah Reid"
    assert first.chairs == {"CANT1": ["Daniel Okafor"]}

    await leave_the_roster(demo_db)
    ticker.now += 29
    assert (await senders.identify(turn())).profile == first.profile  # within the 30 s
    ticker.now += 2
    assert (await senders.identify(turn())).profile is None  # looked up again: gone


async def test_with_no_cache_every_turn_looks_the_sender_up(
    demo_db: Database, clock: FixedClock, connector: BotConnector
) -> None:
    senders = senders_for(demo_db, clock, connector, 0, Ticker())
    assert (await senders.identify(turn())).profile is not None
    await leave_the_roster(demo_db)
    assert (await senders.identify(turn())).profile is None


async def test_forget_drops_remembered_profiles_at_once(
    demo_db: Database, clock: FixedClock, connector: BotConnector
) -> None:
    senders = senders_for(demo_db, clock, connector, 30, Ticker())
    assert (await senders.identify(turn())).profile is not None
    await leave_the_roster(demo_db)
    senders.forget()
    assert (await senders.identify(turn())).profile is None


def test_the_cache_time_is_read_from_the_environment(tmp_path: Path) -> None:
    no_file = tmp_path / "none.env"
    assert Settings.from_env({"ROSTER_CACHE_SECONDS": "5"}, env_file=no_file).roster_cache_seconds == 5
    assert Settings.from_env({}, env_file=no_file).roster_cache_seconds == 30
