"""Migration 0014 on SQLite: the request's retention marks, added after 0013 (existing requests keep
their answers: not removed), matching the model, and taken away again."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import communities.tables  # noqa: F401  (every table in the metadata)
from bot.migrate import alembic_config, upgrade

MARKS = {"detail_removed_at", "outcome_text_removed_at"}


def test_the_retention_marks_are_added_after_0013_and_match_the_model(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/old.db"
    upgrade(url, "0013")
    engine = sa.create_engine(url)
    try:
        with engine.connect() as db:
            assert not MARKS & {c["name"] for c in sa.inspect(db).get_columns("request")}
        upgrade(url)
        with engine.connect() as db:
            columns = {c["name"]: c for c in sa.inspect(db).get_columns("request")}
            found = [
                diff
                for diff in compare_metadata(MigrationContext.configure(db), SQLModel.metadata)
                if "detail_removed_at" in str(diff) or "outcome_text_removed_at" in str(diff)
            ]
    finally:
        engine.dispose()
    assert MARKS <= set(columns) and all(columns[name]["nullable"] for name in MARKS)
    assert found == []  # the migration makes the columns the model describes


def test_the_retention_migration_goes_down_and_up_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/round.db"
    upgrade(url)
    command.downgrade(alembic_config(url), "0013")
    engine = sa.create_engine(url)
    try:
        with engine.connect() as db:
            assert not MARKS & {c["name"] for c in sa.inspect(db).get_columns("request")}
        upgrade(url)
        with engine.connect() as db:
            assert MARKS <= {c["name"] for c in sa.inspect(db).get_columns("request")}
    finally:
        engine.dispose()
