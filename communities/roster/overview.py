"""A community at a glance: its schools, chair, vice chair and channel (no personal data beyond names)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from communities.messaging.teams_links import ChannelLink
from communities.roster.directory import people_with_role
from communities.roster.roles import Role
from communities.roster.tables import Area, Community, School


@dataclass(frozen=True)
class SchoolLine:
    urn: str
    name: str
    phase: str


@dataclass(frozen=True)
class CommunityOverview:
    code: str
    name: str
    area: str
    district: str
    schools: tuple[SchoolLine, ...]
    chairs: tuple[str, ...]
    vice_chairs: tuple[str, ...]
    channel_name: str | None
    channel_linked: bool


async def community_overview(session: AsyncSession, community: Community) -> CommunityOverview:
    assert community.id is not None
    area = await session.get(Area, community.area_id)
    schools = (
        await session.exec(
            select(School)
            .where(School.community_id == community.id, col(School.active))
            .order_by(col(School.name))
        )
    ).all()
    link = (await session.exec(select(ChannelLink).where(ChannelLink.community_id == community.id))).first()
    chairs = await people_with_role(session, Role.CHAIR, community.id)
    vice_chairs = await people_with_role(session, Role.VICE_CHAIR, community.id)
    return CommunityOverview(
        code=community.code,
        name=community.name,
        area=area.name if area else "",
        district=community.district,
        schools=tuple(SchoolLine(s.urn, s.name, s.phase) for s in schools),
        chairs=tuple(p.display_name for p in chairs),
        vice_chairs=tuple(p.display_name for p in vice_chairs),
        channel_name=(link.channel_name or "a channel") if link else None,
        channel_linked=link is not None,
    )


@dataclass(frozen=True)
class ChannelStatusLine:
    code: str
    name: str
    channel_name: str | None


async def channel_status(session: AsyncSession) -> list[ChannelStatusLine]:
    """Every active community and whether it has a linked channel, unlinked first."""
    communities = (
        await session.exec(select(Community).where(col(Community.active)).order_by(col(Community.code)))
    ).all()
    links = {link.community_id: link for link in (await session.exec(select(ChannelLink))).all()}
    lines = [
        ChannelStatusLine(
            c.code,
            c.name,
            (links[c.id].channel_name or "linked") if c.id in links else None,
        )
        for c in communities
    ]
    return sorted(lines, key=lambda line: (line.channel_name is not None, line.code))
