"""The names the request form shows: the request's school and community, and who was told.

(The form's rules and who may edit a request are the domain's: :mod:`communities.requests`.)
"""

from __future__ import annotations

from dataclasses import dataclass

from botbuilder.core import TurnContext
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from communities.db import Database
from communities.requests.loaded import places_read
from communities.requests.tables import Request
from communities.roster.roles import Role
from communities.roster.tables import Community, Membership, Person, School


@dataclass(frozen=True)
class Where:
    school: str
    community: str


#: The names of the request this turn has loaded, for the card it shows next (no second read).
WHERE = "cosbot.request_form.where"


async def where_from(session: AsyncSession, request: Request, context: TurnContext | None = None) -> Where:
    """Where the request is from; remembered for the rest of the turn when ``context`` is given.

    (:func:`communities.requests.drafts.editable_request` and ``latest_draft`` read the names with
    the request, so in their session this reads no more rows.)"""
    places = places_read(session, request.id)
    if places is not None:  # read with the request
        school_name, community_name, code = places.school, places.community, places.community_code
    else:
        school = await session.get(School, request.school_id)
        community = await session.get(Community, request.community_id)
        school_name = school.name if school else None
        community_name, code = (community.name, community.code) if community else (None, None)
    where = Where(
        school_name if school_name is not None else "your school",
        f"{community_name} ({code})" if community_name is not None else "your community",
    )
    if context is not None:
        context.turn_state[WHERE] = (request.id, where)
    return where


async def where_shown(database: Database, context: TurnContext, request: Request) -> Where:
    """Where the request is from: as this turn loaded it, else read in a session of its own."""
    carried = context.turn_state.get(WHERE)
    if isinstance(carried, tuple) and carried[0] == request.id:
        where: Where = carried[1]
        return where
    async with database.session() as session:
        return await where_from(session, request, context)


async def triagers_told(session: AsyncSession, request: Request, told: set[int]) -> list[str]:
    """Which of the community's chair and vice chair were among the people told (names)."""
    rows = await session.exec(
        select(Person.id, Person.display_name, Membership.role)
        .join(Membership, col(Membership.person_id) == col(Person.id))
        .where(
            col(Membership.active),
            Membership.community_id == request.community_id,
            col(Membership.role).in_([Role.CHAIR, Role.VICE_CHAIR]),
        )
    )
    return [
        f"{name} ({Role(role).label.lower()})" for person_id, name, role in rows.all() if person_id in told
    ]
