"""The Teams activity handler: a dispatch over the chat's routing table (:mod:`dialogs.routing`).

Personal chat: the dialogs take their own turns first (:attr:`RouteTable.claims`), then `cancel`,
a dialog waiting for an answer, and the routes: a card button, else the first word typed; the
menu card for `help`, and for other text what was not understood with the likely next steps
(:mod:`dialogs.not_understood`). Channels: the bot only sees messages that @mention it, and button
presses on its posts; anything it has no route for gets a line of help.
Team installs: remember the team and greet its General channel through the outbox, then read the
team's members (:mod:`bot.teams.members`).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from botbuilder.core import ActivityHandler, ConversationState, InvokeResponse, TurnContext, UserState
from botbuilder.dialogs import DialogSet, DialogTurnStatus
from botbuilder.schema import ChannelAccount

from bot.calendars import shared_calendar
from bot.services import Services
from bot.teams.activity import (
    channel_id_of,
    command_text,
    conversation_type,
    reference_of,
    reference_to,
    team_of,
    tenant_of,
)
from bot.teams.members import TeamMembersSync
from bot.teams.turn_sender import Senders
from bot.teams.typeahead import SEARCH_INVOKE, answer_search
from cards.universal import ADAPTIVE_CARD_ACTION
from cards.welcome import team_welcome_card
from communities.db import in_transaction
from communities.messaging import channel_linking, installations
from communities.messaging.outbox import OutgoingMessage
from dialogs.menu import send_menu
from dialogs.not_understood import answer_not_understood, channel_privacy_warning, pupil_detail
from dialogs.routes import chat_routes
from dialogs.routing import Place, Turn
from dialogs.services import ChatServices
from dialogs.turn_profile import remember_profile
from dialogs.universal import actions as universal_actions

log = logging.getLogger(__name__)

CANCEL_WORDS = frozenset({"cancel", "stop", "quit"})
HELP_WORDS = frozenset({"help", "menu", "hi", "hello", "start", "?"})


def chat_services(services: Services) -> ChatServices:
    """What the chat handlers get of the bot's services and settings."""
    settings = services.settings
    return ChatServices(
        database=services.database,
        clock=services.clock,
        outbox=services.outbox,
        bot_name=settings.bot_name,
        public_url=settings.public_url,
        invitations=settings.graph is not None,
        meeting_offsets=settings.meeting_offsets,
        calendar=lambda: shared_calendar(settings),
        quorum_rule=settings.quorum_rule,
        timelines=services.scheduler,
        disputes=settings.disputes,
    )


