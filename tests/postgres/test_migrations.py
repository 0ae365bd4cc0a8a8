"""The Alembic migrations on an empty PostgreSQL database give exactly the models' schema."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

import bot.teams.state_storage  # noqa: F401  (registers the bot_state table, as the migrations' env.py does)
import communities.tables  # noqa: F401  (registers every domain table)
import scheduler.tables  # noqa: F401  (as the migrations' env.py does)
from bot.migrate import alembic_config, upgrade, upgrade_async
from communities.db import Database

pytestmark = pytest.mark.postgres


def _schema_state(connection: Connection) -> tuple[str | None, set[str], list[Any]]:
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "compare_server_default": True}
    )
    differences = compare_metadata(context, SQLModel.metadata)
    return context.get_current_revision(), set(inspect(connection).get_table_names()), differences


async def test_the_migrations_build_the_models_schema_on_an_empty_database(pg_empty_url: str) -> None:
    assert pg_empty_url.startswith("postgresql://")  # the URL people type, not the driver's
    head = ScriptDirectory.from_config(alembic_config(pg_empty_url)).get_current_head()

    await upgrade_async(pg_empty_url)
    await upgrade_async(pg_empty_url)  # again, as every `cosbot serve` start does: nothing to do

    database = Database(pg_empty_url)
    try:
        async with database.engine.connect() as connection:
            revision, tables, differences = await connection.run_sync(_schema_state)
    finally:
        await database.dispose()
    assert revision == head
    assert set(SQLModel.metadata.tables) <= tables
    assert differences == [], "the migrated PostgreSQL schema differs from the models"


async def test_migration_0015_rewrites_jsonpickle_bot_state_as_plain_json(pg_empty_url: str) -> None:
    """As tests/bot/test_migration_state_codec.py on SQLite: the same rows, the same outcome."""
    from tests.bot.test_migration_state_codec import assert_migrated, put_old_rows, rows_of

    await asyncio.to_thread(upgrade, pg_empty_url, "0014")
    database = Database(pg_empty_url)
    try:
        async with database.engine.begin() as connection:
            await connection.run_sync(put_old_rows)
        await upgrade_async(pg_empty_url)
        async with database.engine.connect() as connection:
            rows = await connection.run_sync(rows_of)
    finally:
        await database.dispose()
    assert_migrated(rows)
