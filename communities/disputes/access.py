"""Who deals with a dispute at each stage, and who may raise or escalate one.

- Raising and escalating: a school leader of the requesting school (issue 13 says the school's
  leader; a SENCO asks them).
- Stage 1, informal resolution: the community's chair, or its vice chair, who has no conflict of
  interest on the request (:mod:`communities.requests.conflicts`: the chair whose own school raised
  it steps aside). With neither free to act, the council's officers take it.
- Stage 2: the council's officers (the locality team).
- Stage 3: the Area Board: people holding ``area_board`` for a community of the same area as the
  dispute's community (the roster names any community of the area).

A person conflicted on the request never handles its dispute.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from communities.disputes.tables import Dispute, Stage
from communities.requests.conflicts import conflicts_of, keeps_from_deciding
from communities.requests.tables import Request
from communities.roster.directory import PersonProfile, people_with_role
from communities.roster.roles import Role
from communities.roster.tables import Community, Membership, Person


def is_school_leader(profile: PersonProfile, school_id: int) -> bool:
    return any(
        held.role is Role.SCHOOL_LEADER and held.school is not None and held.school.id == school_id
        for held in profile.roles
    )


async def area_board(session: AsyncSession, community_id: int) -> list[int]:
    """The active Area Board members for the community's area (person ids, by name)."""
    community = await session.get(Community, community_id)
    if community is None:
        return []
    same_area = select(Community.id).where(Community.area_id == community.area_id)
    rows = await session.exec(
        select(Person.id)
        .join(Membership, col(Membership.person_id) == col(Person.id))
        .where(
            Membership.role == Role.AREA_BOARD,
            col(Membership.active),
            col(Person.active),
            col(Membership.community_id).in_(same_area),
        )
        .order_by(col(Person.display_name))
    )
    return [p for p in dict.fromkeys(rows.all()) if p is not None]


async def handlers(session: AsyncSession, dispute: Dispute) -> tuple[int, ...]:
    """Who deals with the dispute at its current stage (person ids), none of them conflicted."""
    request = await session.get(Request, dispute.request_id)
    assert request is not None
    stage = Stage(dispute.stage)
    if stage is Stage.CHAIR:
        for role in (Role.CHAIR, Role.VICE_CHAIR):
            free = await _free(
                session, request, [p.id for p in await people_with_role(session, role, dispute.community_id)]
            )
            if free:
                return free
        stage = Stage.OFFICERS
    if stage is Stage.OFFICERS:
        return await _free(session, request, [p.id for p in await people_with_role(session, Role.OFFICER)])
    return await _free(session, request, await area_board(session, dispute.community_id))


async def may_handle(session: AsyncSession, profile: PersonProfile, dispute: Dispute) -> bool:
    return profile.person_id in await handlers(session, dispute)


async def _free(session: AsyncSession, request: Request, people: Sequence[int | None]) -> tuple[int, ...]:
    free = []
    for person_id in people:
        if person_id is not None and not keeps_from_deciding(await conflicts_of(session, person_id, request)):
            free.append(person_id)
    return tuple(dict.fromkeys(free))


async def school_leaders(session: AsyncSession, school_id: int) -> tuple[int, ...]:
    """The school's active school leaders (person ids, by name)."""
    rows = await session.exec(
        select(Person.id)
        .join(Membership, col(Membership.person_id) == col(Person.id))
        .where(
            Membership.school_id == school_id,
            Membership.role == Role.SCHOOL_LEADER,
            col(Membership.active),
            col(Person.active),
        )
        .order_by(col(Person.display_name))
    )
    return tuple(p for p in dict.fromkeys(rows.all()) if p is not None)
