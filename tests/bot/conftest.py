"""The real aiohttp app over a real (migrated) SQLite database, talking to a fake Bot Connector."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import create_app
from bot.config import Settings
from bot.migrate import upgrade_async
from bot.teams.connector import BotConnector, NoTokens
from communities.clock import SystemClock
from communities.db import Database
from communities.roster.importing import import_roster
from tests.conftest import DEMO_ROSTER
from tests.support.fake_connector import FakeConnector

Post = Callable[[dict[str, Any]], Awaitable[Any]]


@pytest.fixture
async def fake() -> AsyncIterator[FakeConnector]:
    async with FakeConnector() as connector:
        yield connector


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
def connector(http: aiohttp.ClientSession) -> BotConnector:
    return BotConnector(http, NoTokens())


@pytest.fixture
async def app_database_url(tmp_path: Path) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path}/bot.db"
    await upgrade_async(url)
    database = Database(url)
    try:
        await import_roster(database, DEMO_ROSTER, SystemClock())
    finally:
        await database.dispose()
    return url


@pytest.fixture
def settings(app_database_url: str) -> Settings:
    return Settings(database_url=app_database_url, scheduler_enabled=False)


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[TestClient[Any, Any]]:
    async with TestClient(TestServer(create_app(settings))) as test_client:
        yield test_client


@pytest.fixture
def post(client: TestClient[Any, Any]) -> Post:
    async def send(activity: dict[str, Any]) -> Any:
        response = await client.post("/api/messages", json=activity)
        assert response.status in (200, 201), await response.text()
        return response

    return send
