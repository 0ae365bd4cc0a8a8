"""Which community members are conflicted on a request: the conflict rules on real data.

The chair's view of a request shows these now; the agenda will call the same function.
"""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from communities.declarations.conflict_facts import community_member_facts
from communities.declarations.conflict_rules import FlaggedMember, RequestFacts, flag_members
from communities.requests.tables import Request
from communities.roster.tables import School


def providers_named(details: dict[str, Any]) -> tuple[str, ...]:
    """Providers the request names (the form's optional ``providers`` list)."""
    named = details.get("providers")
    if not isinstance(named, list):
        return ()
    return tuple(p.strip() for p in named if isinstance(p, str) and p.strip())


async def request_facts(session: AsyncSession, request: Request) -> RequestFacts:
    school = await session.get(School, request.school_id)
    if school is None:
        raise LookupError(f"school {request.school_id} of {request.ref} is not in the roster")
    return RequestFacts(
        school_urn=school.urn,
        school_name=school.name,
        school_trust=school.trust,
        providers=providers_named(request.details),
    )


async def flagged_members(session: AsyncSession, request: Request) -> list[FlaggedMember]:
    """The request's community members with a potential conflict, those who withdraw first."""
    members = await community_member_facts(session, request.community_id)
    return flag_members(members, await request_facts(session, request))
