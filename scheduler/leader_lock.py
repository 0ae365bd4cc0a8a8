"""Which process leads: a PostgreSQL advisory lock held on a connection of its own.

The lock is taken on a dedicated connection, never pooled, held for the process's lifetime: a
session-level lock vanishes silently when its connection goes back to a pool and is reset
(tech.md §5). Closing the connection (or a crash) releases it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import make_url

from communities.db import normalise_url

if TYPE_CHECKING:
    import psycopg

# psycopg is imported where it is used: a service on SQLite never needs it (about 20 MB).

#: The advisory lock the leader holds ("cosbot" in ASCII, a positive bigint).
LOCK_KEY = int.from_bytes(b"cosbot", "big")


class LeaderLock:
    """The scheduler's advisory lock, for one process (``runner`` names it in ``pg_stat_activity``)."""

    def __init__(self, database_url: str, runner: str) -> None:
        self.database_url = database_url
        self.runner = runner
        self._connection: psycopg.AsyncConnection[Any] | None = None

    async def take(self) -> bool:
        """Try to take the lock (without waiting); True when this process holds it now."""
        connection = await self._connect()
        cursor = await connection.execute("SELECT pg_try_advisory_lock(%s)", (LOCK_KEY,))
        row = await cursor.fetchone()
        return row is not None and bool(row[0])

    async def check(self) -> None:
        """Raise if the lock's connection, and so the lock, is lost."""
        await (await self._connect()).execute("SELECT 1")

    async def release(self) -> None:
        """Closing the session releases the advisory lock."""
        connection, self._connection = self._connection, None
        if connection is not None and not connection.closed:
            try:
                await connection.close()
            except lock_errors():
                pass

    async def _connect(self) -> psycopg.AsyncConnection[Any]:
        if self._connection is None or self._connection.closed:
            import psycopg

            self._connection = await psycopg.AsyncConnection.connect(
                libpq_url(self.database_url),
                autocommit=True,
                connect_timeout=10,
                application_name=f"cosbot-scheduler {self.runner}"[:63],
                keepalives=1,
                keepalives_idle=10,
                keepalives_interval=5,
                keepalives_count=3,
            )
        return self._connection


def lock_errors() -> tuple[type[Exception], ...]:
    """What a failing lock connection raises."""
    import psycopg

    return (psycopg.Error, OSError)


def libpq_url(database_url: str) -> str:
    """A ``postgresql://`` URL for a plain psycopg connection (the lock's)."""
    return (
        make_url(normalise_url(database_url))
        .set(drivername="postgresql")
        .render_as_string(hide_password=False)
    )


def leader_status(database_url: str) -> str | None:
    """Who holds the scheduler's lock (PostgreSQL): the holder's application name, or None."""
    if make_url(normalise_url(database_url)).get_backend_name() != "postgresql":
        return None
    import psycopg

    high, low = LOCK_KEY >> 32, LOCK_KEY & 0xFFFFFFFF
    with psycopg.connect(libpq_url(database_url), autocommit=True, connect_timeout=10) as connection:
        row = connection.execute(
            "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND l.granted AND l.classid = %s AND l.objid = %s "
            "AND l.objsubid = 1 "
            "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            (high, low),
        ).fetchone()
    return str(row[0]) if row else ""
