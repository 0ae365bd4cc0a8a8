"""The real app on PostgreSQL: whole HTTP turns in, replies out at the fake connector; /healthz."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import text

from bot.app import create_app
from bot.config import Settings
from communities.db import Database
from tests.support.activities import (
    TEAM_ID,
    bot_added_to_team,
    installation_update,
    personal_message,
    submit_data,
    user,
)
from tests.support.fake_connector import FakeConnector
from tests.support.people import CHAIR_MENU_ACTIONS
from tests.support.pg_server import free_port

pytestmark = pytest.mark.postgres

DANIEL = user(2, "Daniel Okafor")

Client = TestClient[Any, Any]


@pytest.fixture
async def client(pg_url: str, pg_demo_db: Database) -> AsyncIterator[Client]:
    """The app on the demo database, configured with the plain ``postgresql://`` URL."""
    async with TestClient(TestServer(create_app(Settings(database_url=pg_url)))) as test_client:
        yield test_client


async def post(client: Client, activity: dict[str, Any]) -> None:
    response = await client.post("/api/messages", json=activity)
    assert response.status in (200, 201), await response.text()


async def test_help_in_a_personal_chat_gets_the_menu_card(
    client: Client, fake: FakeConnector, pg_db: Database
) -> None:
    chat = f"a:chat-{DANIEL['id']}"

    await post(client, personal_message(fake.url, DANIEL, "help"))

    [reply] = await fake.wait_for(lambda: fake.activities(chat))
    assert reply.card is not None, reply.activity
    card = json.dumps(reply.card)
    assert "Daniel Okafor" in card and "Community chair" in card
    assert "Canterbury City Community (CANT1)" in card and "Westgate Meadow Primary School" in card
    assert [data["action"] for data in submit_data(reply.card)] == CHAIR_MENU_ACTIONS

    # A second turn reads the state the first one saved in PostgreSQL, and saves over it.
    await post(client, personal_message(fake.url, DANIEL, "help"))
    await fake.wait_for(lambda: len(fake.activities(chat)) == 2)
    async with pg_db.engine.connect() as conn:
        etags = list((await conn.execute(text("SELECT etag FROM bot_state"))).scalars())
    assert etags and all(etag >= 1 for etag in etags)
    fake.assert_no_violations()


async def test_the_bot_added_to_a_team_greets_general_once(client: Client, fake: FakeConnector) -> None:
    # Teams sends these two at the same moment; both try to record the team.
    await asyncio.gather(
        post(client, installation_update(fake.url)), post(client, bot_added_to_team(fake.url))
    )
    welcome = await fake.wait_for(lambda: fake.activities(TEAM_ID))
    assert "Hello, Canterbury Community!" in json.dumps(welcome[0].card)

    await post(client, bot_added_to_team(fake.url))  # a page reload in the Playground
    await asyncio.sleep(0.3)  # time for a wrong second greeting to go out
    assert len(fake.threads(TEAM_ID)) == 1 and len(fake.activities(TEAM_ID)) == 1
    fake.assert_no_violations()


async def test_healthz_is_ok_and_survives_dropped_connections(
    client: Client, pg_url: str, pg_db: Database
) -> None:
    response = await client.get("/healthz")
    assert response.status == 200
    assert await response.json() == {"status": "ok", "database": "ok"}

    # The server ends every session of the app (a restart or failover would): the pool reconnects.
    async with pg_db.engine.connect() as conn:
        ended = await conn.scalar(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
    assert ended is not None and ended >= 1

    response = await client.get("/healthz")
    assert response.status == 200, await response.text()


async def test_healthz_is_503_when_postgresql_cannot_be_reached() -> None:
    unreachable = f"postgresql://postgres@127.0.0.1:{free_port()}/cosbot"  # nothing listens there
    async with TestClient(TestServer(create_app(Settings(database_url=unreachable)))) as client:
        response = await client.get("/healthz")
        assert response.status == 503
        assert await response.json() == {"status": "unavailable", "database": "unreachable"}
