"""Migration 0013 on SQLite: the team_member and reach_problem tables, added after 0012 as the models
describe them, and taken away again."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import communities.tables  # noqa: F401  (every table in the metadata)
from bot.migrate import alembic_config, upgrade

TABLES = ("team_member", "reach_problem")


def test_the_reach_tables_are_added_after_0012_and_match_the_models(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/old.db"
    upgrade(url, "0012")
    engine = sa.create_engine(url)
    try:
        with engine.connect() as db:
            assert not set(TABLES) & set(sa.inspect(db).get_table_names())
        upgrade(url)
        with engine.connect() as db:
            columns = {c["name"]: c for c in sa.inspect(db).get_columns("team_member")}
            found = [
                diff
                for diff in compare_metadata(MigrationContext.configure(db), SQLModel.metadata)
                if any(table in str(diff) for table in TABLES)
            ]
    finally:
        engine.dispose()
    assert {"team_id", "teams_user_id", "aad_object_id", "person_id", "tenant_id", "service_url"} <= set(
        columns
    )
    assert columns["person_id"]["nullable"] and not columns["service_url"]["nullable"]
    assert found == []


def test_the_reach_migration_goes_down_and_up_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/round.db"
    upgrade(url)
    command.downgrade(alembic_config(url), "0012")
    engine = sa.create_engine(url)
    try:
        with engine.connect() as db:
            assert not set(TABLES) & set(sa.inspect(db).get_table_names())
        upgrade(url)
        with engine.connect() as db:
            assert set(TABLES) <= set(sa.inspect(db).get_table_names())
    finally:
        engine.dispose()
