"""Who sent this turn: their roster profile, and what the answer to them needs.

One database session per turn, closed before dialogs and replies run: a turn never
holds one pooled connection while it waits for another (20 concurrent users once
deadlocked the pool that way).

A registered sender's profile is reused for ``Settings.roster_cache_seconds`` (three queries
a turn saved): the roster changes by termly imports, and an import reaches a running service
within that time. The domain still checks every action against the stored request or record.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from botbuilder.core import TurnContext
from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services import Services
from bot.teams.activity import conversation_type, reference_of, tenant_of
from bot.teams.identity import resolve_person
from cards.menu import not_registered_text
from communities.messaging import installations
from communities.roster.directory import PersonProfile, chairs_by_community, load_profile, people_with_role
from communities.roster.roles import Role


@dataclass(frozen=True)
class Sender:
    #: None when the person is not in the roster.
    profile: PersonProfile | None
    #: For an unregistered person: the officers they can ask.
    officers: list[str] = field(default_factory=list)
    #: For a registered person: the chairs of their communities, by community code.
    chairs: dict[str, list[str]] = field(default_factory=dict)


#: Where a turn keeps its sender once identified.
_THIS_TURN = "cosbot.sender"
#: A bound on remembered senders (a busy tenant's worth); past it the memory starts again.
_MAX_REMEMBERED = 20_000


class Senders:
    def __init__(self, services: Services, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._services = services
        self._monotonic = monotonic
        #: What this process last stored for each personal chat, so unchanged chats cost no query.
        self._chats_stored: dict[str, tuple[str, str, int | None]] = {}
        #: Registered senders by (Teams user id, Entra object id), with when each entry expires.
        self._known: dict[tuple[str, str | None], tuple[float, Sender]] = {}

    def forget(self) -> None:
        """Drop every remembered profile (after a roster change made by this process)."""
        self._known.clear()

    async def identify(self, ctx: TurnContext) -> Sender:
        """The sender of the turn, looked up once per turn (a route may ask again)."""
        identified = ctx.turn_state.get(_THIS_TURN)
        if isinstance(identified, Sender):
            return identified
        sender = await self._identify(ctx)
        ctx.turn_state[_THIS_TURN] = sender
        return sender

    async def _identify(self, ctx: TurnContext) -> Sender:
        key = self._cache_key(ctx)
        if key is not None:
            known = self._known.get(key)
            if known is not None and known[0] > self._monotonic() and self._chat_unchanged(ctx, known[1]):
                return known[1]
        sender = await self._look_up(ctx)
        ttl = self._services.settings.roster_cache_seconds
        if key is not None and sender.profile is not None and ttl > 0:
            if len(self._known) > _MAX_REMEMBERED:
                self._known.clear()
            self._known[key] = (self._monotonic() + ttl, sender)
        return sender

    def _cache_key(self, ctx: TurnContext) -> tuple[str, str | None] | None:
        account = ctx.activity.from_property
        if account is None or not account.id:
            return None
        return (account.id, getattr(account, "aad_object_id", None))

    def _chat_unchanged(self, ctx: TurnContext, sender: Sender) -> bool:
        """Whether this personal chat's stored reference is already current (always, elsewhere)."""
        activity = ctx.activity
        if conversation_type(activity) != "personal" or sender.profile is None:
            return True
        stored = (activity.conversation.id, activity.service_url, sender.profile.person_id)
        return self._chats_stored.get(activity.from_property.id) == stored

    async def _look_up(self, ctx: TurnContext) -> Sender:
        async with self._services.database.session() as session:
            profile = await self._profile(session, ctx)
            if profile is None:
                officers = [
                    f"{p.display_name} ({p.email})" for p in await people_with_role(session, Role.OFFICER)
                ]
                return Sender(None, officers=officers)
            return Sender(profile, chairs=await chairs_by_community(session, profile))

    def not_registered(self, ctx: TurnContext, sender: Sender) -> str:
        account = ctx.activity.from_property
        return not_registered_text(
            account.name if account else None, self._services.settings.support_contact, sender.officers
        )

    async def _profile(self, session: AsyncSession, ctx: TurnContext) -> PersonProfile | None:
        """The roster profile; in a personal chat, also keep the chat's reference current."""
        activity = ctx.activity
        person = await resolve_person(session, self._services.connector, activity)
        profile = await load_profile(session, person) if person is not None else None
        account = activity.from_property
        if conversation_type(activity) != "personal" or not account or not account.id:
            return profile
        stored = (activity.conversation.id, activity.service_url, profile.person_id if profile else None)
        if self._chats_stored.get(account.id) == stored:
            return profile
        await installations.remember_personal_chat(
            session,
            self._services.clock,
            teams_user_id=account.id,
            aad_object_id=getattr(account, "aad_object_id", None),
            person_id=stored[2],
            tenant_id=tenant_of(activity),
            service_url=activity.service_url,
            reference=reference_of(activity),
        )
        try:
            await session.commit()
            self._chats_stored[account.id] = stored
        except IntegrityError:
            # The same person's first two activities raced; the other one stored the chat.
            await session.rollback()
        return profile
