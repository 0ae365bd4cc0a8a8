"""Matching a team's members to the roster, and what starting a 1:1 chat with a person needs.

The bot reads a team's members (on install, and daily) and hands them here as
:class:`MemberSeen`. Each is matched to a roster person by Entra object id, then by email or
UPN, and kept as a :class:`~communities.reach.tables.TeamMember`: enough to start a chat later.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import col, delete, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from communities.clock import Clock
from communities.messaging.teams_links import TeamInstallation
from communities.reach.tables import ReachProblem, TeamMember, Unreachable
from communities.roster.tables import Person

#: The conversation id of a chat not started yet; the sender starts it before the first send.
START_CHAT_PREFIX = "startchat:"
#: The key in a start-chat reference with what the sender needs (member, tenant, person, fallback).
START_CHAT_KEY = "cosbotStartChat"


@dataclass(frozen=True)
class MemberSeen:
    """One member of a team as Teams listed them."""

    teams_user_id: str
    aad_object_id: str | None = None
    email: str | None = None
    user_principal_name: str | None = None


@dataclass(frozen=True)
class MembersMatched:
    team_id: str
    members: int
    matched: int


async def record_team_members(
    session: AsyncSession,
    clock: Clock,
    *,
    team_id: str,
    tenant_id: str | None,
    service_url: str,
    members: Sequence[MemberSeen],
) -> MembersMatched:
    """Replace what is known of ``team_id``'s members with ``members``, matched to the roster."""
    by_aad, by_email = await _people_index(session, members)
    await session.exec(delete(TeamMember).where(col(TeamMember.team_id) == team_id))
    now = clock.now()
    matched: set[int] = set()
    seen: set[str] = set()
    for member in members:
        if not member.teams_user_id or member.teams_user_id in seen:
            continue
        seen.add(member.teams_user_id)
        person_id = by_aad.get((member.aad_object_id or "").lower())
        if person_id is None:
            for address in (member.email, member.user_principal_name):
                person_id = person_id or by_email.get((address or "").strip().lower())
        if person_id is not None:
            matched.add(person_id)
        session.add(
            TeamMember(
                team_id=team_id,
                teams_user_id=member.teams_user_id,
                aad_object_id=member.aad_object_id,
                person_id=person_id,
                tenant_id=tenant_id,
                service_url=service_url,
                seen_at=now,
            )
        )
    if matched:  # seen in a team again: whatever Teams said before about them leaving is out of date
        await session.exec(
            delete(ReachProblem).where(
                col(ReachProblem.person_id).in_(matched), col(ReachProblem.reason) == Unreachable.LEFT
            )
        )
    await session.flush()
    return MembersMatched(team_id, len(seen), len(matched))


async def _people_index(
    session: AsyncSession, members: Iterable[MemberSeen]
) -> tuple[dict[str, int], dict[str, int]]:
    aads = {m.aad_object_id.lower() for m in members if m.aad_object_id}
    emails = {a.strip().lower() for m in members for a in (m.email, m.user_principal_name) if a and a.strip()}
    by_aad: dict[str, int] = {}
    by_email: dict[str, int] = {}
    people = await session.exec(select(Person).where(col(Person.active)))
    for person in people.all():
        if person.id is None:
            continue
        if person.aad_object_id and person.aad_object_id.lower() in aads:
            by_aad[person.aad_object_id.lower()] = person.id
        if person.email.lower() in emails:
            by_email[person.email.lower()] = person.id
    return by_aad, by_email


async def last_read(session: AsyncSession, team_id: str) -> datetime | None:
    """When ``team_id``'s members were last recorded (None: never, or nobody was listed)."""
    rows = await session.exec(select(func.max(TeamMember.seen_at)).where(TeamMember.team_id == team_id))
    return rows.first()


async def installed_team_ids(session: AsyncSession) -> list[str]:
    """The teams the bot is installed in now (the daily read goes through these)."""
    rows = await session.exec(select(TeamInstallation.team_id).where(col(TeamInstallation.installed)))
    return list(rows.all())


@dataclass
class InstallPolicy:
    """Whether the council granted Graph's TeamsAppInstallation.ReadWriteSelfForUser.All.

    Set once by the composition root from the settings (``GRAPH_INSTALL_APP``); read by
    :func:`chat_starts` wherever a notice looks its audience up.
    """

    permitted: bool = False


POLICY = InstallPolicy()


def permit_install(permitted: bool) -> None:
    POLICY.permitted = permitted


