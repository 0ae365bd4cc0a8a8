from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from communities.db import (
    STRICT_SESSIONS_ENV,
    Database,
    SessionMisuse,
    holding_session,
    normalise_url,
    refuse_while_holding_session,
)
from communities.roster.tables import Area


def test_plain_urls_get_the_async_drivers() -> None:
    assert normalise_url("sqlite:///var/x.db") == "sqlite+aiosqlite:///var/x.db"
    assert normalise_url("postgresql://u:p@h/db") == "postgresql+psycopg://u:p@h/db"
    assert normalise_url("postgresql+psycopg://u:p@h/db") == "postgresql+psycopg://u:p@h/db"


async def test_ping_answers_and_rows_round_trip(db: Database) -> None:
    await db.ping()
    async with db.session() as session:
        session.add(Area(name="East"))
        await session.commit()
    async with db.session() as session:
        area = await session.get(Area, 1)
    assert area is not None and area.name == "East"


async def test_ping_fails_when_the_database_is_unreachable() -> None:
    broken = Database("postgresql+psycopg://nobody:x@127.0.0.1:1/none")
    with pytest.raises(Exception):  # noqa: B017  (any driver error will do)
        await broken.ping()
    await broken.dispose()


def test_utc_column_refuses_naive_datetimes() -> None:
    from communities.sqltypes import UtcDateTime

    column = UtcDateTime()
    with pytest.raises(ValueError):
        column.process_bind_param(datetime(2026, 1, 1), None)  # type: ignore[arg-type]
    stored = column.process_bind_param(datetime(2026, 6, 1, 12, tzinfo=UTC), None)  # type: ignore[arg-type]
    assert stored == datetime(2026, 6, 1, 12)


async def test_a_session_opened_while_another_holds_the_connection_is_refused(db: Database) -> None:
    # On SQLite the pool has one connection: this would wait 30 s for itself, then fail.
    async with db.session() as outer:
        await outer.get(Area, 1)  # the outer session now holds a connection
        with pytest.raises(SessionMisuse, match="while another held a connection"):
            async with db.session():
                pass


async def test_a_core_connection_holds_the_pool_from_the_start_and_gives_it_back(db: Database) -> None:
    async with db.connection():
        assert holding_session()  # checked out at once, before any statement
        with pytest.raises(SessionMisuse, match="while another held a connection"):
            async with db.session():
                pass
        with pytest.raises(SessionMisuse, match="a call to Teams"):
            refuse_while_holding_session("a call to Teams")
    assert not holding_session()
    async with db.session() as session:  # the connection is free again
        assert await session.get(Area, 1) is None


async def test_a_session_opened_before_the_outer_one_is_used_or_after_it_commits_is_fine(
    db: Database,
) -> None:
    async with db.session() as outer:
        async with db.session() as inner:  # the outer one has no connection yet
            assert await inner.get(Area, 1) is None
        outer.add(Area(name="East"))
        await outer.commit()  # gives the connection back
        async with db.session() as inner:
            assert (await inner.get(Area, 1)) is not None


async def test_a_slow_call_is_refused_only_while_a_connection_is_held(db: Database) -> None:
    refuse_while_holding_session("a call to Teams")  # no session: fine
    async with db.session() as session:
        refuse_while_holding_session("a call to Teams")  # nothing read yet: fine
        await session.get(Area, 1)
        with pytest.raises(SessionMisuse, match="a call to Teams while this task holds a database session"):
            refuse_while_holding_session("a call to Teams")
        await session.rollback()
        refuse_while_holding_session("a call to Teams")


async def test_another_task_started_inside_a_session_does_not_count_as_holding_it(db: Database) -> None:
    async with db.session() as session:
        await session.get(Area, 1)
        assert holding_session()
        assert not await asyncio.create_task(_holding())


async def _holding() -> bool:
    return holding_session()


async def test_outside_the_tests_misuse_is_logged_not_raised(
    db: Database, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv(STRICT_SESSIONS_ENV)
    async with db.session() as session:
        await session.get(Area, 1)
        refuse_while_holding_session("a call to Teams")
    assert "a call to Teams while this task holds a database session" in caplog.text
