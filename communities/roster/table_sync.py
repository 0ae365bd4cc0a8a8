"""One roster table brought in line with the files: new rows inserted, changed ones updated, missing ones
deactivated."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from sqlalchemy import insert
from sqlalchemy import inspect as sa_inspect
from sqlmodel import SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession


class _Activatable(Protocol):
    id: int | None
    active: bool


_Row = TypeVar("_Row", bound=_Activatable)

_Model = TypeVar("_Model", bound=SQLModel)

_Key = TypeVar("_Key", bound=Hashable)


async def all_rows(session: AsyncSession, model: type[_Model]) -> list[_Model]:
    return list((await session.exec(select(model))).all())


def assign_values(row: object, values: Mapping[str, Any]) -> bool:
    """Set the values that differ; True if any did."""
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


def sync_rows(
    existing: Mapping[_Key, _Row],
    wanted: Mapping[_Key, dict[str, Any]],
    counts: EntityCounts,
    *,
    touched: Callable[[_Row], None] = lambda row: None,
    already_changed: Iterable[_Key] = (),
) -> tuple[dict[_Key, int], dict[_Key, dict[str, Any]]]:
    """Update, reactivate and deactivate existing rows in memory so they match ``wanted``.

    ``touched`` is called on each existing row that changes; ``already_changed`` names rows
    changed earlier in this import, so they are counted as updated. Returns the ids of
    the wanted rows that exist, and the values of those still to be inserted.
    """
    earlier = set(already_changed)
    ids: dict[_Key, int] = {}
    new: dict[_Key, dict[str, Any]] = {}
    for key, values in wanted.items():
        row = existing.get(key)
        if row is None or row.id is None:
            new[key] = values
            counts.created += 1
            continue
        ids[key] = row.id
        was_active = row.active
        changed = assign_values(row, {**values, "active": True}) or key in earlier
        if not was_active:
            counts.reactivated += 1
        elif changed:
            counts.updated += 1
        else:
            counts.unchanged += 1
        if changed:
            touched(row)
    for key, row in existing.items():
        if key in wanted:
            continue
        if row.active:
            row.active = False
            touched(row)
            counts.deactivated += 1
        elif key in earlier:
            counts.updated += 1
    return ids, new


async def write_rows(
    session: AsyncSession, model: type[SQLModel], new: Mapping[_Key, dict[str, Any]], key_column: str
) -> dict[_Key, int]:
    """Flush the changed rows, insert the new ones, and return the new rows' ids by key."""
    await session.flush()
    return await insert_rows(
        session, model, [{**values, "active": True} for values in new.values()], key_column
    )


async def insert_rows(
    session: AsyncSession, model: type[SQLModel], rows: list[dict[str, Any]], key_column: str | None
) -> dict[Any, int]:
    """One batched INSERT; returns ``key -> id`` when ``key_column`` is named.

    A Core insert, not an ORM one: the ORM leaves out None values and so splits the
    batch wherever the rows' None columns differ (an empty trust, an unknown Entra id).
    """
    if not rows:
        return {}
    if any(row.keys() != rows[0].keys() for row in rows):
        raise ValueError(f"new {model.__name__} rows must all give the same columns")
    table = sa_inspect(model).local_table
    if key_column is None:
        await session.exec(insert(table), params=rows)
        return {}
    result = await session.exec(insert(table).returning(table.c.id, table.c[key_column]), params=rows)
    return {key: row_id for row_id, key in result.all()}


@dataclass
class EntityCounts:
    """What an import did to one table. Rows absent from the files and already inactive are not counted."""

    created: int = 0
    updated: int = 0
    reactivated: int = 0
    deactivated: int = 0
    unchanged: int = 0

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.reactivated + self.deactivated
