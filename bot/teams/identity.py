"""Matching the Teams user of a turn to a person in the roster."""

from __future__ import annotations

import logging

from botbuilder.schema import Activity
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.teams.connector import BotConnector, ConnectorError
from communities.roster.directory import bind_aad_object_id, find_person
from communities.roster.tables import Person

log = logging.getLogger(__name__)


async def resolve_person(session: AsyncSession, connector: BotConnector, activity: Activity) -> Person | None:
    """By Entra object id first; failing that, ask Teams for the user's email/UPN and match on it."""
    sender = activity.from_property
    if sender is None or not sender.id:
        return None
    aad_object_id = getattr(sender, "aad_object_id", None)
    person = await find_person(session, aad_object_id=aad_object_id)
    if person is not None:
        return person
    # Give the connection back while Teams answers: on SQLite it is the only one.
    await session.rollback()
    try:
        member = await connector.get_member(activity.service_url, activity.conversation.id, sender.id)
    except ConnectorError as error:
        log.info("could not look up member details: %s", error.status)
        return None
    email = member.get("email") or member.get("userPrincipalName")
    aad_object_id = aad_object_id or member.get("aadObjectId") or member.get("objectId")
    person = await find_person(session, aad_object_id=None, email=email) if email else None
    if person is not None and aad_object_id:
        await bind_aad_object_id(session, person, aad_object_id)
        await session.commit()
    return person
