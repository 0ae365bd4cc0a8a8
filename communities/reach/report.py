"""Who the bot can reach, per community: what the ``reach`` card and ``cosbot report reach`` show.

A person belongs to a community through an active membership of it or of one of its schools;
people whose only roles are council-wide (officers, finance) are listed under "Council-wide".
For each, the way the bot reaches them, or the reason it cannot.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from enum import StrEnum

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from communities.messaging.teams_links import PersonalChat
from communities.reach import wording
from communities.reach.members import chat_starts
from communities.reach.tables import ReachProblem, Unreachable
from communities.roster.tables import Community, Membership, Person, School

#: The heading of people with no community (council-wide roles), and its code in the CSV.
COUNCIL_WIDE = "Council-wide"
COUNCIL_CODE = ""

COLUMNS = ("community_code", "community_name", "email", "display_name", "reachable", "how", "reason")


class Way(StrEnum):
    CHAT = "chat"  # they have a chat with the bot
    TEAM = "team"  # a team with the bot lists them: the bot starts the chat
    INSTALL = "install"  # the bot installs itself for them through Graph


WAYS = {
    Way.CHAT: "has a chat with the bot",
    Way.TEAM: "in a team with the bot: a chat is started when needed",
    Way.INSTALL: "the bot installs itself for them through Microsoft Graph",
}


@dataclass(frozen=True)
class PersonReach:
    person_id: int
    display_name: str
    email: str
    way: Way | None
    problem: Unreachable | None

    @property
    def reachable(self) -> bool:
        return self.way is not None

    @property
    def how(self) -> str:
        return WAYS[self.way] if self.way else ""

    @property
    def reason(self) -> str:
        return wording.reason(self.problem) if self.problem else ""


@dataclass(frozen=True)
class CommunityReach:
    code: str
    name: str
    people: tuple[PersonReach, ...]

    @property
    def reachable(self) -> int:
        return sum(1 for p in self.people if p.reachable)

    @property
    def unreachable(self) -> tuple[PersonReach, ...]:
        return tuple(p for p in self.people if not p.reachable)


@dataclass(frozen=True)
class ReachReport:
    communities: tuple[CommunityReach, ...]
    #: Whether the council granted Graph's TeamsAppInstallation.ReadWriteSelfForUser.All.
    install_permitted: bool

    @property
    def permission_note(self) -> str:
        return wording.INSTALL_PERMITTED if self.install_permitted else wording.NO_INSTALL_PERMISSION

    def csv_rows(self) -> list[list[str]]:
        return [
            [c.code, c.name, p.email, p.display_name, "yes" if p.reachable else "no", p.how, p.reason]
            for c in self.communities
            for p in c.people
        ]


async def reach_report(
    session: AsyncSession, *, install_permitted: bool, community_id: int | None = None
) -> ReachReport:
    """Every active community (or one), its active people, and how the bot reaches each."""
    query = select(Community).where(col(Community.active)).order_by(col(Community.code))
    if community_id is not None:
        query = query.where(Community.id == community_id)
    communities = list((await session.exec(query)).all())
    schools = {s.id: s.community_id for s in (await session.exec(select(School))).all()}
    members: dict[int | None, set[int]] = defaultdict(set)
    for membership in (await session.exec(select(Membership).where(col(Membership.active)))).all():
        home = membership.community_id or schools.get(membership.school_id)
        members[home].add(membership.person_id)
    council = members[None] - {p for c, ids in members.items() if c is not None for p in ids}
    wanted = set(council) if community_id is None else set()
    for community in communities:
        wanted |= members.get(community.id, set())
    ways = await _ways(session, wanted, install_permitted)
    people = {
        p.id: p
        for p in (
            await session.exec(select(Person).where(col(Person.id).in_(wanted), col(Person.active)))
        ).all()
        if p.id is not None
    }

    def listed(ids: set[int]) -> tuple[PersonReach, ...]:
        found = [ways[p] for p in ids if p in people and p in ways]
        return tuple(sorted(found, key=lambda r: (r.reachable, r.display_name.lower(), r.email)))

    rows = [CommunityReach(c.code, c.name, listed(members.get(c.id, set()))) for c in communities]
    if council and community_id is None:
        rows.append(CommunityReach(COUNCIL_CODE, COUNCIL_WIDE, listed(council)))
    return ReachReport(tuple(rows), install_permitted)


async def _ways(session: AsyncSession, ids: set[int], install_permitted: bool) -> dict[int, PersonReach]:
    if not ids:
        return {}
    people = (await session.exec(select(Person).where(col(Person.id).in_(ids), col(Person.active)))).all()
    chats = set(
        (await session.exec(select(PersonalChat.person_id).where(col(PersonalChat.person_id).in_(ids)))).all()
    )
    starts = await chat_starts(session, [i for i in ids if i not in chats], install=install_permitted)
    problems = {
        row.person_id: row.reason
        for row in (
            await session.exec(select(ReachProblem).where(col(ReachProblem.person_id).in_(ids)))
        ).all()
    }
    found: dict[int, PersonReach] = {}
    for person in people:
        assert person.id is not None
        way: Way | None = None
        if person.id in chats:
            way = Way.CHAT
        elif person.id in starts:
            way = Way.INSTALL if starts[person.id].get("cosbotStartChat", {}).get("install") else Way.TEAM
        problem = None if way else problems.get(person.id, Unreachable.NOT_IN_TEAM)
        found[person.id] = PersonReach(person.id, person.display_name, person.email, way, problem)
    return found
