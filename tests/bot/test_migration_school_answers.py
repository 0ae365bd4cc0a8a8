"""Migration 0007 on SQLite: the school's review answers get their table, and it goes down and up again."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from bot.migrate import upgrade


def _table(url: str) -> tuple[set[str], set[str], list[str]]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as db:
            inspector = sa.inspect(db)
            tables = set(inspector.get_table_names())
            if "outcome_school_answer" not in tables:
                return tables, set(), []
            columns = {c["name"] for c in inspector.get_columns("outcome_school_answer")}
            unique = [u["name"] for u in inspector.get_unique_constraints("outcome_school_answer")]
            return tables, columns, unique
    finally:
        engine.dispose()


def test_the_answers_table_comes_with_0007_and_goes_with_it(tmp_path: Path) -> None:
    from alembic import command

    from bot.migrate import alembic_config

    url = f"sqlite:///{tmp_path}/answers.db"
    upgrade(url, "0006")
    assert "outcome_school_answer" not in _table(url)[0]
    upgrade(url)
    tables, columns, unique = _table(url)
    assert {"request_id", "review_date", "result", "note", "answered_by_person_id", "answered_at"} <= columns
    assert unique == ["uq_school_answer_request_review"]
    command.downgrade(alembic_config(url), "0006")
    assert "outcome_school_answer" not in _table(url)[0]
    assert "outcome_review" in _table(url)[0]  # 0006's tables stay
    upgrade(url)
    assert "outcome_school_answer" in _table(url)[0]
