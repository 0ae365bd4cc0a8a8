"""Starting a person's 1:1 chat before the outbox's first message to them.

A row for a person who never opened a chat with the bot carries a start-chat reference
(:func:`communities.reach.members.start_chat_reference`). Before sending it, the sender asks here
for the chat: the one kept from an earlier start (or opened by the person since), else a new one
from ``POST /v3/conversations`` (``isGroup`` false, the member's id, the tenant), kept for next
time. When Teams refuses (403: the app blocked; 404: the person gone), the reason is recorded for
the reach report, the notice's fallback rows are queued, and the row fails with that reason.
A transient error is raised as it is, so the row is retried like any other send.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

from sqlmodel import col, select

from bot.outbox.delivery import Undeliverable
from bot.teams.connector import TRANSIENT_STATUSES, BotConnector, ConnectorError
from communities.clock import Clock
from communities.db import Database
from communities.messaging.installations import remember_personal_chat
from communities.messaging.outbox import Outbox, OutgoingMessage
from communities.messaging.teams_links import PersonalChat
from communities.reach import members, wording
from communities.reach.tables import Unreachable

log = logging.getLogger(__name__)

#: Teams' answers that mean the chat cannot be started, and what they mean.
_REFUSALS = {403: Unreachable.BLOCKED, 404: Unreachable.LEFT}


class AppInstaller(Protocol):
    """Installs the bot for a user (Microsoft Graph), where the council allows it."""

    async def install_for(self, aad_object_id: str) -> None: ...


#: The process's installer, set by the composition root where the council granted the permission.
_INSTALLERS: list[AppInstaller] = []


def use_installer(installer: AppInstaller | None) -> None:
    """Install the app through ``installer`` before starting a chat with someone no team reaches."""
    _INSTALLERS[:] = [installer] if installer is not None else []


class ChatStarter:
    def __init__(self, database: Database, connector: BotConnector, clock: Clock, bot_id: str = "") -> None:
        self._database = database
        self._connector = connector
        self._clock = clock
        self._bot_id = bot_id
        self._outbox = Outbox(clock)

    @property
    def _installer(self) -> AppInstaller | None:
        return _INSTALLERS[0] if _INSTALLERS else None

    async def conversation_for(self, service_url: str, reference: dict[str, Any]) -> str:
        """The conversation id of the person's 1:1 chat, started now if need be."""
        start: dict[str, Any] = reference[members.START_CHAT_KEY]
        person_id = start.get("personId")
        member_id = str(start.get("memberId") or "")
        tenant_id = start.get("tenantId")
        kept = await self._kept_chat(person_id, member_id)
        if kept is not None:
            return kept
        if start.get("install"):
            await self._install(start)
        parameters: dict[str, Any] = {
            "isGroup": False,
            "members": [{"id": member_id or str(start.get("aadObjectId") or "")}],
            "channelData": {"tenant": {"id": tenant_id}} if tenant_id else {},
        }
        if tenant_id:
            parameters["tenantId"] = tenant_id
        bot = {"id": self._bot_id} if self._bot_id else reference.get("bot")
        if isinstance(bot, dict) and bot.get("id"):
            parameters["bot"] = dict(bot)
        try:
            answer = await self._connector.create_conversation(service_url, parameters)
        except ConnectorError as error:
            refusal = _REFUSALS.get(error.status)
            if refusal is None or person_id is None:
                raise
            await self._refused(int(person_id), refusal, error, start.get("fallback") or [])
            raise Undeliverable(wording.fell_back(refusal, error.detail or str(error.status))) from error
        conversation_id = str(answer.get("id") or "")
        if not conversation_id:
            raise ConnectorError(0, "Teams did not return the new chat's id")
        # Someone reached by installing has no Teams id here yet: their chat is kept under their Entra id.
        user_id = member_id or "aad:" + str(start.get("aadObjectId") or "")
        await self._keep(service_url, reference, conversation_id, person_id, user_id, tenant_id)
        return conversation_id

    async def _install(self, start: dict[str, Any]) -> None:
        aad = str(start.get("aadObjectId") or "")
        person_id = start.get("personId")
        try:
            if self._installer is None:
                raise RuntimeError("no installer: the app may not be installed through Graph")
            await self._installer.install_for(aad)
        except Exception as error:  # Graph failed: retried when passing, else the notice falls back
            status = getattr(error, "response_status_code", None)
            if isinstance(status, int) and status in TRANSIENT_STATUSES:
                raise ConnectorError(status, "Microsoft Graph could not install the app now") from error
            log.warning("installing the app for person %s failed: %s", person_id, type(error).__name__)
            failed = Unreachable.LEFT if status == 404 else Unreachable.INSTALL_FAILED
            if person_id is None:
                raise Undeliverable(wording.reason(failed)) from error
            await self._refused(int(person_id), failed, error, start.get("fallback") or [])
            raise Undeliverable(wording.fell_back(failed, type(error).__name__)) from error

    async def _kept_chat(self, person_id: Any, member_id: str) -> str | None:
        async with self._database.session() as session:
            query = select(PersonalChat).order_by(col(PersonalChat.id))
            if person_id is not None:
                query = query.where(PersonalChat.person_id == int(person_id))
            else:
                query = query.where(PersonalChat.teams_user_id == member_id)
            chat = (await session.exec(query)).first()
        if chat is None:
            return None
        return str((chat.reference.get("conversation") or {}).get("id") or "") or None

    async def _keep(
        self,
        service_url: str,
        reference: dict[str, Any],
        conversation_id: str,
        person_id: Any,
        member_id: str,
        tenant_id: Any,
    ) -> None:
        kept = {k: v for k, v in reference.items() if k != members.START_CHAT_KEY}
        kept["conversation"] = {**kept.get("conversation", {}), "id": conversation_id}
        async with self._database.session() as session:
            await remember_personal_chat(
                session,
                self._clock,
                teams_user_id=member_id,
                aad_object_id=(reference.get("user") or {}).get("aadObjectId"),
                person_id=int(person_id) if person_id is not None else None,
                tenant_id=str(tenant_id) if tenant_id else None,
                service_url=service_url,
                reference=kept,
            )
            if person_id is not None:
                await members.clear_problem(session, int(person_id))
            await session.commit()

    async def _refused(
        self, person_id: int, reason: Unreachable, error: Exception, fallback: list[dict[str, Any]]
    ) -> None:
        detail = error.reason if isinstance(error, ConnectorError) else type(error).__name__
        async with self._database.session() as session:
            await members.record_problem(session, self._clock, person_id, reason, detail)
            for row in fallback:
                key, reference, batch = str(row["key"]), dict(row["reference"]), row.get("batchKey")
                message = _message(row["payload"])
                await self._outbox.send(
                    session, key=key, reference=reference, message=message, batch_key=batch
                )
            await session.commit()
        log.warning("could not start a chat with person %s (%s); told the fallback", person_id, reason.value)


def _message(payload: dict[str, Any]) -> OutgoingMessage:
    """The message a fallback row's payload was made from."""
    attachments = payload.get("attachments") or []
    card = attachments[0].get("content") if attachments and isinstance(attachments[0], dict) else None
    return OutgoingMessage(text=payload.get("text"), card=card, summary=payload.get("summary"))
