"""The names the request form shows: the request's school and community, and who was told.

(The form's rules and who may edit a request are the domain's: :mod:`communities.requests`.)
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from communities.requests.tables import Request
from communities.roster.roles import Role
from communities.roster.tables import Community, Membership, Person, School


@dataclass(frozen=True)
class Where:
    school: str
    community: str


async def where_from(session: AsyncSession, request: Request) -> Where:
    school = await session.get(School, request.school_id)
    community = await session.get(Community, request.community_id)
    return Where(
        school.name if school else "your school",
        f"{community.name} ({community.code})" if community else "your community",
    )


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
