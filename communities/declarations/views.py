"""The register seen from outside: who has confirmed this year, and the conflict rules' input.

The compliance view lists, per community, the members who have answered for the academic
year and those who have not. Its members are the active people with an active membership
in the community: staff of its schools, its chair and vice chair. Only the community's chair
or vice chair, or a council officer, may see it; every read and every refusal is audited.

The summary counts, for each community the person may see, the members who have confirmed
and those who have not (one query for every community): an officer's `compliance` covers
every community, and one card per community would be far too many.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from sqlalchemy import ColumnElement, distinct, func
from sqlmodel import and_, col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from communities import audit
from communities.academic_year import LONDON, academic_year_label, academic_year_of
from communities.clock import Clock
from communities.declarations.register import Refusal
from communities.declarations.tables import Answer, DeclarationConfirmation, InterestDeclaration
from communities.permissions import is_triager
from communities.roster.directory import PersonProfile, community_by_code
from communities.roster.roles import COMMUNITY_ROLES, SCHOOL_ROLES, Role
from communities.roster.tables import Community, Membership, Person, School

REFUSED = (
    "Only the community's chair or vice chair, or a council officer, can see who has confirmed "
    "their declarations of interest. You can see and confirm your own with *Declare an interest*."
)


@dataclass(frozen=True)
class MemberStatus:
    person_id: int
    name: str
    #: What makes them a member, e.g. "Community chair", "SENCO, Westgate Meadow Primary School".
    roles: tuple[str, ...]
    answer: Answer | None
    confirmed_at: datetime | None
    active_interests: int

    @property
    def confirmed(self) -> bool:
        return self.answer is not None


@dataclass(frozen=True)
class CommunityCompliance:
    community_id: int
    code: str
    name: str
    academic_year: int
    members: tuple[MemberStatus, ...]

    @property
    def label(self) -> str:
        return academic_year_label(self.academic_year)

    @property
    def confirmed(self) -> tuple[MemberStatus, ...]:
        return tuple(m for m in self.members if m.confirmed)

    @property
    def not_confirmed(self) -> tuple[MemberStatus, ...]:
        return tuple(m for m in self.members if not m.confirmed)


@dataclass(frozen=True)
class CommunityCount:
    """One community's line of the summary: how many members have confirmed this year."""

    code: str
    name: str
    members: int
    confirmed: int

    @property
    def not_confirmed(self) -> int:
        return self.members - self.confirmed


@dataclass(frozen=True)
class ComplianceSummary:
    academic_year: int
    #: Every community the person may see, by code (counts are 0 for a community without members).
    communities: tuple[CommunityCount, ...]

    @property
    def label(self) -> str:
        return academic_year_label(self.academic_year)

    @property
    def members(self) -> int:
        return sum(c.members for c in self.communities)

    @property
    def confirmed(self) -> int:
        return sum(c.confirmed for c in self.communities)


@dataclass
class _Membership:
    name: str
    roles: list[str] = field(default_factory=list)


async def compliance_view(
    session: AsyncSession,
    clock: Clock,
    actor: PersonProfile,
    community_code: str | None = None,
    academic_year: int | None = None,
    zone: tzinfo = LONDON,
) -> list[CommunityCompliance] | Refusal:
    """Who has confirmed their declarations for the year (this one by default), per community.

    With a code: that community. Without: every community for an officer, the communities
    they chair (or vice chair) for anyone else.
    """
    communities = await _communities_for(session, clock, actor, community_code)
    if isinstance(communities, Refusal):
        return communities
    year = academic_year if academic_year is not None else academic_year_of(clock.now(), zone)
    return await _views(
        session, clock, actor, communities, year, communities[0].code if community_code else "*"
    )


async def compliance_overview(
    session: AsyncSession,
    clock: Clock,
    actor: PersonProfile,
    academic_year: int | None = None,
    zone: tzinfo = LONDON,
) -> CommunityCompliance | ComplianceSummary | Refusal:
    """What `compliance` shows: the one community's view for someone who may see only one (a
    chair), the summary (counts per community, in one query) for someone who may see more (an
    officer). Who may see which is as for :func:`compliance_view`; one audited read either way."""
    communities = await _communities_for(session, clock, actor, None)
    if isinstance(communities, Refusal):
        return communities
    year = academic_year if academic_year is not None else academic_year_of(clock.now(), zone)
    if len(communities) == 1:
        [view] = await _views(session, clock, actor, communities, year, "*")
        return view
    return await _summary(session, clock, actor, communities, year)


async def _views(
    session: AsyncSession,
    clock: Clock,
    actor: PersonProfile,
    communities: list[Community],
    year: int,
    entity_id: str,
) -> list[CommunityCompliance]:
    members = await members_of(session, [c.id for c in communities if c.id is not None])
    people = {pid for by_person in members.values() for pid in by_person}
    answers = await _live_answers(session, people, year)
    counts = await _active_counts(session, people)
    views = [
        _compliance(community, year, members.get(community.id or 0, {}), answers, counts)
        for community in communities
    ]
    audit.record(
        session,
        clock,
        actor_person_id=actor.person_id,
        action="declaration_compliance_viewed",
        entity="community",
        entity_id=entity_id,
        detail={
            "communities": [c.code for c in communities],
            "academic_year": year,
            "members": sum(len(v.members) for v in views),
            "confirmed": sum(len(v.confirmed) for v in views),
        },
    )
    return views