async def chat_starts(
    session: AsyncSession, person_ids: Iterable[int], *, install: bool | None = None
) -> dict[int, dict[str, Any]]:
    """For each person the bot could start a chat with, a start-chat reference.

    A person qualifies when a team the bot is installed in lists them and Teams has not refused
    a chat with them (a problem recorded since they were last seen). Where installing is
    permitted (``install``, else :data:`POLICY`), so does anyone else with an Entra object id
    whom installing has not failed for: the sender installs the app for them first.
    """
    wanted = sorted(set(person_ids))
    if not wanted:
        return {}
    install = POLICY.permitted if install is None else install
    problems = dict(
        (
            await session.exec(
                select(ReachProblem.person_id, ReachProblem.reason).where(
                    col(ReachProblem.person_id).in_(wanted)
                )
            )
        ).all()
    )
    refused = {p for p, r in problems.items() if r in (Unreachable.BLOCKED, Unreachable.LEFT)}
    rows = await session.exec(
        select(TeamMember, TeamInstallation)
        .join(TeamInstallation, col(TeamInstallation.team_id) == col(TeamMember.team_id))
        .where(col(TeamMember.person_id).in_(wanted), col(TeamInstallation.installed))
        .order_by(col(TeamMember.id))
    )
    found: dict[int, dict[str, Any]] = {}
    for member, team in rows.all():
        if member.person_id is None or member.person_id in refused or member.person_id in found:
            continue
        found[member.person_id] = start_chat_reference(member, team.general_reference.get("bot"))
    if install:
        found.update(await _installs(session, [p for p in wanted if p not in found and p not in problems]))
    return found


async def _installs(session: AsyncSession, person_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Start-chat references that install the app first, for people no team lists."""
    if not person_ids:
        return {}
    team = (
        await session.exec(
            select(TeamInstallation).where(col(TeamInstallation.installed)).order_by(col(TeamInstallation.id))
        )
    ).first()
    if team is None:  # no service url or tenant to start a chat with
        return {}
    people = await session.exec(
        select(Person).where(col(Person.id).in_(person_ids), col(Person.aad_object_id).is_not(None))
    )
    found: dict[int, dict[str, Any]] = {}
    for person in people.all():
        if person.id is None or not person.aad_object_id:
            continue
        member = TeamMember(
            team_id="",
            teams_user_id="",
            aad_object_id=person.aad_object_id,
            person_id=person.id,
            tenant_id=team.tenant_id,
            service_url=team.service_url,
            seen_at=team.installed_at,
        )
        reference = start_chat_reference(member, team.general_reference.get("bot"))
        reference["conversation"]["id"] = START_CHAT_PREFIX + "aad:" + person.aad_object_id
        reference[START_CHAT_KEY]["install"] = True
        found[person.id] = reference
    return found


def start_chat_reference(member: TeamMember, bot: Any) -> dict[str, Any]:
    """A conversation reference to a chat not started yet (the outbox sender starts it)."""
    reference: dict[str, Any] = {
        "serviceUrl": member.service_url,
        "channelId": "msteams",
        "conversation": {
            "id": START_CHAT_PREFIX + member.teams_user_id,
            "conversationType": "personal",
            "tenantId": member.tenant_id,
        },
        "user": {"id": member.teams_user_id, "aadObjectId": member.aad_object_id},
        START_CHAT_KEY: {
            "memberId": member.teams_user_id,
            "tenantId": member.tenant_id,
            "personId": member.person_id,
            "aadObjectId": member.aad_object_id,
        },
    }
    if isinstance(bot, dict) and bot.get("id"):
        reference["bot"] = dict(bot)
    return reference


def is_start_chat(reference: dict[str, Any]) -> bool:
    return isinstance(reference.get(START_CHAT_KEY), dict)


async def record_problem(
    session: AsyncSession, clock: Clock, person_id: int, reason: Unreachable, detail: str | None
) -> None:
    """Remember why a chat with ``person_id`` could not be started (replacing an earlier reason)."""
    row = (await session.exec(select(ReachProblem).where(ReachProblem.person_id == person_id))).first()
    row = row or ReachProblem(person_id=person_id, reason=reason, recorded_at=clock.now())
    row.reason = reason
    row.detail = (detail or "")[:1000] or None
    row.recorded_at = clock.now()
    session.add(row)
    await session.flush()


async def clear_problem(session: AsyncSession, person_id: int) -> None:
    """The person can be reached (a chat exists): forget what Teams said before."""
    await session.exec(delete(ReachProblem).where(col(ReachProblem.person_id) == person_id))
