"""The roster import on PostgreSQL: the demo roster, a re-import, and all-or-nothing failures."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from communities.clock import FixedClock
from communities.db import Database
from communities.roster.importing import RosterImportError, import_roster
from tests.conftest import DEMO_ROSTER

pytestmark = pytest.mark.postgres

TABLES = ("area", "community", "school", "person", "membership", "audit_event")


async def snapshot(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every roster table and of the audit log."""
    async with db.engine.connect() as conn:
        return {
            table: [tuple(row) for row in await conn.execute(text(f"SELECT * FROM {table} ORDER BY id"))]
            for table in TABLES
        }


async def execute(db: Database, *statements: str) -> None:
    async with db.engine.begin() as conn:
        for statement in statements:
            await conn.execute(text(statement))


async def roles_of(db: Database, email: str) -> set[tuple[str, str | None, str | None, bool]]:
    """(role, school URN, community code, active) of each membership ``email`` holds."""
    query = text(
        "SELECT m.role, s.urn, c.code, m.active FROM membership m JOIN person p ON p.id = m.person_id "
        "LEFT JOIN school s ON s.id = m.school_id LEFT JOIN community c ON c.id = m.community_id "
        "WHERE p.email = :email"
    )
    async with db.engine.connect() as conn:
        result = await conn.execute(query, {"email": email})
        return {(role, urn, code, active) for role, urn, code, active in result}


def changed_demo(directory: Path, *, extra_people: str) -> Path:
    """The demo files with a school renamed and ``extra_people`` rows appended to people.csv."""
    shutil.copytree(DEMO_ROSTER, directory)
    schools = directory / "schools.csv"
    schools.write_text(schools.read_text().replace("Westgate Meadow Primary", "Westgate Park Primary"))
    with (directory / "people.csv").open("a") as people:
        people.write(extra_people)
    return directory


NEW_SENCO = "lena.moss@wincheap-demo.example.org,Lena Moss,,senco,990104,\n"


async def test_the_demo_roster_imports_and_a_reimport_changes_nothing(
    pg_db: Database, clock: FixedClock
) -> None:
    summary = await import_roster(pg_db, DEMO_ROSTER, clock)

    assert summary.lines()[:5] == [
        "areas:       2 created, 0 updated, 0 reactivated, 0 deactivated, 0 unchanged",
        "communities: 3 created, 0 updated, 0 reactivated, 0 deactivated, 0 unchanged",
        "schools:     9 created, 0 updated, 0 reactivated, 0 deactivated, 0 unchanged",
        "people:      8 created, 0 updated, 0 reactivated, 0 deactivated, 0 unchanged",
        "memberships: 12 created, 0 updated, 0 reactivated, 0 deactivated, 0 unchanged",
    ]
    assert await roles_of(pg_db, "daniel.okafor@westgate-demo.example.org") == {
        ("school_leader", "990101", "CANT1", True),
        ("chair", None, "CANT1", True),
    }
    assert await roles_of(pg_db, "priya.shah@kent-demo.example.org") == {("officer", None, None, True)}
    before = await snapshot(pg_db)
    assert [len(before[table]) for table in TABLES] == [2, 3, 9, 8, 12, 1]

    clock.advance(days=7)
    again = await import_roster(pg_db, DEMO_ROSTER, clock)

    assert again.changed == 0
    assert again.lines()[-1] == "Nothing changed: the database already matched these files."
    after = await snapshot(pg_db)
    assert len(after.pop("audit_event")) == 2
    del before["audit_event"]
    assert after == before  # the same rows, ids and timestamps


async def test_a_file_problem_writes_nothing(pg_demo_db: Database, clock: FixedClock, tmp_path: Path) -> None:
    before = await snapshot(pg_demo_db)
    files = changed_demo(tmp_path / "bad", extra_people=NEW_SENCO + "bob@example.org,Bob Day,,head,,\n")

    with pytest.raises(RosterImportError, match="head"):
        await import_roster(pg_demo_db, files, clock)

    assert await snapshot(pg_demo_db) == before


async def test_a_failure_inside_postgresql_rolls_the_whole_import_back(
    pg_demo_db: Database, clock: FixedClock, tmp_path: Path
) -> None:
    """Schools and people are written before PostgreSQL itself refuses the memberships."""
    await execute(
        pg_demo_db,
        "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'membership writes are refused'; END $$",
        "CREATE TRIGGER refuse BEFORE INSERT ON membership FOR EACH STATEMENT EXECUTE FUNCTION refuse()",
    )
    before = await snapshot(pg_demo_db)
    files = changed_demo(tmp_path / "changed", extra_people=NEW_SENCO)

    with pytest.raises(DBAPIError, match="membership writes are refused"):
        await import_roster(pg_demo_db, files, clock)

    assert await snapshot(pg_demo_db) == before

    # Nothing half-done is left in the way: once the database accepts them, the same files import.
    await execute(pg_demo_db, "DROP TRIGGER refuse ON membership")
    summary = await import_roster(pg_demo_db, files, clock)
    assert (summary.schools.updated, summary.people.created, summary.memberships.created) == (1, 1, 1)
    assert await roles_of(pg_demo_db, "lena.moss@wincheap-demo.example.org") == {
        ("senco", "990104", "CANT1", True)
    }
