"""Helpers for the reach tests: a team the bot is in, and its members as Teams lists them."""

from __future__ import annotations

from datetime import datetime

from communities.db import Database
from communities.messaging.teams_links import TeamInstallation

TEAM = "19:cant1-team@thread.tacv2"
TENANT = "kent-tenant"
BOT = {"id": "28:cosbot", "name": "Cosbot"}


async def install_team(db: Database, service_url: str, at: datetime, team_id: str = TEAM) -> None:
    """The row the bot keeps when added to a team."""
    async with db.session() as session:
        session.add(
            TeamInstallation(
                team_id=team_id,
                name="Canterbury schools",
                tenant_id=TENANT,
                service_url=service_url,
                general_reference={
                    "serviceUrl": service_url,
                    "channelId": "msteams",
                    "bot": BOT,
                    "conversation": {"id": team_id, "isGroup": True, "tenantId": TENANT},
                },
                installed_at=at,
            )
        )
        await session.commit()


def member_id(email: str) -> str:
    """The Teams id a member is listed with (``29:...``)."""
    return f"29:member-{email.split('@')[0]}"
