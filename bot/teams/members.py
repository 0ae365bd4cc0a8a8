"""Reading a team's members from Teams (the paged team-members API) and matching them to the roster.

On install in a team, and daily for every team the bot is in, the bot pages through
``GET /v3/conversations/{team id}/pagedmembers`` (what botbuilder's
``TeamsInfo.get_paged_team_members`` calls) and hands the members to
:func:`communities.reach.members.record_team_members`.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from datetime import timedelta
from typing import Any

from sqlmodel import select

from bot.safe_logging import describe
from bot.teams.connector import BotConnector, ConnectorError
from communities.clock import Clock
from communities.db import Database
from communities.messaging.teams_links import TeamInstallation
from communities.reach.members import (
    MemberSeen,
    MembersMatched,
    installed_team_ids,
    last_read,
    record_team_members,
)

log = logging.getLogger(__name__)

#: One read of a team's members at a time in this process: Teams sends two install activities at
#: once, and asks for one request at a time to a conversation (the second waits, then sees the first's).
#: A lock belongs to its event loop, so they are kept per loop (a test suite runs many).
_READING: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, asyncio.Lock]] = (
    weakref.WeakKeyDictionary()
)


def _reading(team_id: str) -> asyncio.Lock:
    locks = _READING.setdefault(asyncio.get_running_loop(), {})
    return locks.setdefault(team_id, asyncio.Lock())


PAGE_SIZE = 500
#: A guard against a continuation token that never ends (500 × 200 is Teams' largest team, 25,000).
MAX_PAGES = 200


async def read_team_members(connector: BotConnector, service_url: str, team_id: str) -> list[MemberSeen]:
    """Every member of ``team_id``, page by page."""
    seen: list[MemberSeen] = []
    token: str | None = None
    for _ in range(MAX_PAGES):
        page = await connector.get_paged_members(service_url, team_id, PAGE_SIZE, token)
        seen += [_member(m) for m in page.get("members") or [] if isinstance(m, dict) and m.get("id")]
        token = page.get("continuationToken") or None
        if not token:
            break
    return seen


def _member(raw: dict[str, Any]) -> MemberSeen:
    return MemberSeen(
        teams_user_id=str(raw["id"]),
        aad_object_id=str(raw["aadObjectId"]) if raw.get("aadObjectId") else None,
        email=str(raw["email"]) if raw.get("email") else None,
        user_principal_name=str(raw["userPrincipalName"]) if raw.get("userPrincipalName") else None,
    )


class TeamMembersSync:
    """Reads teams' members and records them; the install handler and the daily job use it."""

    def __init__(self, database: Database, clock: Clock, connector: BotConnector) -> None:
        self._database = database
        self._clock = clock
        self._connector = connector

    async def sync_team(
        self, team_id: str, *, unless_read_within: timedelta | None = None
    ) -> MembersMatched | None:
        """Read and record one team's members; None when the team is unknown, Teams failed, or (with
        ``unless_read_within``) they were read that recently: Teams sends two install activities."""
        async with _reading(team_id):
            return await self._sync_team(team_id, unless_read_within)

    async def _sync_team(self, team_id: str, unless_read_within: timedelta | None) -> MembersMatched | None:
        async with self._database.session() as session:
            team = (
                await session.exec(select(TeamInstallation).where(TeamInstallation.team_id == team_id))
            ).first()
            read = await last_read(session, team_id) if unless_read_within is not None else None
        if team is None or not team.installed:
            return None
        if (
            read is not None
            and unless_read_within is not None
            and self._clock.now() - read < unless_read_within
        ):
            return None
        try:
            members = await read_team_members(self._connector, team.service_url, team_id)
        except ConnectorError as error:
            log.warning("could not read the members of team %s: %s", team_id, describe(error))
            return None
        async with self._database.session() as session:
            matched = await record_team_members(
                session,
                self._clock,
                team_id=team_id,
                tenant_id=team.tenant_id,
                service_url=team.service_url,
                members=members,
            )
            await session.commit()
        log.info("team %s: %d members, %d on the roster", team_id, matched.members, matched.matched)
        return matched

    async def sync_all(self) -> int:
        """Every team the bot is in; returns how many teams were read."""
        async with self._database.session() as session:
            teams = await installed_team_ids(session)
        done = 0
        for team_id in teams:
            if await self.sync_team(team_id) is not None:
                done += 1
        return done
