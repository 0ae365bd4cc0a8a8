"""The register as the conflict rules' input: what each member has declared, as plain facts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from communities.declarations.conflict_rules import DeclaredInterest, InterestKind, Member
from communities.declarations.tables import InterestDeclaration
from communities.declarations.views import members_of
from communities.roster.roles import COMMUNITY_ROLES, SCHOOL_ROLES
from communities.roster.tables import Membership, Person, School


async def member_facts(session: AsyncSession, person_id: int) -> Member:
    """The person as the conflict rules see them: their schools, trusts and interests in force."""
    facts = await member_facts_for(session, [person_id])
    if person_id not in facts:
        raise LookupError(f"no person with id {person_id}")
    return facts[person_id]


async def member_facts_for(session: AsyncSession, person_ids: Iterable[int]) -> dict[int, Member]:
    """``member_facts`` for many people in three queries (an agenda flags a whole community)."""
    ids = list(person_ids)
    people = (await session.exec(select(Person).where(col(Person.id).in_(ids)))).all()
    schools = (
        await session.exec(
            select(Membership, School)
            .join(School, col(School.id) == col(Membership.school_id))
            .where(
                col(Membership.person_id).in_(ids),
                col(Membership.active),
                # A chair's or vice chair's row may name their own school (the roster import).
                col(Membership.role).in_(SCHOOL_ROLES | COMMUNITY_ROLES),
                col(School.active),
            )
        )
    ).all()
    interests = (
        await session.exec(
            select(InterestDeclaration)
            .where(col(InterestDeclaration.person_id).in_(ids), col(InterestDeclaration.ended_at).is_(None))
            .order_by(col(InterestDeclaration.declared_at), col(InterestDeclaration.id))
        )
    ).all()
    urns: dict[int, set[str]] = defaultdict(set)
    trusts: dict[int, set[str]] = defaultdict(set)
    for membership, school in schools:
        urns[membership.person_id].add(school.urn)
        if school.trust:
            trusts[membership.person_id].add(school.trust)
    declared: dict[int, list[DeclaredInterest]] = defaultdict(list)
    for row in interests:
        declared[row.person_id].append(_declared(row))
    return {
        person.id: Member(
            person.id,
            person.display_name,
            frozenset(urns[person.id]),
            frozenset(trusts[person.id]),
            tuple(declared[person.id]),
        )
        for person in people
        if person.id is not None
    }


async def community_member_facts(session: AsyncSession, community_id: int) -> list[Member]:
    """Every member of the community, as the conflict rules see them, by name."""
    members = (await members_of(session, [community_id])).get(community_id, {})
    facts = await member_facts_for(session, members)
    return sorted(facts.values(), key=lambda m: (m.name.lower(), m.person_id))


def _declared(row: InterestDeclaration) -> DeclaredInterest:
    return DeclaredInterest(
        kind=InterestKind(row.kind),
        pecuniary=row.pecuniary,
        school_urn=row.school_urn,
        trust=row.trust,
        provider=row.provider,
    )
