"""A request's changes written with the version check (optimistic concurrency).

Two changes made from the same copy of a request never silently overwrite each other: the
UPDATE writes only if the row's version is still the one the copy was read at, as
:func:`communities.db.update_if_unchanged` does. Here it is one Core statement on the table,
built once: a save, on every turn of the request form, then reuses its compiled form and skips
the ORM's bulk-update machinery (issue 16).
"""

from __future__ import annotations

from sqlalchemy import bindparam, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel.ext.asyncio.session import AsyncSession

from communities.clock import Clock
from communities.requests.tables import Request, table_of

#: The columns a request's changes touch; every write sends them all.
SAVED = ("status", "request_type", "urgency", "details", "return_note", "submitted_at")
_TABLE = table_of(Request)
_WRITE = (
    update(_TABLE)
    .where(_TABLE.c.id == bindparam("row_id"), _TABLE.c.version == bindparam("read_version"))
    .values(
        {
            name: bindparam(f"new_{name}", type_=_TABLE.c[name].type)
            for name in (*SAVED, "updated_at", "version")
        }
    )
)


async def write_if_unchanged(session: AsyncSession, clock: Clock, request: Request) -> bool:
    """Write ``request``'s changes and a new version, only if the row still has its version;
    False (nothing written) if someone changed it since it was read.

    The changes go out in this one UPDATE: not flushed before it (which would write them without
    the check), nor again after it (the object is marked as holding what the row does).
    """
    assert request.id is not None
    changed = {name: getattr(request, name) for name in SAVED}
    changed.update(updated_at=clock.now(), version=request.version + 1)
    params = {f"new_{name}": value for name, value in changed.items()}
    params.update(row_id=request.id, read_version=request.version)
    with session.no_autoflush:  # nothing pending goes out before, unchecked
        result = await session.execute(_WRITE, params)
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return False
    for name, value in changed.items():
        set_committed_value(request, name, value)
    return True
