from __future__ import annotations

from datetime import UTC, datetime

import pytest

from communities.db import Database, normalise_url
from communities.roster import Area


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
