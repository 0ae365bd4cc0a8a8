"""Migration 0008 on SQLite: the minutes table, added to a database with meetings, and taken away again."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import communities.tables  # noqa: F401  (every table in the metadata)
from bot.migrate import alembic_config, upgrade


def test_the_minutes_table_is_added_after_0007_and_matches_the_model(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/old.db"
    upgrade(url, "0007")
    engine = sa.create_engine(url)
    try:
        with engine.connect() as db:
            assert "minutes" not in sa.inspect(db).get_table_names()
        upgrade(url)
        with engine.connect() as db:
            inspector = sa.inspect(db)
            columns = {c["name"]: c for c in inspector.get_columns("minutes")}
            unique = [u["column_names"] for u in inspector.get_unique_constraints("minutes")]
            found = [
                diff
                for diff in compare_metadata(MigrationContext.configure(db), SQLModel.metadata)
                if "minutes" in str(diff)
            ]
    finally:
        engine.dispose()
    assert {"meeting_id", "status", "sections", "version", "approved_by_person_id", "approved_at"} <= set(
        columns
    )
    assert not columns["sections"]["nullable"] and columns["approved_at"]["nullable"]
    assert ["meeting_id"] in unique
    assert found == []  # the migration makes the table the model describes


def test_the_minutes_migration_goes_down_and_up_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/round.db"
    upgrade(url)
    command.downgrade(alembic_config(url), "0007")
    engine = sa.create_engine(url)
    try:
        with engine.connect() as db:
            assert "minutes" not in sa.inspect(db).get_table_names()
        upgrade(url)
        with engine.connect() as db:
            assert "minutes" in sa.inspect(db).get_table_names()
    finally:
        engine.dispose()
