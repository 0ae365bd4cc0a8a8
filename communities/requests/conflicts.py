"""Which community members are conflicted on a request: the conflict rules on real data.

The chair's view of a request and the agenda show these. A person whose own school raised the
request, or whose default ruling is to withdraw, may not accept, return or decide it: the vice
chair or an officer does (:func:`conflict_refusal` says who, and why).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from communities.declarations.conflict_facts import community_member_facts, member_facts
from communities.declarations.conflict_rules import (
    Conflict,
    ConflictKind,
    FlaggedMember,
    RequestFacts,
    Ruling,
    conflicts_for,
    flag_members,
)
from communities.requests.tables import Request
from communities.roster.directory import people_with_role
from communities.roster.roles import Role
from communities.roster.tables import School
from communities.wording import listed


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


# ---- conflicts enforced: who may not accept, return or decide a request ------------------------


def keeps_from_deciding(conflicts: Sequence[Conflict]) -> bool:
    """A request from the person's own school, or a conflict whose default ruling is to withdraw."""
    return any(c.kind is ConflictKind.OWN_SCHOOL or c.ruling is Ruling.WITHDRAW for c in conflicts)


async def conflicts_of(session: AsyncSession, person_id: int, request: Request) -> list[Conflict]:
    """The person's conflicts on the request (whether or not they are a member of its community)."""
    return conflicts_for(await member_facts(session, person_id), await request_facts(session, request))


def _to_you(reason: str) -> str:
    """A conflict's reason, said to the person: "Westgate Meadow Primary is your school"."""
    return reason.replace("is their school", "is your school").replace("their school", "your school")


def conflict_refusal_text(doing: str, reasons: Sequence[str], deputies: Sequence[str]) -> str:
    """Why this person may not, and who may act instead: "... Grace Li (vice chair) can do it instead".

    ``doing`` names the request: "accept COS-CANT1-26-001".
    """
    why = "; ".join(reasons) or "you have a conflict of interest"
    who = listed([*deputies, "a council officer"])
    return (
        f"Only someone without a conflict of interest can {doing}: {why}, so you take no part in "
        f"deciding it. {who[0].upper()}{who[1:]} can do it instead: ask them."
    )


async def conflict_refusal(session: AsyncSession, person_id: int, request: Request, doing: str) -> str | None:
    """Why ``person_id`` may not do ``doing`` ("accept COS-CANT1-26-001"); None if they may.

    The refusal names the community's chair and vice chair who are not conflicted themselves.
    """
    conflicts = await conflicts_of(session, person_id, request)
    if not keeps_from_deciding(conflicts):
        return None
    deputies: list[str] = []
    for role in (Role.CHAIR, Role.VICE_CHAIR):
        for person in await people_with_role(session, role, request.community_id):
            if person.id is None or person.id == person_id:
                continue
            if not keeps_from_deciding(await conflicts_of(session, person.id, request)):
                deputies.append(f"{person.display_name} ({role.label.lower()})")
    reasons = [_to_you(c.reason) for c in conflicts if keeps_from_deciding([c])]
    return conflict_refusal_text(doing, reasons, deputies)
