"""bot state as plain JSON: every bot_state row written by jsonpickle rewritten by bot.teams.state_codec

A row that jsonpickle cannot read back, or whose state the new codec refuses, is deleted and counted
in the log line: it is only an abandoned conversation's state, and its user starts again.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 23:45:00.000000
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger('alembic.runtime.migration')

_bot_state = sa.table('bot_state', sa.column('key', sa.String()), sa.column('data', sa.Text()))


def upgrade() -> None:
    import jsonpickle  # only here: the running service no longer reads or writes jsonpickle

    from bot.teams import state_codec

    from jsonpickle.errors import ClassNotFoundError

    def read(data: str) -> Any:  # a class that is gone is an error, not a dict left in the state
        try:
            return jsonpickle.decode(data, safe=True, on_missing='error')
        except ClassNotFoundError as error:  # a BaseException in jsonpickle
            raise ValueError(str(error)) from None

    rewritten, deleted = _rewrite(read, state_codec.encode)
    log.info('bot state: %d rows rewritten as plain JSON, %d unreadable rows deleted', rewritten, deleted)


def downgrade() -> None:
    import jsonpickle

    from bot.teams import state_codec

    rewritten, deleted = _rewrite(state_codec.decode, lambda item: jsonpickle.encode(item, unpicklable=True))
    log.info('bot state: %d rows rewritten as jsonpickle, %d unreadable rows deleted', rewritten, deleted)


def _rewrite(read: Callable[[str], Any], write: Callable[[Any], str]) -> tuple[int, int]:
    connection = op.get_bind()
    rows = connection.execute(sa.select(_bot_state.c.key, _bot_state.c.data)).all()
    rewritten = deleted = 0
    for key, data in rows:
        try:
            new = write(read(data))
        except Exception:  # noqa: BLE001  (anything unreadable: the conversation starts again)
            connection.execute(sa.delete(_bot_state).where(_bot_state.c.key == key))
            deleted += 1
            continue
        connection.execute(sa.update(_bot_state).where(_bot_state.c.key == key).values(data=new))
        rewritten += 1
    return rewritten, deleted