class CosBot(ActivityHandler):  # type: ignore[misc]
    def __init__(
        self, services: Services, conversation_state: ConversationState, user_state: UserState
    ) -> None:
        self.services = services
        self.conversation_state = conversation_state
        self.user_state = user_state
        self.senders = Senders(services)
        self.chat = chat_services(services)
        self.routes = chat_routes()
        self.dialogs = DialogSet(conversation_state.create_property("DialogState"))
        for build in self.routes.dialogs:
            self.dialogs.add(build(self.chat))

    async def on_turn(self, turn_context: TurnContext) -> None:
        await super().on_turn(turn_context)
        await self.conversation_state.save_changes(turn_context)
        await self.user_state.save_changes(turn_context)

    # ---- messages ---------------------------------------------------------------------------

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        if conversation_type(turn_context.activity) == "personal":
            await self._personal_message(turn_context)
        elif team_of(turn_context.activity) is not None:
            await self._channel_message(turn_context)
        else:
            await turn_context.send_activity(
                "I work in personal chats and in team channels. Open a chat with me to see what I can do."
            )

    async def _personal_message(self, ctx: TurnContext) -> None:
        activity = ctx.activity
        value = activity.value if isinstance(activity.value, dict) else None
        text = command_text(activity)
        word = text.lower()
        sender = await self.senders.identify(ctx)
        dialog_context = await self.dialogs.create_context(ctx)
        profile = sender.profile
        if profile is None:
            await dialog_context.cancel_all_dialogs()
            await ctx.send_activity(self.senders.not_registered(ctx, sender))
            return
        remember_profile(ctx, profile)
        turn = Turn(
            ctx,
            Place.PERSONAL,
            profile,
            text,
            value,
            action="",
            reference=reference_of(activity),
            dialogs=dialog_context,
        )
        for entry in self.routes.claims:
            if await entry.claim(self.chat, turn, self.routes):
                return

        if word in CANCEL_WORDS:
            if dialog_context.active_dialog is not None:
                await dialog_context.cancel_all_dialogs()
                await ctx.send_activity("Cancelled. Write `help` to see the menu.")
            else:
                await ctx.send_activity("There is nothing to cancel. Write `help` to see the menu.")
            return
        if dialog_context.active_dialog is not None and value is None and word not in HELP_WORDS:
            result = await dialog_context.continue_dialog()
            if result.status != DialogTurnStatus.Empty:
                return
        elif dialog_context.active_dialog is not None:
            # A card button or `help` leaves the dialog in progress behind.
            await dialog_context.cancel_all_dialogs()

        action = str(value.get("action", "")) if value else ""
        if value is not None and not action:
            await ctx.send_activity("I didn't understand that card. Here is the menu.")
        if action:
            route = self.routes.for_button(Place.PERSONAL, action)
            if route is None:
                await ctx.send_activity("Sorry: I don't know that action.")
        else:
            route = self.routes.for_command(Place.PERSONAL, text)
        if route is not None:
            decision = await self.routes.run(self.chat, turn, route)
            if decision.allowed or not route.is_menu_item:
                return
        elif value is None and word and word not in HELP_WORDS:
            # Never logged nor kept: it may be a pupil's details (the answer warns about them).
            await answer_not_understood(self.chat, ctx, profile, text)
            return
        await send_menu(ctx, self.services.database, profile, sender.chairs)

    async def _channel_message(self, ctx: TurnContext) -> None:
        """A command @mentioning the bot, or a button pressed on one of its channel posts."""
        activity = ctx.activity
        value = activity.value if isinstance(activity.value, dict) else None
        text = command_text(activity)
        action = str(value.get("action", "")) if value else ""
        route = self.routes.for_button(Place.CHANNEL, action) if action else None
        route = route or self.routes.for_command(Place.CHANNEL, text)
        if route is None:
            bot_name = self.services.settings.bot_name
            pupil, _ = pupil_detail(self.chat, text)
            if pupil:  # never quoted back, kept or logged
                await ctx.send_activity(channel_privacy_warning(pupil))
                return
            await ctx.send_activity(
                f"In a channel I understand **@{bot_name} link COMMUNITY-CODE** (make this channel the "
                f"community's channel) and **@{bot_name} unlink**. Everything else happens in a personal "
                "chat with me."
            )
            return
        sender = await self.senders.identify(ctx)
        if sender.profile is None and not route.anyone:
            await ctx.send_activity(self.senders.not_registered(ctx, sender))
            return
        turn = Turn(
            ctx,
            Place.CHANNEL,
            sender.profile,
            text,
            value,
            action="",
            reference=reference_of(activity),
            channel=channel_seen(ctx, channel_id_of(activity) or ""),
        )
        await self.routes.run(self.chat, turn, route)

    # ---- typeahead search in cards ----------------------------------------------------------

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        if turn_context.activity.name == SEARCH_INVOKE:
            return await answer_search(turn_context, self.routes, self.chat, self.senders)
        if turn_context.activity.name == ADAPTIVE_CARD_ACTION:  # Universal Actions (Action.Execute, refresh)
            sender = await self.senders.identify(turn_context)
            body = await universal_actions.answer(self.chat, turn_context.activity.value, sender.profile)
            return InvokeResponse(status=200, body=body)
        return await super().on_invoke_activity(turn_context)

    # ---- installs ---------------------------------------------------------------------------

    async def on_installation_update_add(self, turn_context: TurnContext) -> None:
        if team_of(turn_context.activity) is not None:
            await self._team_installed(turn_context)

    async def on_installation_update_remove(self, turn_context: TurnContext) -> None:
        team = team_of(turn_context.activity)
        if team is not None:
            async with self.services.database.session() as session:
                await installations.record_team_removal(session, self.services.clock, str(team["id"]))
                await session.commit()

    async def on_conversation_update_activity(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        bot_id = activity.recipient.id if activity.recipient else None
        added: list[ChannelAccount] = activity.members_added or []
        removed: list[ChannelAccount] = activity.members_removed or []
        if any(member.id == bot_id for member in added):
            if team_of(activity) is not None:
                await self._team_installed(turn_context)
            elif conversation_type(activity) == "personal":
                await self._greet_person(turn_context)
        elif any(member.id == bot_id for member in removed):
            await self.on_installation_update_remove(turn_context)

    async def _team_installed(self, ctx: TurnContext) -> None:
        activity = ctx.activity
        team = team_of(activity) or {}
        team_id = str(team["id"])
        settings = self.services.settings
        seen = installations.TeamSeen(
            team_id=team_id,
            name=team.get("name"),
            aad_group_id=team.get("aadGroupId"),
            tenant_id=tenant_of(activity),
            service_url=activity.service_url,
            general_reference=reference_to(activity, team_id),
        )
        welcome = OutgoingMessage(
            card=team_welcome_card(seen.name, settings.bot_name),
            summary="The Communities of Schools bot has been added to this team",
        )
        await in_transaction(
            self.services.database,
            lambda session: installations.record_team_install(
                session, self.services.clock, self.services.outbox, seen, welcome
            ),
        )
        # Who is in the team, matched to the roster: the bot can then start 1:1 chats with them. Read
        # before the welcome is sent, as Teams asks for one request at a time to a conversation (the
        # team's General channel is both).
        members = TeamMembersSync(self.services.database, self.services.clock, self.services.connector)
        await members.sync_team(team_id, unless_read_within=timedelta(minutes=1))
        self.services.outbox.wake()

    async def _greet_person(self, ctx: TurnContext) -> None:
        sender = await self.senders.identify(ctx)
        if sender.profile is None:
            await ctx.send_activity(self.senders.not_registered(ctx, sender))
        else:
            await send_menu(ctx, self.services.database, sender.profile, sender.chairs)


def channel_seen(ctx: TurnContext, channel_id: str) -> channel_linking.ChannelSeen:
    """The channel (and thread) a command was written in, as the domain records it."""
    activity = ctx.activity
    team = team_of(activity) or {}
    data: dict[str, Any] = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    channel = data.get("channel")
    name = channel.get("name") if isinstance(channel, dict) else None
    if channel_id == team.get("id"):
        name = name or "General"
    return channel_linking.ChannelSeen(
        team_id=str(team.get("id", "")),
        channel_id=channel_id,
        channel_name=name,
        service_url=activity.service_url,
        tenant_id=tenant_of(activity),
        channel_reference=reference_to(activity, channel_id),
        thread_reference=reference_of(activity),
        message_id=activity.id or f"{activity.conversation.id}:{activity.timestamp}",
    )
