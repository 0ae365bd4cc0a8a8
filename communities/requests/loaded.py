"""A request read in one statement with the names of its school and community (issue 16).

The request form reads the request it works on at almost every turn. Through the ORM that was a
``session.get`` for the request and two more for the names the form shows (and one inside the
service's permission check): four statements, each with the ORM's loading work. Here it is one
Core statement, built once, whose row becomes a :class:`Request` as the ORM would build it (not
added to the session: it is the caller's copy, saved by the service's version-checked UPDATE).
The names come with it and stay with the session (:func:`places_read`), for the permission
check (the community's code) and the form's cards.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, Select, bindparam, inspect, select
from sqlalchemy.engine import Row
from sqlalchemy.orm import configure_mappers
from sqlmodel.ext.asyncio.session import AsyncSession

from communities.requests.lifecycle import RequestStatus
from communities.requests.tables import Request, table_of
from communities.roster.tables import Community, School


@dataclass(frozen=True)
class Places:
    """The request's school and community as read with it (None: no such row)."""

    school: str | None
    community: str | None
    community_code: str | None


_REQUEST, _SCHOOL, _COMMUNITY = table_of(Request), table_of(School), table_of(Community)
_COLUMNS = tuple(_REQUEST.c)
_KEYS = tuple(column.key for column in _COLUMNS)
#: Where a session keeps the places read with requests: {request id: Places}.
_PLACES = "cosbot.requests.places"


def _with_places() -> Select[Any]:
    return (
        select(
            *_COLUMNS,
            _SCHOOL.c.name.label("school_name"),
            _COMMUNITY.c.name.label("community_name"),
            _COMMUNITY.c.code.label("community_code"),
        )
        .outerjoin(_SCHOOL, _SCHOOL.c.id == _REQUEST.c.school_id)
        .outerjoin(_COMMUNITY, _COMMUNITY.c.id == _REQUEST.c.community_id)
    )


#: One request by id (the parameter ``request_id``).
BY_ID = _with_places().where(_REQUEST.c.id == bindparam("request_id", type_=Integer))
#: A person's drafts for their schools (the parameters ``person_id`` and ``schools``).
DRAFTS_OF = (
    _REQUEST.c.created_by_person_id == bindparam("person_id", type_=Integer),
    _REQUEST.c.status == RequestStatus.DRAFT.value,
    _REQUEST.c.school_id.in_(bindparam("schools", expanding=True, type_=Integer)),
)
#: The most recently changed of them.
LATEST_DRAFT = (
    _with_places().where(*DRAFTS_OF).order_by(_REQUEST.c.updated_at.desc(), _REQUEST.c.id.desc()).limit(1)
)


async def read_request(session: AsyncSession, query: Select[Any], params: dict[str, Any]) -> Request | None:
    """The request of ``query``'s first row (its places kept with the session), or None."""
    row = (await session.execute(query, params)).first()
    if row is None:
        return None
    request = _request_from(row)
    places = Places(row.school_name, row.community_name, row.community_code)
    session.info.setdefault(_PLACES, {})[request.id] = places
    return request


def places_read(session: AsyncSession, request_id: int | None) -> Places | None:
    """The places read with the request in this session, if it was read here."""
    kept: dict[int, Places] = session.info.get(_PLACES, {})
    return kept.get(request_id) if request_id is not None else None


def _request_from(row: Row[Any]) -> Request:
    """A Request with the row's values, made as the ORM's loading makes one (its class's
    instance, the values as loaded, nothing pending), without the loading machinery."""
    mapper = inspect(Request)
    if not mapper.configured:
        configure_mappers()
    request: Request = mapper.class_manager.new_instance()
    request.__dict__.update(zip(_KEYS, row, strict=False))
    return request
