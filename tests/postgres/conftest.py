"""PostgreSQL fixtures: one throwaway server per session, a fresh database per test.

The server is started here (initdb into a temp dir) unless ``COSBOT_TEST_PG_URL`` names
one to use. Without PostgreSQL the tests fail, never skip: CI must not pass by not testing.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator

import pytest

from bot.migrate import upgrade
from communities.clock import FixedClock
from communities.db import Database
from communities.roster.importing import import_roster
from tests.conftest import DEMO_ROSTER
from tests.support.fake_connector import FakeConnector
from tests.support.pg_server import PostgresServer, PostgresUnavailable, database_of


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    """The server: COSBOT_TEST_PG_URL's, else a new one in a temp dir, stopped and removed at the end."""
    external = os.environ.get("COSBOT_TEST_PG_URL")
    try:
        server = PostgresServer.external(external) if external else PostgresServer.launch()
    except PostgresUnavailable as exc:
        pytest.fail(f"no PostgreSQL for the postgres tests: {exc}", pytrace=False)
    with server:
        yield server


@pytest.fixture(scope="session")
def pg_template(pg_server: PostgresServer) -> Iterator[str]:
    """The name of a database migrated to head once, copied for each test that wants the schema."""
    url = pg_server.create_database()
    try:
        upgrade(url)
        yield database_of(url)
    finally:
        pg_server.drop_database(url)


@pytest.fixture
def pg_empty_url(pg_server: PostgresServer) -> Iterator[str]:
    """A new, empty database (a plain ``postgresql://`` URL), dropped after the test."""
    url = pg_server.create_database()
    try:
        yield url
    finally:
        pg_server.drop_database(url)


@pytest.fixture
def pg_url(pg_server: PostgresServer, pg_template: str) -> Iterator[str]:
    """A new database with the migrated schema and no rows, dropped after the test."""
    url = pg_server.create_database(template=pg_template)
    try:
        yield url
    finally:
        pg_server.drop_database(url)


@pytest.fixture
async def pg_db(pg_url: str) -> AsyncIterator[Database]:
    database = Database(pg_url)
    try:
        yield database
    finally:
        await database.dispose()


@pytest.fixture
async def pg_demo_db(pg_db: Database, clock: FixedClock) -> Database:
    """The migrated database with the demo roster imported."""
    await import_roster(pg_db, DEMO_ROSTER, clock)
    return pg_db


@pytest.fixture
async def fake() -> AsyncIterator[FakeConnector]:
    async with FakeConnector() as connector:
        yield connector
