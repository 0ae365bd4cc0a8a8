"""Migration 0012 on SQLite: the term dates table, added after the disputes, and taken away again."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import communities.tables  # noqa: F401  (every table in the metadata)
from bot.migrate import alembic_config, upgrade


def test_the_term_dates_table_is_added_after_0011_and_matches_the_model(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/old.db"
    upgrade(url, "0011")
    engine = sa.create_engine(url)
    try:
        with engine.connect() as db:
            assert "term_date" not in sa.inspect(db).get_table_names()
        upgrade(url)
        with engine.connect() as db:
            columns = {c["name"]: c for c in sa.inspect(db).get_columns("term_date")}
            found = [
                diff
                for diff in compare_metadata(MigrationContext.configure(db), SQLModel.metadata)
                if "term_date" in str(diff)
            ]
    finally:
        engine.dispose()
    assert {"academic_year", "kind", "name", "starts_on", "ends_on", "imported_at"} <= set(columns)
    assert found == []  # the migration makes the table the model describes


def test_the_term_dates_migration_goes_down_and_up_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/round.db"
    upgrade(url)
    command.downgrade(alembic_config(url), "0011")
    engine = sa.create_engine(url)
    try:
        with engine.connect() as db:
            assert "term_date" not in sa.inspect(db).get_table_names()
        upgrade(url)
        with engine.connect() as db:
            assert "term_date" in sa.inspect(db).get_table_names()
    finally:
        engine.dispose()