async def _communities_for(
    session: AsyncSession, clock: Clock, actor: PersonProfile, code: str | None
) -> list[Community] | Refusal:
    if code is not None:
        community = await community_by_code(session, code)
        if community is None:
            return Refusal(f"I can't find a community with the code {code.strip().upper()}.")
        assert community.id is not None
        if is_triager(actor, community.id):
            return [community]
        return await _refused(session, clock, actor, community.code)
    query = select(Community).where(col(Community.active)).order_by(col(Community.code))
    if not actor.has_role(Role.OFFICER):
        led = {
            held.community.id
            for held in actor.roles
            if held.role in COMMUNITY_ROLES and held.community is not None
        }
        query = query.where(col(Community.id).in_(led))
    found = list((await session.exec(query)).all())
    return found or await _refused(session, clock, actor, "*")


async def _refused(session: AsyncSession, clock: Clock, actor: PersonProfile, entity_id: str) -> Refusal:
    await audit.keep_only_refusal(
        session,
        clock,
        actor_person_id=actor.person_id,
        action="declaration_compliance_refused",
        entity="community",
        entity_id=entity_id,
    )
    return Refusal(REFUSED)


def _compliance(
    community: Community,
    year: int,
    members: dict[int, _Membership],
    answers: dict[int, DeclarationConfirmation],
    counts: dict[int, int],
) -> CommunityCompliance:
    assert community.id is not None
    lines = [
        MemberStatus(
            person_id=pid,
            name=m.name,
            roles=tuple(m.roles),
            answer=Answer(answers[pid].answer) if pid in answers else None,
            confirmed_at=answers[pid].confirmed_at if pid in answers else None,
            active_interests=counts.get(pid, 0),
        )
        for pid, m in members.items()
    ]
    lines.sort(key=lambda line: (line.name.lower(), line.person_id))
    return CommunityCompliance(community.id, community.code, community.name, year, tuple(lines))


async def _summary(
    session: AsyncSession, clock: Clock, actor: PersonProfile, communities: list[Community], year: int
) -> ComplianceSummary:
    """Members and those with a live answer for ``year``, per community, in one query."""
    ids = [c.id for c in communities if c.id is not None]
    community_of = func.coalesce(col(School.community_id), col(Membership.community_id))
    rows = (
        await session.exec(
            select(
                community_of,
                func.count(distinct(col(Person.id))),
                func.count(distinct(col(DeclarationConfirmation.person_id))),
            )
            .select_from(Membership)
            .join(Person, col(Person.id) == col(Membership.person_id))
            .outerjoin(School, col(School.id) == col(Membership.school_id))
            .outerjoin(
                DeclarationConfirmation,
                and_(
                    col(DeclarationConfirmation.person_id) == col(Person.id),
                    col(DeclarationConfirmation.academic_year) == year,
                    col(DeclarationConfirmation.superseded_at).is_(None),
                ),
            )
            .where(_members_in(ids))
            .group_by(community_of)
        )
    ).all()
    counts = {community_id: (members, confirmed) for community_id, members, confirmed in rows}
    lines = tuple(CommunityCount(c.code, c.name, *counts.get(c.id or 0, (0, 0))) for c in communities)
    summary = ComplianceSummary(year, lines)
    audit.record(
        session,
        clock,
        actor_person_id=actor.person_id,
        action="declaration_compliance_summary_viewed",
        entity="community",
        entity_id="*",
        detail={
            "communities": [c.code for c in communities],
            "academic_year": year,
            "members": summary.members,
            "confirmed": summary.confirmed,
        },
    )
    return summary


def _members_in(community_ids: list[int]) -> ColumnElement[bool]:
    """Active memberships of active people that make them members of one of the communities:
    staff of its active schools, its chair and vice chair (with School outer-joined)."""
    return and_(
        col(Membership.active),
        col(Person.active),
        or_(
            and_(
                col(Membership.role).in_(SCHOOL_ROLES),
                col(School.active),
                col(School.community_id).in_(community_ids),
            ),
            and_(
                col(Membership.role).in_(COMMUNITY_ROLES),
                col(Membership.community_id).in_(community_ids),
            ),
        ),
    )


async def members_of(session: AsyncSession, community_ids: list[int]) -> dict[int, dict[int, _Membership]]:
    """community id -> person id -> the person's name and roles there (one query)."""
    rows = (
        await session.exec(
            select(Membership, Person, School)
            .join(Person, col(Person.id) == col(Membership.person_id))
            .outerjoin(School, col(School.id) == col(Membership.school_id))
            .where(_members_in(community_ids))
            .order_by(col(Membership.id))
        )
    ).all()
    found: dict[int, dict[int, _Membership]] = defaultdict(dict)
    for membership, person, school in rows:
        assert person.id is not None
        community_id = school.community_id if school is not None else membership.community_id
        assert community_id is not None
        label = Role(membership.role).label + (f", {school.name}" if school is not None else "")
        found[community_id].setdefault(person.id, _Membership(person.display_name)).roles.append(label)
    return found


async def _live_answers(
    session: AsyncSession, person_ids: Iterable[int], year: int
) -> dict[int, DeclarationConfirmation]:
    rows = await session.exec(
        select(DeclarationConfirmation).where(
            col(DeclarationConfirmation.person_id).in_(list(person_ids)),
            DeclarationConfirmation.academic_year == year,
            col(DeclarationConfirmation.superseded_at).is_(None),
        )
    )
    return {row.person_id: row for row in rows.all()}


async def _active_counts(session: AsyncSession, person_ids: Iterable[int]) -> dict[int, int]:
    rows = await session.exec(
        select(InterestDeclaration.person_id, func.count())
        .where(
            col(InterestDeclaration.person_id).in_(list(person_ids)),
            col(InterestDeclaration.ended_at).is_(None),
        )
        .group_by(col(InterestDeclaration.person_id))
    )
    return dict(rows.all())


# ---- input for the conflict rules ---------------------------------------------------------------
