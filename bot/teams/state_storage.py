"""botbuilder ``Storage`` over SQL, with e-tag optimistic concurrency.

Conversation and user state (dialog stacks included) live in one table, each row as the
readable JSON of :mod:`bot.teams.state_codec`. A row that cannot be read back (not that JSON)
is left out, as if the conversation had no state: the user starts again rather than being
stuck on an error every turn; the next save overwrites it.

:class:`CodecConversationState` and :class:`CodecUserState` are botbuilder's states whose change
check uses the same codec. botbuilder keeps each turn's state in a ``CachedBotState`` and saves it
when a hash taken at the end of the turn differs from the one taken when it was read; its hash is
the text of jsonpickle's ``Pickler().flatten``, three times a turn for each state. Here the hash is
:func:`bot.teams.state_codec.encode`: the same question, answered with the JSON written anyway.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from botbuilder.core import BotAssert, ConversationState, Storage, TurnContext, UserState
from botbuilder.core.bot_state import CachedBotState
from sqlalchemy import Column, Text, bindparam, delete, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import Field, SQLModel, col

from bot.teams import state_codec
from bot.teams.state_codec import StateCodecError
from communities.clock import Clock
from communities.db import Database
from communities.sqltypes import UtcDateTime

log = logging.getLogger(__name__)


class BotStateRow(SQLModel, table=True):
    __tablename__ = "bot_state"

    key: str = Field(primary_key=True, max_length=1024)
    etag: int = 1
    data: str = Field(sa_column=Column(Text, nullable=False))
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


_TABLE = BotStateRow.__table__  # type: ignore[attr-defined]
#: One row per key asked for: its key, e-tag and JSON (compiled once, cached by SQLAlchemy).
_READ = select(_TABLE.c.key, _TABLE.c.etag, _TABLE.c.data).where(
    _TABLE.c.key.in_(bindparam("keys", expanding=True))
)


#: A save that expects the row's e-tag (the parameters ``row_key``, ``seen_etag``, ``new_data``, ``now``).
_UPDATE_IF_UNCHANGED = (
    update(_TABLE)
    .where(_TABLE.c.key == bindparam("row_key"), _TABLE.c.etag == bindparam("seen_etag"))
    .values(data=bindparam("new_data"), etag=_TABLE.c.etag + 1, updated_at=bindparam("now"))
)


def _upsert_statement(insert: Any) -> Any:
    """Insert the row, or overwrite it whatever its e-tag: one statement, ``ON CONFLICT``."""
    new: dict[str, Any] = {"data": bindparam("new_data"), "updated_at": bindparam("now")}
    return (
        insert(_TABLE)
        .values(key=bindparam("row_key"), etag=1, **new)
        .on_conflict_do_update(index_elements=[_TABLE.c.key], set_={**new, "etag": _TABLE.c.etag + 1})
        .returning(_TABLE.c.etag)
    )


#: The statements are built once (issue 16: building one costs more than running it on SQLite).
_UPSERT_SQLITE = _upsert_statement(sqlite_insert)
_UPSERT_POSTGRESQL = _upsert_statement(postgresql_insert)


class StateConflictError(Exception):
    """Another turn saved this state first; this turn's changes were not written."""


