"""Migration 0015 on SQLite: the bot state rows jsonpickle wrote before it are rewritten as the plain
JSON of bot/teams/state_codec.py (the same dialogs, read back equal), a row that cannot be read is
deleted and counted in the log, and going down gives rows jsonpickle reads again."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonpickle
import pytest
import sqlalchemy as sa
from alembic import command
from botbuilder.core import MessageFactory
from botbuilder.dialogs import DialogInstance, DialogState
from botbuilder.dialogs.choices import Choice, ListStyle
from botbuilder.dialogs.prompts import PromptOptions
from sqlalchemy.engine import Connection

from bot.migrate import alembic_config, upgrade
from bot.teams import state_codec
from communities.sqltypes import UtcDateTime

BOT_STATE = sa.table(
    "bot_state",
    sa.column("key", sa.String()),
    sa.column("etag", sa.Integer()),
    sa.column("data", sa.Text()),
    sa.column("updated_at", UtcDateTime()),
)


def find_community_waiting() -> dict[str, Any]:
    """A conversation's state while dialogs/roster/find_community.py waits at its choice prompt."""
    options = PromptOptions(
        prompt=MessageFactory.text("Which one?"),
        choices=[Choice("Ashford North"), Choice("Dover")],
        style=ListStyle.hero_card,
    )
    pick = DialogInstance("pick", {"options": options, "state": {"attemptCount": 1}})
    steps = DialogInstance("steps", {"options": None, "values": {}, "instanceId": "9f0c", "stepIndex": 1})
    outer = DialogInstance("find_community", {"dialogs": DialogState([pick, steps])})
    return {"DialogState": DialogState([outer])}


def request_form_waiting() -> dict[str, Any]:
    step = DialogInstance("needs", {"options": {"school": 4}, "values": {"needs": "SEMH"}, "stepIndex": 0})
    return {"DialogState": DialogState([DialogInstance("request_form", {"dialogs": DialogState([step])})])}


OLD_STATES = {"chat-a": find_community_waiting(), "chat-b": request_form_waiting(), "user-c": {}}
UNREADABLE = {
    "chat-gone": '{"DialogState": {"py/object": "botbuilder.gone.DialogState", "_dialog_stack": []}}',
    "chat-broken": '{"DialogState": {"py/object": ',
}


def put_old_rows(connection: Connection) -> None:
    """The rows as the service wrote them before 0015: jsonpickle, unpicklable."""
    written = {key: jsonpickle.encode(state, unpicklable=True) for key, state in OLD_STATES.items()}
    for key, data in {**written, **UNREADABLE}.items():
        connection.execute(
            sa.insert(BOT_STATE).values(
                key=key, etag=2, data=data, updated_at=datetime(2026, 12, 1, 9, tzinfo=UTC)
            )
        )


def rows_of(connection: Connection) -> dict[str, tuple[int, str]]:
    found = connection.execute(sa.select(BOT_STATE.c.key, BOT_STATE.c.etag, BOT_STATE.c.data)).all()
    return {key: (etag, data) for key, etag, data in found}


def same(a: Any, b: Any) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, DialogState | DialogInstance | PromptOptions | Choice):
        return same(vars(a), vars(b))
    return bool(a == b)


def assert_migrated(rows: dict[str, tuple[int, str]]) -> None:
    assert set(rows) == set(OLD_STATES)  # the unreadable rows are gone
    for key, state in OLD_STATES.items():
        etag, data = rows[key]
        assert etag == 2  # a turn holding the old e-tag still saves
        assert "py/object" not in data
        json.loads(data)  # readable JSON
        assert same(state_codec.decode(data), state)
    waiting = json.loads(rows["chat-a"][1])["DialogState"]["dialogStack"][0]
    assert waiting["id"] == "find_community"
    assert waiting["state"]["dialogs"]["dialogStack"][0]["state"]["options"]["prompt"]["text"] == "Which one?"


def test_jsonpickle_rows_become_plain_json_and_unreadable_ones_are_deleted_and_counted(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    url = f"sqlite:///{tmp_path}/old.db"
    upgrade(url, "0014")
    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            put_old_rows(connection)
        with caplog.at_level(logging.INFO, logger="alembic.runtime.migration"):
            upgrade(url)
        with engine.connect() as connection:
            rows = rows_of(connection)
    finally:
        engine.dispose()
    assert_migrated(rows)
    assert "bot state: 3 rows rewritten as plain JSON, 2 unreadable rows deleted" in caplog.text


def test_going_down_gives_rows_jsonpickle_reads_and_up_again_the_same_plain_json(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/round.db"
    upgrade(url, "0014")
    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            put_old_rows(connection)
        upgrade(url)
        with engine.connect() as connection:
            migrated = rows_of(connection)
        command.downgrade(alembic_config(url), "0014")
        with engine.connect() as connection:
            down = rows_of(connection)
        upgrade(url)
        with engine.connect() as connection:
            again = rows_of(connection)
    finally:
        engine.dispose()
    for key, state in OLD_STATES.items():
        assert same(jsonpickle.decode(down[key][1]), state)
    assert again == migrated
