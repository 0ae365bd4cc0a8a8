"""Request references, ``COS-<COMMUNITY>-<YY>-<NNN>``: numbered per community and year, never twice."""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from communities.db import upsert_into
from communities.requests.tables import RequestSequence
from communities.roster.tables import Community


async def next_ref(session: AsyncSession, community: Community, year: int) -> str:
    assert community.id is not None
    # Create the year's counter if it is missing; two first drafts at once must not collide.
    await session.execute(
        upsert_into(session, RequestSequence)
        .values(community_id=community.id, year=year, last=0)
        .on_conflict_do_nothing(index_elements=["community_id", "year"])
    )
    # An UPDATE that adds one, so that two drafts started at once never share a number.
    number = (
        await session.execute(
            update(RequestSequence)
            .where(col(RequestSequence.community_id) == community.id, col(RequestSequence.year) == year)
            .values(last=col(RequestSequence.last) + 1)
            .returning(col(RequestSequence.last))
        )
    ).scalar_one()
    return f"COS-{community.code}-{year % 100:02d}-{number:03d}"
