"""Migration 0006 on SQLite: the new tables, and accepted requests finding their place after the meeting.

"An accepted request whose meeting has passed waits for its outcome": it becomes "discussed" (so it
shows in that meeting's outcomes and no longer counts against the school's limit); one on the
published agenda of a meeting still to come becomes "scheduled"; the others still wait.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from bot.migrate import upgrade

NOW = datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def _seed(engine: sa.Engine) -> None:
    past, soon = NOW - timedelta(days=3), NOW + timedelta(days=20)
    with engine.begin() as db:
        db.execute(sa.text("INSERT INTO area (id, name) VALUES (1, 'East')"))
        db.execute(
            sa.text(
                "INSERT INTO community (id, code, name, district, area_id, active) "
                "VALUES (1, 'CANT1', 'Canterbury', 'Canterbury', 1, 1)"
            )
        )
        db.execute(
            sa.text(
                "INSERT INTO school (id, urn, name, community_id, active, phase) "
                "VALUES (1, '990101', 'Westgate', 1, 1, 'primary')"
            )
        )
        db.execute(
            sa.text("INSERT INTO person (id, display_name, email, active) VALUES (1, 'Hannah', 'h@x.org', 1)")
        )
        for meeting_id, starts, status in (
            (1, past, "scheduled"),
            (2, soon, "scheduled"),
            (3, past - timedelta(days=1), "cancelled"),
        ):
            db.execute(
                sa.text(
                    "INSERT INTO meeting (id, community_id, starts_at, ends_at, online, status, "
                    "submission_deadline, agenda_publish_by, source, sequence, calendar_synced, "
                    "created_at, updated_at) VALUES (:id, 1, :s, :e, 1, :status, :d, :p, 'teams', 1, 0, "
                    ":s, :s)"
                ),
                {
                    "id": meeting_id,
                    "s": starts,
                    "e": starts + timedelta(hours=1),
                    "status": status,
                    "d": starts - timedelta(days=10),
                    "p": starts - timedelta(days=5),
                },
            )
        db.execute(
            sa.text(
                "INSERT INTO agenda (meeting_id, status, version, aob, item_order, meeting_sequence, "
                "channel_part_ids, created_at, updated_at) VALUES (2, 'published', 1, '[]', '[]', 1, '[]', "
                ":n, :n)"
            ),
            {"n": NOW},
        )
        rows = [
            (1, "accepted", 1),  # its meeting has passed
            (2, "accepted", 2),  # on the published agenda of a meeting to come
            (3, "accepted", 3),  # its meeting was cancelled
            (4, "accepted", None),  # no meeting yet
            (5, "submitted", 1),  # not accepted: untouched
        ]
        for request_id, status, meeting_id in rows:
            db.execute(
                sa.text(
                    "INSERT INTO request (id, ref, community_id, school_id, created_by_person_id, status, "
                    "urgency, details, created_at, updated_at, meeting_id, version) VALUES (:id, :ref, 1, 1, "
                    "1, :status, 'standard', '{}', :n, :n, :m, 1)"
                ),
                {
                    "id": request_id,
                    "ref": f"COS-CANT1-26-{request_id:03d}",
                    "status": status,
                    "n": NOW,
                    "m": meeting_id,
                },
            )


def test_accepted_requests_move_on_with_their_meeting(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/old.db"
    upgrade(url, "0005")
    engine = sa.create_engine(url)
    try:
        _seed(engine)
        upgrade(url)
        with engine.connect() as db:
            statuses = dict(db.execute(sa.text("SELECT id, status FROM request ORDER BY id")).all())
            versions = dict(db.execute(sa.text("SELECT id, version FROM request ORDER BY id")).all())
            tables = set(sa.inspect(db).get_table_names())
            columns = {c["name"] for c in sa.inspect(db).get_columns("request")}
    finally:
        engine.dispose()
    assert statuses == {1: "discussed", 2: "scheduled", 3: "accepted", 4: "accepted", 5: "submitted"}
    assert versions == {1: 2, 2: 2, 3: 1, 4: 1, 5: 1}
    assert {"outcome", "outcome_action", "outcome_review", "meeting_attendance"} <= tables
    assert "review_date" in columns


def test_the_migration_goes_down_and_up_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/round.db"
    upgrade(url)
    from alembic import command

    from bot.migrate import alembic_config

    command.downgrade(alembic_config(url), "0005")
    upgrade(url)
    engine = sa.create_engine(url)
    try:
        with engine.connect() as db:
            assert "outcome" in sa.inspect(db).get_table_names()
    finally:
        engine.dispose()
