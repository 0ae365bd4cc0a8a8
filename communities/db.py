"""The database: one async engine and a session factory, for SQLite or PostgreSQL."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import event, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel import SQLModel, col
from sqlmodel.ext.asyncio.session import AsyncSession

from communities import sqlite_driver

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./var/cosbot.db"

#: With this set to 1 (the tests set it), misusing a session raises instead of logging an error.
STRICT_SESSIONS_ENV = "COSBOT_STRICT_SESSIONS"

log = logging.getLogger(__name__)

# The sessions (and Core connections) open in this context, each with the task that opened it.
_open_sessions: ContextVar[tuple[tuple[asyncio.Task[Any] | None, AsyncSession | AsyncConnection], ...]] = (
    ContextVar("cosbot_open_sessions", default=())
)


class SessionMisuse(RuntimeError):
    """A session was opened while another held a connection, or a slow call made while one did."""


def holding_session() -> bool:
    """True if the running task has a session in a transaction, and so holds a pooled connection."""
    try:
        task = asyncio.current_task()
    except RuntimeError:  # no event loop in this thread
        return False
    return any(opener is task and _holds(session) for opener, session in _open_sessions.get())


def _holds(opened: AsyncSession | AsyncConnection) -> bool:
    """A session holds a pooled connection once it starts a transaction; a Core connection from
    the moment it is opened."""
    if isinstance(opened, AsyncConnection):
        return not opened.closed
    return opened.in_transaction()


def refuse_while_holding_session(what: str) -> None:
    """Call before anything slow (a message to Teams, a Graph call): it must not hold a connection.

    On SQLite the pool has one connection, so every other turn would wait for that call.
    """
    if holding_session():
        _misuse(f"{what} while this task holds a database session")


def _misuse(problem: str) -> None:
    if os.environ.get(STRICT_SESSIONS_ENV) == "1":
        raise SessionMisuse(problem)
    log.error("%s (a programming error: close the session first)", problem)


def normalise_url(url: str) -> str:
    """Accept the URLs people type and give SQLAlchemy the async driver for them."""
    parsed = make_url(url)
    driver = parsed.drivername
    if driver in ("sqlite", "sqlite+pysqlite"):
        parsed = parsed.set(drivername="sqlite+aiosqlite")
    elif driver in ("postgresql", "postgres", "postgresql+psycopg2", "postgresql+psycopg"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


class Database:
    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = normalise_url(url)
        parsed = make_url(self.url)
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        kwargs: dict[str, Any] = {"echo": echo}
        if self.is_sqlite:
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            # Statements run on the loop's thread; a busy database is waited for without blocking it.
            kwargs["async_creator"] = _loop_sqlite_creator(parsed)
            # SQLite has one writer at a time. With several connections, concurrent turns wait in
            # SQLite's busy handler (sleeps of up to 100 ms: a p99 of seconds under load); with one,
            # they queue for it in asyncio. So code must never open a session inside another.
            kwargs["pool_size"] = 1
            kwargs["max_overflow"] = 0
        else:
            kwargs["pool_pre_ping"] = True
        self.engine: AsyncEngine = create_async_engine(self.url, **kwargs)
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        self.sessions = async_sessionmaker(self.engine, class_=AsyncSession, expire_on_commit=False)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session. Never open one while another holds a connection: SQLite's pool has one to give."""
        if holding_session():
            _misuse("a database session was opened while another held a connection")
        async with self.sessions() as session:
            marker = _open_sessions.set((*_open_sessions.get(), (asyncio.current_task(), session)))
            try:
                yield session
            finally:
                _open_sessions.reset(marker)

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[AsyncConnection]:
        """A Core connection, for a turn's hot path: prebuilt statements without an ORM session
        (about 0.35 ms a query less, issue 16). The rule is the sessions' (one at a time); a
        transaction not committed is rolled back at the end."""
        if holding_session():
            _misuse("a database connection was opened while another was held")
        async with self.engine.connect() as connection:
            marker = _open_sessions.set((*_open_sessions.get(), (asyncio.current_task(), connection)))
            try:
                yield connection
            finally:
                _open_sessions.reset(marker)

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def _loop_sqlite_creator(url: URL) -> Callable[[], Awaitable[sqlite_driver.LoopConnection]]:
    """The async engine's connection maker: :mod:`communities.sqlite_driver`, with the file (and
    options) SQLAlchemy's SQLite dialect reads from the URL."""
    args, options = SQLiteDialect_pysqlite().create_connect_args(url)

    async def connect() -> sqlite_driver.LoopConnection:
        return sqlite_driver.connect(*args, **options)

    return connect


T = TypeVar("T")


async def in_transaction(
    database: Database, work: Callable[[AsyncSession], Awaitable[T]], *, attempts: int = 3
) -> T:
    """Run ``work`` in a transaction and commit; on a unique-key race, start again.

    Teams delivers some events in pairs at the same moment (installationUpdate and
    conversationUpdate): both may try to insert the same row. The loser rolls back and
    retries, and then finds the winner's row.
    """
    for attempt in range(1, attempts + 1):
        async with database.session() as session:
            try:
                result = await work(session)
                await session.commit()
                return result
            except IntegrityError:
                await session.rollback()
                if attempt == attempts:
                    raise
    raise AssertionError("unreachable")


# ---- statements both databases write differently, or that every writer must get right -------


def upsert_into(session: AsyncSession, table: type[SQLModel]) -> sqlite.Insert | postgresql.Insert:
    """An INSERT that can take ``on_conflict_do_nothing`` or ``on_conflict_do_update``.

    SQLite and PostgreSQL both have ON CONFLICT, but SQLAlchemy builds it per dialect: this is
    the one place that picks the dialect of the session's database.
    """
    if session.get_bind().dialect.name == "sqlite":
        return sqlite.insert(table)
    return postgresql.insert(table)


async def update_if_unchanged(
    session: AsyncSession, table: type[SQLModel], row_id: int, version: int, values: dict[str, Any]
) -> bool:
    """Write ``values`` to the row only if its ``version`` is still the one it was read at.

    Optimistic concurrency: of two changes made from the same copy, the second finds the version
    moved on and writes nothing (False), rather than overwriting the first. ``values`` sets the
    new version (or not: a change that should not make cards stale leaves it). Nothing pending
    in the session is flushed first, so the row's changes go out only in this checked UPDATE.
    """
    with session.no_autoflush:
        result = await session.execute(
            update(table)
            .where(col(table.id) == row_id, col(table.version) == version)  # type: ignore[attr-defined]
            .values(**values)
            .execution_options(synchronize_session=False)
        )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]