class SqlStorage(Storage):  # type: ignore[misc]
    def __init__(self, database: Database, clock: Clock) -> None:
        self._db = database
        self._clock = clock

    async def read(self, keys: list[str]) -> dict[str, Any]:
        if not keys:
            return {}
        # Core, not the ORM: three columns as tuples, no identity map (issue 16: the hot path of a turn).
        async with self._db.connection() as connection:
            rows = (await connection.execute(_READ, {"keys": keys})).all()
        items: dict[str, Any] = {}
        for row in rows:
            try:
                item = state_codec.decode(row.data)
            except (StateCodecError, KeyError, TypeError, ValueError) as error:
                log.warning("bot state %s cannot be read (%s): the conversation starts again", row.key, error)
                continue
            if isinstance(item, dict):
                item["e_tag"] = str(row.etag)
            else:
                item.e_tag = str(row.etag)
            items[row.key] = item
        return items

    async def write(self, changes: dict[str, Any]) -> None:
        # Every item encoded (or refused: StateCodecError) before anything is written.
        await self.write_encoded({key: (item, encode_state(item)) for key, item in changes.items()})

    async def write_encoded(self, changes: dict[str, tuple[Any, str]]) -> None:
        """``write``, each item with its JSON already made (:func:`encode_state`), as a state's
        change check makes it anyway: a turn encodes its state once to save it."""
        if not changes:
            return
        for key, (item, _) in changes.items():
            if _etag_of(item) == "":
                raise ValueError(f"empty e_tag for {key}: use '*' or omit it to overwrite")
        now = self._clock.now()
        async with self._db.connection() as connection:
            new_etags: dict[str, int] = {}
            for key, (item, data) in changes.items():
                etag = _etag_of(item)
                if etag in (None, "*"):
                    new_etags[key] = await self._upsert(connection, key, data, now)
                else:
                    result = await connection.execute(
                        _UPDATE_IF_UNCHANGED,
                        {"row_key": key, "seen_etag": int(etag), "new_data": data, "now": now},
                    )
                    if result.rowcount != 1:
                        await connection.rollback()
                        raise StateConflictError(f"state {key} was changed by another turn")
                    new_etags[key] = int(etag) + 1
            await connection.commit()
        for key, (item, _) in changes.items():
            _set_etag(item, str(new_etags[key]))

    async def delete(self, keys: list[str]) -> None:
        if not keys:
            return
        async with self._db.session() as session:
            await session.execute(delete(BotStateRow).where(col(BotStateRow.key).in_(keys)))
            await session.commit()

    async def _upsert(self, connection: AsyncConnection, key: str, data: str, now: datetime) -> int:
        statement = _UPSERT_SQLITE if self._db.is_sqlite else _UPSERT_POSTGRESQL
        result = await connection.execute(statement, {"row_key": key, "new_data": data, "now": now})
        return int(result.scalar_one())


def _etag_of(item: Any) -> str | None:
    if isinstance(item, dict):
        value = item.get("e_tag")
    else:
        value = getattr(item, "e_tag", None)
    return None if value is None else str(value)


def _set_etag(item: Any, etag: str) -> None:
    if isinstance(item, dict):
        item["e_tag"] = etag
    elif hasattr(item, "e_tag"):
        item.e_tag = etag


def _without_etag(item: Any) -> Any:
    if isinstance(item, dict):
        return {k: v for k, v in item.items() if k != "e_tag"}
    return item


def encode_state(item: Any) -> str:
    """The JSON stored for a state item: everything but its e-tag, which is a column of its own."""
    return state_codec.encode(_without_etag(item))


class CodecCachedBotState(CachedBotState):  # type: ignore[misc]
    """The change check's "hash" is the JSON that would be stored, so a changed state is saved
    with the text its check just made."""

    def compute_hash(self, obj: object) -> str:
        return encode_state(obj)


async def _load(state: Any, turn_context: TurnContext, force: bool) -> None:
    """``BotState.load`` as botbuilder 4.17.1 has it, caching a :class:`CodecCachedBotState`."""
    BotAssert.context_not_none(turn_context)
    cached_state = state.get_cached_state(turn_context)
    storage_key = state.get_storage_key(turn_context)
    if force or not cached_state or not cached_state.state:
        items = await state._storage.read([storage_key])
        turn_context.turn_state[state._context_service_key] = CodecCachedBotState(items.get(storage_key))


async def _save_changes(state: Any, turn_context: TurnContext, force: bool) -> None:
    """``BotState.save_changes`` as botbuilder 4.17.1 has it, encoding the state once: the change
    check's JSON is what is written (botbuilder encodes it three times)."""
    BotAssert.context_not_none(turn_context)
    cached_state = state.get_cached_state(turn_context)
    if cached_state is None:
        return
    text = cached_state.compute_hash(cached_state.state)
    if force or text != cached_state.hash:
        storage_key = state.get_storage_key(turn_context)
        await state._storage.write_encoded({storage_key: (cached_state.state, text)})
        cached_state.hash = text


class CodecConversationState(ConversationState):  # type: ignore[misc]
    async def load(self, turn_context: TurnContext, force: bool = False) -> None:
        await _load(self, turn_context, force)

    async def save_changes(self, turn_context: TurnContext, force: bool = False) -> None:
        await _save_changes(self, turn_context, force)


class CodecUserState(UserState):  # type: ignore[misc]
    async def load(self, turn_context: TurnContext, force: bool = False) -> None:
        await _load(self, turn_context, force)

    async def save_changes(self, turn_context: TurnContext, force: bool = False) -> None:
        await _save_changes(self, turn_context, force)
