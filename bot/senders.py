"""Who sent this turn: their roster profile, and what the answer to them needs.

One database session per turn, closed before dialogs and replies run: a turn never
holds one pooled connection while it waits for another (20 concurrent users once
deadlocked the pool that way).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from botbuilder.core import TurnContext
from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from cards.menu import not_registered_text
from communities import installations
from communities.directory import PersonProfile, chairs_by_community, load_profile, people_with_role
from communities.roles import Role

from .identity import resolve_person
from .services import Services
from .teams_context import conversation_type, reference_of, tenant_of


@dataclass(frozen=True)
class Sender:
    #: None when the person is not in the roster.
    profile: PersonProfile | None
    #: For an unregistered person: the officers they can ask.
    officers: list[str] = field(default_factory=list)
    #: For a registered person: the chairs of their communities, by community code.
    chairs: dict[str, list[str]] = field(default_factory=dict)


class Senders:
    def __init__(self, services: Services) -> None:
        self._services = services
        #: What this process last stored for each personal chat, so unchanged chats cost no query.
        self._chats_stored: dict[str, tuple[str, str, int | None]] = {}

    async def identify(self, ctx: TurnContext) -> Sender:
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
