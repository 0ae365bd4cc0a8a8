"""Bot state on PostgreSQL: e-tags catch a turn that saves over another's changes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.teams.state_storage import SqlStorage, StateConflictError
from communities.clock import FixedClock
from communities.db import Database

pytestmark = pytest.mark.postgres


@pytest.fixture
async def other_process(pg_url: str) -> AsyncIterator[Database]:
    database = Database(pg_url)
    try:
        yield database
    finally:
        await database.dispose()


async def test_a_stale_etag_is_a_conflict_and_the_newer_write_survives(
    pg_db: Database, clock: FixedClock
) -> None:
    storage = SqlStorage(pg_db, clock)
    await storage.write({"k": {"n": 0}})
    first = (await storage.read(["k"]))["k"]
    second = (await storage.read(["k"]))["k"]
    assert first == {"n": 0, "e_tag": "1"}

    first["n"] = 1
    await storage.write({"k": first})
    second["n"] = 2
    with pytest.raises(StateConflictError):
        await storage.write({"k": second})

    assert (await storage.read(["k"]))["k"] == {"n": 1, "e_tag": "2"}


async def test_a_conflict_writes_none_of_the_turns_changes(pg_db: Database, clock: FixedClock) -> None:
    storage = SqlStorage(pg_db, clock)
    await storage.write({"conversation": {"step": 1}, "user": {"name": "Priya"}})
    stale = await storage.read(["conversation", "user"])
    await storage.write({"user": {**stale["user"], "name": "Priya Shah"}})

    stale["conversation"]["step"] = 2
    stale["user"]["name"] = "P. Shah"
    with pytest.raises(StateConflictError):
        await storage.write({"conversation": stale["conversation"], "user": stale["user"]})

    assert await storage.read(["conversation", "user"]) == {
        "conversation": {"step": 1, "e_tag": "1"},
        "user": {"name": "Priya Shah", "e_tag": "2"},
    }


async def test_two_turns_saving_at_once_one_wins_one_conflicts(
    pg_db: Database, other_process: Database, clock: FixedClock
) -> None:
    storages = [SqlStorage(pg_db, clock), SqlStorage(other_process, clock)]
    await storages[0].write({"k": {"n": 0}})
    for round_ in range(1, 6):
        reads = [(await storage.read(["k"]))["k"] for storage in storages]
        writes = [
            storage.write({"k": {**item, "n": f"{round_}:{i}"}})
            for i, (storage, item) in enumerate(zip(storages, reads, strict=True))
        ]
        results: list[Any] = await asyncio.gather(*writes, return_exceptions=True)

        conflicts = [r for r in results if isinstance(r, StateConflictError)]
        assert len(conflicts) == 1 and results.count(None) == 1, results
        winner = results.index(None)
        assert (await storages[0].read(["k"]))["k"] == {"n": f"{round_}:{winner}", "e_tag": str(round_ + 1)}


async def test_two_first_saves_at_once_both_land_in_turn(
    pg_db: Database, other_process: Database, clock: FixedClock
) -> None:
    """Without an e-tag a save overwrites: a new key saved twice at once is one row, e-tag 2."""
    storages = [SqlStorage(pg_db, clock), SqlStorage(other_process, clock)]
    for key in ("a", "b", "c"):
        items: list[dict[str, Any]] = [{"n": 0}, {"n": 1}]

        await asyncio.gather(
            *(storage.write({key: item}) for storage, item in zip(storages, items, strict=True))
        )

        assert sorted(item["e_tag"] for item in items) == ["1", "2"]
        stored = (await storages[1].read([key]))[key]
        assert stored["e_tag"] == "2" and stored == next(item for item in items if item["e_tag"] == "2")
