"""SQLite for the async engine, run on the event loop's own thread instead of aiosqlite's.

Why: aiosqlite runs every call (cursor, execute, fetch, close, commit) on a worker thread and
wakes the event loop for each answer. A statement on this database takes a few microseconds,
its hand-off about 0.25 ms of CPU, so a dialog turn of six statements spent most of its
database time handing work to a thread and back (issue 16; ``bench/turns.py``). The pool has
one connection on SQLite anyway, so the thread bought no concurrency between turns.

:class:`LoopConnection` has aiosqlite's shape, so SQLAlchemy's ``sqlite+aiosqlite`` dialect
drives it unchanged (``create_async_engine(..., async_creator=...)``), and its coroutines
complete without suspending, except one way:

* The loop never waits inside SQLite. The connection's busy timeout is 0, so a write that
  meets another process's write lock (the scheduler's job store thread, a CLI import) fails
  at once with SQLITE_BUSY; the call is then retried after an ``asyncio.sleep`` that lets
  other turns run, for up to :data:`BUSY_WAIT_SECONDS` (the busy timeout the engine had
  before). A retry only repeats what SQLite refused before doing anything, as its own busy
  handler would; SQLITE_BUSY_SNAPSHOT, where waiting cannot help, is raised at once.

The cost: a slow statement holds the loop for its duration. The bot's statements are indexed
lookups over one council's data; a deployment with a large database uses PostgreSQL.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

#: How long a statement waits for another connection's write lock before the error is raised.
BUSY_WAIT_SECONDS = 30.0
#: The first and the longest pause between retries of a statement SQLite refused as busy.
_FIRST_PAUSE = 0.001
_LONGEST_PAUSE = 0.05
#: SQLITE_BUSY and SQLITE_BUSY_RECOVERY: another connection holds the lock, for now.
_RETRIABLE = frozenset({sqlite3.SQLITE_BUSY, getattr(sqlite3, "SQLITE_BUSY_RECOVERY", 261)})

T = TypeVar("T")


async def _unless_busy(call: Callable[[], T]) -> T:
    """``call()``, retried after a pause while SQLite reports the database busy."""
    deadline: float | None = None
    pause = _FIRST_PAUSE
    while True:
        try:
            return call()
        except sqlite3.OperationalError as error:
            if getattr(error, "sqlite_errorcode", None) not in _RETRIABLE:
                raise
            now = time.monotonic()
            if deadline is None:
                deadline = now + BUSY_WAIT_SECONDS
            elif now >= deadline:
                raise
        await asyncio.sleep(pause)
        pause = min(_LONGEST_PAUSE, pause * 2)


class LoopCursor:
    """aiosqlite's cursor, answered on the calling thread."""

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    async def __aenter__(self) -> LoopCursor:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        self._cursor.close()

    async def execute(self, sql: str, parameters: Sequence[Any] | dict[str, Any] = ()) -> LoopCursor:
        await _unless_busy(lambda: self._cursor.execute(sql, parameters))
        return self

    async def executemany(self, sql: str, parameters: Iterable[Any]) -> LoopCursor:
        rows = list(parameters)  # a generator could not be replayed after a busy refusal
        await _unless_busy(lambda: self._cursor.executemany(sql, rows))
        return self

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(self._cursor.arraysize if size is None else size)

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value


class _RunNow:
    """aiosqlite's queue of calls for its thread, as SQLAlchemy uses it to set the isolation level:
    here the call runs at once."""

    @staticmethod
    def put_nowait(item: tuple[asyncio.Future[Any], Callable[[], Any]]) -> None:
        future, function = item
        try:
            future.set_result(function())
        except Exception as error:  # handed to the awaiting caller, as aiosqlite's thread does
            future.set_exception(error)


class LoopConnection:
    """aiosqlite's connection, as SQLAlchemy's aiosqlite dialect drives it, over a ``sqlite3``
    connection used on the event loop's thread."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._conn = connection
        self._tx = _RunNow()

    @property
    def _connection(self) -> sqlite3.Connection | None:
        """The open connection, or None once closed (the dialect checks it before a rollback)."""
        return self._conn if self._open else None

    _open = True

    @property
    def isolation_level(self) -> str | None:
        return self._conn.isolation_level

    @isolation_level.setter
    def isolation_level(self, value: str | None) -> None:
        self._conn.isolation_level = value  # type: ignore[assignment]  # typeshed lists the three modes

    def cursor(self) -> LoopCursor:
        return LoopCursor(self._conn.cursor())

    async def execute(self, sql: str, parameters: Sequence[Any] | dict[str, Any] = ()) -> LoopCursor:
        return await self.cursor().execute(sql, parameters)

    async def commit(self) -> None:
        await _unless_busy(self._conn.commit)

    async def rollback(self) -> None:
        self._conn.rollback()

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._conn.create_function(*args, **kwargs)

    async def close(self) -> None:
        self.stop()

    def stop(self) -> None:
        if self._open:
            self._open = False
            self._conn.close()


def connect(database: str, **kwargs: Any) -> LoopConnection:
    """A connection to the SQLite file (or ``:memory:``) that never waits inside SQLite."""
    kwargs["check_same_thread"] = False  # pools may be disposed from another thread
    kwargs["timeout"] = 0
    return LoopConnection(sqlite3.connect(database, **kwargs))
