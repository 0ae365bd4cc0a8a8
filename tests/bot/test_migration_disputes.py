"""Migration 0011 on SQLite: the dispute, dispute_event and outcome_version tables, added to a
database with outcomes, and taken away again."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import communities.tables  # noqa: F401  (every table in the metadata)
from bot.migrate import alembic_config, upgrade

TABLES = {"dispute", "dispute_event", "outcome_version"}


def test_the_dispute_tables_are_added_after_0010_and_match_the_model(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/old.db"
    upgrade(url, "0010")
    engine = sa.create_engine(url)
    try:
        with engine.connect() as db:
            assert not TABLES & set(sa.inspect(db).get_table_names())
        upgrade(url)
        with engine.connect() as db:
            inspector = sa.inspect(db)
            columns = {c["name"] for c in inspector.get_columns("dispute")}
            found = [
                diff
                for diff in compare_metadata(MigrationContext.configure(db), SQLModel.metadata)
                if any(table in str(diff) for table in TABLES)
            ]
    finally:
        engine.dispose()
    assert {
        "outcome_id",
        "stage",
        "status",
        "acknowledge_by",
        "decide_by",
        "escalate_by",
        "version",
    } <= columns
    assert found == []  # the migration makes the tables the models describe


def test_the_dispute_migration_goes_down_and_up_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/round.db"
    upgrade(url)
    command.downgrade(alembic_config(url), "0010")
    engine = sa.create_engine(url)
    try:
        with engine.connect() as db:
            assert not TABLES & set(sa.inspect(db).get_table_names())
        upgrade(url)
        with engine.connect() as db:
            assert TABLES <= set(sa.inspect(db).get_table_names())
    finally:
        engine.dispose()
