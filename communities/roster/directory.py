"""Who is who: finding a Teams user in the roster, and what they are to which community."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from sqlalchemy.orm import aliased
from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from communities.roster.roles import SCHOOL_ROLES, Role
from communities.roster.tables import Community, Membership, Person, School


@dataclass(frozen=True)
class CommunityRef:
    id: int
    code: str
    name: str


@dataclass(frozen=True)
class SchoolRef:
    id: int
    urn: str
    name: str
    community: CommunityRef


@dataclass(frozen=True)
class RoleHeld:
    role: Role
    school: SchoolRef | None = None
    community: CommunityRef | None = None


@dataclass(frozen=True)
class PersonProfile:
    """A registered person with their active roles, as the bot shows them."""

    person_id: int
    display_name: str
    email: str
    roles: tuple[RoleHeld, ...] = field(default_factory=tuple)

    def has_role(self, role: Role, community_id: int | None = None) -> bool:
        for held in self.roles:
            if held.role is not role:
                continue
            if community_id is None or (held.community and held.community.id == community_id):
                return True
        return False

    @property
    def role_set(self) -> frozenset[Role]:
        return frozenset(held.role for held in self.roles)

    @property
    def schools(self) -> list[SchoolRef]:
        return _unique([held.school for held in self.roles if held.school])

    @property
    def communities(self) -> list[CommunityRef]:
        """Communities the person belongs to through a school or a community role."""
        return _unique([held.community for held in self.roles if held.community])


T = TypeVar("T")


def _unique(items: Sequence[T]) -> list[T]:
    seen: list[T] = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen


async def find_person(
    session: AsyncSession, *, aad_object_id: str | None, email: str | None = None
) -> Person | None:
    """An active person, matched by Entra object id first, then by email/UPN."""
    if aad_object_id:
        person = (
            await session.exec(
                select(Person).where(Person.aad_object_id == aad_object_id.lower(), col(Person.active))
            )
        ).first()
        if person is not None:
            return person
    if email:
        return (
            await session.exec(
                select(Person).where(Person.email == email.strip().lower(), col(Person.active))
            )
        ).first()
    return None


async def bind_aad_object_id(session: AsyncSession, person: Person, aad_object_id: str) -> None:
    """Remember the Entra id of a person first matched by email, so the next match is direct."""
    if person.aad_object_id is None:
        person.aad_object_id = aad_object_id.lower()
        session.add(person)


_SCHOOL_COMMUNITY = aliased(Community, name="school_community")
_ROLE_COMMUNITY = aliased(Community, name="role_community")


async def load_profile(session: AsyncSession, person: Person) -> PersonProfile:
    """The person's active roles with their schools and communities, in one query (a hot path)."""
    assert person.id is not None
    school_community, role_community = _SCHOOL_COMMUNITY, _ROLE_COMMUNITY
    rows = (
        await session.exec(
            select(Membership, School, school_community, role_community)
            .outerjoin(School, col(School.id) == col(Membership.school_id))
            .outerjoin(school_community, col(school_community.id) == col(School.community_id))
            .outerjoin(role_community, col(role_community.id) == col(Membership.community_id))
            .where(Membership.person_id == person.id, col(Membership.active))
        )
    ).all()
    roles: list[tuple[int, int, RoleHeld]] = []
    for membership, school, of_school, of_role in rows:
        school_ref = None
        if school is not None and of_school is not None:
            assert school.id is not None and of_school.id is not None
            school_ref = SchoolRef(school.id, school.urn, school.name, _ref(of_school))
        community = _ref(of_role) if of_role is not None else (school_ref.community if school_ref else None)
        role = Role(membership.role)
        roles.append((list(Role).index(role), membership.id or 0, RoleHeld(role, school_ref, community)))
    ordered = tuple(held for _, _, held in sorted(roles, key=lambda item: item[:2]))
    return PersonProfile(person.id, person.display_name, person.email, ordered)


def _ref(community: Community) -> CommunityRef:
    assert community.id is not None
    return CommunityRef(community.id, community.code, community.name)


async def community_by_code(session: AsyncSession, code: str) -> Community | None:
    return (
        await session.exec(
            select(Community).where(Community.code == code.strip().upper(), col(Community.active))
        )
    ).first()


async def people_with_role(
    session: AsyncSession, role: Role, community_id: int | None = None
) -> list[Person]:
    """Active people holding ``role`` (for a community, when one is given)."""
    query = (
        select(Person)
        .join(Membership, col(Membership.person_id) == col(Person.id))
        .where(Membership.role == role, col(Membership.active), col(Person.active))
    )
    if community_id is not None:
        query = query.where(Membership.community_id == community_id)
    return list((await session.exec(query.order_by(col(Person.display_name)))).unique().all())


async def chairs_by_community(session: AsyncSession, profile: PersonProfile) -> dict[str, list[str]]:
    """The chairs' names of each of the person's communities, by community code (one query)."""
    communities = {c.id: c.code for c in profile.communities}
    chairs: dict[str, list[str]] = {code: [] for code in communities.values()}
    if not communities:
        return chairs
    rows = (
        await session.exec(
            select(Membership.community_id, Person.display_name)
            .join(Person, col(Person.id) == col(Membership.person_id))
            .where(
                Membership.role == Role.CHAIR,
                col(Membership.active),
                col(Person.active),
                col(Membership.community_id).in_(communities),
            )
            .order_by(col(Person.display_name))
        )
    ).all()
    for community_id, name in rows:
        if community_id is not None:
            chairs[communities[community_id]].append(name)
    return chairs


async def search_communities(session: AsyncSession, text: str, limit: int = 10) -> list[Community]:
    """Communities whose code or name matches ``text``; an exact code comes first."""
    needle = text.strip()
    if not needle:
        return []
    exact = await community_by_code(session, needle)
    pattern = f"%{needle.lower()}%"
    rows = (
        await session.exec(
            select(Community)
            .where(
                col(Community.active),
                or_(col(Community.code).ilike(pattern), col(Community.name).ilike(pattern)),
            )
            .order_by(col(Community.code))
            .limit(limit)
        )
    ).all()
    found = [exact] if exact else []
    found += [c for c in rows if exact is None or c.id != exact.id]
    return found[:limit]


async def search_schools(session: AsyncSession, text: str, limit: int = 15) -> list[School]:
    """Active schools whose name or URN contains ``text``; names that start with it come first."""
    needle = " ".join(text.split())
    if not needle:
        return []
    pattern = f"%{needle.lower()}%"
    rows = (
        await session.exec(
            select(School)
            .where(col(School.active), or_(col(School.name).ilike(pattern), col(School.urn).ilike(pattern)))
            .order_by(col(School.name))
            .limit(limit * 4)
        )
    ).all()
    starts = needle.lower()
    ranked = sorted(rows, key=lambda s: (not s.name.lower().startswith(starts), s.name.lower()))
    return ranked[:limit]


async def school_by_urn(session: AsyncSession, urn: str) -> School | None:
    return (await session.exec(select(School).where(School.urn == urn.strip()))).first()


async def school_staff(session: AsyncSession, school_id: int) -> tuple[int, ...]:
    """The school's active school leaders and SENCOs (person ids), by name."""
    rows = await session.exec(
        select(Person.id)
        .join(Membership, col(Membership.person_id) == col(Person.id))
        .where(
            col(Membership.school_id) == school_id,
            col(Membership.active),
            col(Membership.role).in_([r.value for r in SCHOOL_ROLES]),
            col(Person.active),
        )
        .order_by(col(Person.display_name))
    )
    return tuple(p for p in dict.fromkeys(rows.all()) if p is not None)
