"""Migration 0010 on SQLite: the overspend requests' table, added after the budgets, and taken away again."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import communities.tables  # noqa: F401  (every table in the metadata)
from bot.migrate import alembic_config, upgrade


def test_the_overspend_table_is_added_after_0009_and_matches_the_model(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/old.db"
    upgrade(url, "0009")
    engine = sa.create_engine(url)
    try:
        with engine.connect() as db:
            assert "overspend_request" not in sa.inspect(db).get_table_names()
        upgrade(url)
        with engine.connect() as db:
            columns = {c["name"]: c for c in sa.inspect(db).get_columns("overspend_request")}
            found = [
                diff
                for diff in compare_metadata(MigrationContext.configure(db), SQLModel.metadata)
                if "overspend_request" in str(diff)
            ]
    finally:
        engine.dispose()
    assert {"meeting_id", "request_id", "amount_pence", "approved_by_person_id", "reason", "version"} <= set(
        columns
    )
    assert columns["approved_at"]["nullable"] and not columns["amount_pence"]["nullable"]
    assert found == []  # the migration makes the table the model describes


def test_the_overspend_migration_goes_down_and_up_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/round.db"
    upgrade(url)
    command.downgrade(alembic_config(url), "0009")
    engine = sa.create_engine(url)
    try:
        with engine.connect() as db:
            assert "overspend_request" not in sa.inspect(db).get_table_names()
        upgrade(url)
        with engine.connect() as db:
            assert "overspend_request" in sa.inspect(db).get_table_names()
    finally:
        engine.dispose()
