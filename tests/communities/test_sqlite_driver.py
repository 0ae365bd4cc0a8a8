"""SQLite on the event loop's thread: statements answer at once, and a busy database is waited for
without holding up the loop."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text

from communities import sqlite_driver
from communities.db import Database


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(f"sqlite+aiosqlite:///{tmp_path}/loop.db")
    async with database.engine.begin() as conn:
        await conn.execute(text("CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT NOT NULL)"))
    yield database
    await database.dispose()


def other_process(tmp_path: Path) -> sqlite3.Connection:
    """Another writer on the same file (a CLI import, the scheduler's job store)."""
    return sqlite3.connect(tmp_path / "loop.db", isolation_level=None, check_same_thread=False)


async def test_a_session_reads_and_writes_through_the_loop_driver(database: Database) -> None:
    async with database.session() as session:
        await session.execute(text("INSERT INTO note (body) VALUES ('kept')"))
        await session.commit()
    async with database.engine.connect() as conn:
        raw = await conn.get_raw_connection()
        assert isinstance(raw.driver_connection, sqlite_driver.LoopConnection)
        assert (await conn.execute(text("SELECT body FROM note"))).scalars().all() == ["kept"]


async def test_a_write_waits_for_another_writer_while_the_loop_goes_on(
    database: Database, tmp_path: Path
) -> None:
    other = other_process(tmp_path)
    other.execute("BEGIN IMMEDIATE")  # holds the write lock
    other.execute("INSERT INTO note (body) VALUES ('theirs')")
    ticks = 0

    async def meanwhile() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.005)

    async def write() -> None:
        async with database.session() as session:
            await session.execute(text("INSERT INTO note (body) VALUES ('ours')"))
            await session.commit()

    ticker = asyncio.create_task(meanwhile())
    writing = asyncio.create_task(write())
    await asyncio.sleep(0.15)
    assert not writing.done()  # still waiting for the lock...
    assert ticks >= 3  # ...and the loop kept running other work
    other.execute("COMMIT")
    await asyncio.wait_for(writing, 5)
    ticker.cancel()
    other.close()
    async with database.session() as session:
        bodies = (await session.execute(text("SELECT body FROM note ORDER BY id"))).scalars().all()
    assert bodies == ["theirs", "ours"]


async def test_a_write_gives_up_after_the_busy_wait(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_driver, "BUSY_WAIT_SECONDS", 0.1)
    other = other_process(tmp_path)
    other.execute("BEGIN IMMEDIATE")
    try:
        async with database.session() as session:
            with pytest.raises(Exception, match="database is locked"):
                await session.execute(text("INSERT INTO note (body) VALUES ('ours')"))
            await session.rollback()
    finally:
        other.execute("ROLLBACK")
        other.close()
    async with database.session() as session:
        assert (await session.execute(text("SELECT count(*) FROM note"))).scalar_one() == 0


async def test_other_errors_are_raised_at_once(database: Database) -> None:
    async with database.session() as session:
        with pytest.raises(Exception, match="no such table"):
            await session.execute(text("SELECT * FROM missing"))
