"""Recording where the bot is installed, and greeting a team once per install."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from communities import audit
from communities.clock import Clock
from communities.messaging import notices
from communities.messaging.outbox import Outbox, OutgoingMessage
from communities.messaging.teams_links import PersonalChat, TeamInstallation


@dataclass(frozen=True)
class TeamSeen:
    team_id: str
    name: str | None
    aad_group_id: str | None
    tenant_id: str | None
    service_url: str
    #: Reference to the General channel (conversation id = team id), plain JSON.
    general_reference: dict[str, Any]


async def record_team_install(
    session: AsyncSession, clock: Clock, outbox: Outbox, team: TeamSeen, welcome: OutgoingMessage
) -> TeamInstallation:
    """Remember the team and queue the welcome post in General, once per (re)install.

    Teams sends two install activities (installationUpdate and conversationUpdate),
    and the Playground repeats them on every page load; both land here and greet once.
    """
    row = (
        await session.exec(select(TeamInstallation).where(TeamInstallation.team_id == team.team_id))
    ).first()
    now = clock.now()
    if row is None:
        row = TeamInstallation(
            team_id=team.team_id,
            name=team.name,
            aad_group_id=team.aad_group_id,
            tenant_id=team.tenant_id,
            service_url=team.service_url,
            general_reference=team.general_reference,
            installed_at=now,
        )
        audit.record(
            session,
            clock,
            actor_person_id=None,
            action="team_installed",
            entity="team",
            entity_id=team.team_id,
        )
    elif not row.installed:
        row.installed = True
        row.generation += 1
        row.installed_at = now
        row.removed_at = None
        audit.record(
            session,
            clock,
            actor_person_id=None,
            action="team_reinstalled",
            entity="team",
            entity_id=team.team_id,
        )
    row.name = team.name or row.name
    row.aad_group_id = team.aad_group_id or row.aad_group_id
    row.tenant_id = team.tenant_id or row.tenant_id
    row.service_url = team.service_url
    row.general_reference = team.general_reference
    session.add(row)
    await session.flush()
    general = notices.Conversation(team.general_reference, new_thread=True)
    await notices.tell(
        session, outbox, notices.Notice.to(general, f"welcome:{team.team_id}:{row.generation}", welcome)
    )
    return row


async def record_team_removal(session: AsyncSession, clock: Clock, team_id: str) -> None:
    row = (await session.exec(select(TeamInstallation).where(TeamInstallation.team_id == team_id))).first()
    if row is None or not row.installed:
        return
    row.installed = False
    row.removed_at = clock.now()
    session.add(row)
    audit.record(
        session, clock, actor_person_id=None, action="team_removed", entity="team", entity_id=team_id
    )


async def remember_personal_chat(
    session: AsyncSession,
    clock: Clock,
    *,
    teams_user_id: str,
    aad_object_id: str | None,
    person_id: int | None,
    tenant_id: str | None,
    service_url: str,
    reference: dict[str, Any],
) -> PersonalChat:
    """Keep the reference to a person's 1:1 chat current, writing only when it changed."""
    row = (
        await session.exec(select(PersonalChat).where(PersonalChat.teams_user_id == teams_user_id))
    ).first()
    if row is None:
        row = PersonalChat(
            teams_user_id=teams_user_id,
            aad_object_id=aad_object_id,
            person_id=person_id,
            tenant_id=tenant_id,
            service_url=service_url,
            reference=reference,
            updated_at=clock.now(),
        )
        session.add(row)
        return row
    changed = (
        row.person_id != person_id
        or row.service_url != service_url
        or row.reference.get("conversation") != reference.get("conversation")
        or (aad_object_id is not None and row.aad_object_id != aad_object_id)
    )
    if changed:
        row.person_id = person_id
        row.service_url = service_url
        row.reference = reference
        row.tenant_id = tenant_id or row.tenant_id
        row.aad_object_id = aad_object_id or row.aad_object_id
        row.updated_at = clock.now()
        session.add(row)
    return row
