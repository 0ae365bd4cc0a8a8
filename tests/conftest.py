"""Shared fixtures: a real database per test (SQLite file by default, PostgreSQL when asked)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import SQLModel

import bot.teams.state_storage  # noqa: F401  (the bot_state table: the daily retention purge clears it)
import communities.tables  # noqa: F401  (registers every table)
from communities.clock import FixedClock
from communities.db import STRICT_SESSIONS_ENV, Database

# A session opened inside another, or a call to Teams made while one is open, fails the test (and the
# services the end-to-end tests start inherit it).
os.environ[STRICT_SESSIONS_ENV] = "1"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 23, 9, 30, tzinfo=UTC))


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """SQLite in a temp file; set COSBOT_TEST_DATABASE_URL to run against PostgreSQL."""
    return os.environ.get("COSBOT_TEST_DATABASE_URL") or f"sqlite+aiosqlite:///{tmp_path}/test.db"


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    async with database.engine.begin() as conn:
        await conn.run_sync(SQLModel.metadata.drop_all)
        await conn.run_sync(SQLModel.metadata.create_all)
    try:
        yield database
    finally:
        await database.dispose()


DEMO_ROSTER = Path(__file__).resolve().parent.parent / "communities" / "demo"


@pytest.fixture
async def demo_db(db: Database, clock: FixedClock) -> Database:
    """The database with the demo roster imported (the same files `cosbot demo` loads)."""
    from communities.roster.importing import import_roster

    await import_roster(db, DEMO_ROSTER, clock)
    return db


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """End-to-end tests last: sync Playwright keeps an event loop running in the main thread."""
    items.sort(key=lambda item: item.get_closest_marker("e2e") is not None)
