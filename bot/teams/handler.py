"""The Teams activity handler: routes each turn to the domain and answers with cards.

Personal chat: a menu card that fits the person's roles, card actions, and dialogs.
Channels: see :mod:`bot.channel_commands` (the bot only sees messages that @mention it).
Team installs: remember the team and greet its General channel through the outbox.
"""

from __future__ import annotations

import logging
from typing import Any

from botbuilder.core import (
    ActivityHandler,
    CardFactory,
    ConversationState,
    MessageFactory,
    TurnContext,
    UserState,
)
from botbuilder.dialogs import DialogSet, DialogTurnStatus
from botbuilder.schema import ChannelAccount

from bot import agenda_actions, broadcast_actions, meeting_actions, request_actions
from bot.agenda_actions import AGENDA_BUTTONS
from bot.broadcast_actions import BROADCAST_BUTTONS
from bot.channel_commands import handle_channel_command
from bot.meeting_actions import MEETING_BUTTONS
from bot.request_actions import REQUEST_BUTTONS
from bot.services import Services
from bot.teams.activity import (
    command_text,
    conversation_type,
    reference_to,
    team_of,
    tenant_of,
)
from bot.teams.turn_sender import Senders
from cards.community import channel_status_card
from cards.elements import Card
from cards.menu import menu_card
from cards.welcome import link_help_text, team_welcome_card
from communities.db import in_transaction
from communities.messaging import installations
from communities.messaging.outbox import OutgoingMessage
from communities.permissions import (
    AGENDA,
    BROADCAST_DATES,
    CHANNEL_STATUS,
    CONTINUE_DRAFT,
    DECLARATIONS_COMPLIANCE,
    DECLARE_INTEREST,
    FIND_COMMUNITY,
    LINK_HELP,
    MEETINGS,
    MY_REQUESTS,
    RAISE_REQUEST,
    REQUESTS_QUEUE,
    Capability,
    may_use,
    menu_for,
)
from communities.requests.drafts import has_draft
from communities.roster.directory import PersonProfile
from communities.roster.overview import channel_status
from communities.roster.roles import Role
from dialogs.declarations import (
    GATED,
    DeclarationsDialog,
    accept_code_of_conduct,
    code_of_conduct_gate,
    compliance_code,
    continue_declarations,
    is_code_of_conduct_submit,
    is_declarations_submit,
    send_compliance,
)
from dialogs.find_community import FindCommunityDialog
from dialogs.request_form import RequestFormDialog, continue_request_form
from dialogs.turn_profile import remember_profile

log = logging.getLogger(__name__)

CANCEL_WORDS = frozenset({"cancel", "stop", "quit"})
HELP_WORDS = frozenset({"help", "menu", "hi", "hello", "start", "?"})
#: Typed commands that start an action (the first word).
WORD_ACTIONS = {
    "find": FIND_COMMUNITY.key,
    "request": RAISE_REQUEST.key,
    "continue": CONTINUE_DRAFT.key,
    "requests": MY_REQUESTS.key,
    "queue": REQUESTS_QUEUE.key,
    "declare": DECLARE_INTEREST.key,
    "compliance": DECLARATIONS_COMPLIANCE.key,
    "meetings": MEETINGS.key,
    "agenda": AGENDA.key,
    "broadcast": BROADCAST_DATES.key,
}


class CosBot(ActivityHandler):  # type: ignore[misc]
    def __init__(
        self, services: Services, conversation_state: ConversationState, user_state: UserState
    ) -> None:
        self.services = services
        self.conversation_state = conversation_state
        self.user_state = user_state
        self.dialogs = DialogSet(conversation_state.create_property("DialogState"))
        self.dialogs.add(FindCommunityDialog(services.database))
        self.dialogs.add(RequestFormDialog(services.database, services.clock, services.outbox))
        self.dialogs.add(DeclarationsDialog(services.database, services.clock))
        self.senders = Senders(services)

    async def on_turn(self, turn_context: TurnContext) -> None:
        await super().on_turn(turn_context)
        await self.conversation_state.save_changes(turn_context)
        await self.user_state.save_changes(turn_context)

    # ---- messages ---------------------------------------------------------------------------

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        if conversation_type(turn_context.activity) == "personal":
            await self._personal_message(turn_context)
        elif team_of(turn_context.activity) is not None:
            await handle_channel_command(self.services, self.senders, turn_context)
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
        if await continue_request_form(dialog_context, value, word):
            return
        if await self._declarations_turn(ctx, dialog_context, profile, value, word):
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
        if value is not None and action in REQUEST_BUTTONS:
            await request_actions.press(self.services, ctx, dialog_context, profile, action, value)
            return
        if value is not None and action in BROADCAST_BUTTONS:
            await broadcast_actions.press(self.services, ctx, profile, action, value)
            return
        if value is not None and action in AGENDA_BUTTONS:
            await agenda_actions.press(self.services, ctx, profile, action, value)
            return
        if value is not None and action in MEETING_BUTTONS:
            await meeting_actions.press(self.services, ctx, profile, action, value)
            return
        if value is not None and not action:
            await ctx.send_activity("I didn't understand that card. Here is the menu.")
        if not action:
            action = WORD_ACTIONS.get(word.split(" ")[0], "")
        if action:
            decision = may_use(profile, action)
            if decision.allowed:
                await self._run_action(ctx, dialog_context, profile, action, text)
                return
            await ctx.send_activity(f"Sorry: {decision.reason}")
        await self._send_card(ctx, menu_card(profile, await self._menu_for(profile), sender.chairs))

    async def _declarations_turn(
        self, ctx: TurnContext, dialog_context: Any, profile: PersonProfile, value: Any, word: str
    ) -> bool:
        """The Code of Conduct's "I accept", and the declarations cards (after the Code is accepted)."""
        services = self.services
        if is_code_of_conduct_submit(value):
            await dialog_context.cancel_all_dialogs()
            then = await accept_code_of_conduct(ctx, services.database, services.clock, profile, value)
            if then:
                decision = may_use(profile, then)
                if decision.allowed:
                    await self._run_action(ctx, dialog_context, profile, then, "")
                else:
                    await ctx.send_activity(f"Sorry: {decision.reason}")
            return True
        if is_declarations_submit(value) and await code_of_conduct_gate(
            ctx, services.database, profile, DECLARE_INTEREST.key
        ):
            await dialog_context.cancel_all_dialogs()
            return True
        return await continue_declarations(dialog_context, value, word)

    async def _run_action(
        self, ctx: TurnContext, dialog_context: Any, profile: PersonProfile, action: str, text: str
    ) -> None:
        if action in GATED and await code_of_conduct_gate(ctx, self.services.database, profile, action):
            return
        if action == FIND_COMMUNITY.key:
            query = text[len("find") :].strip() if text.lower().startswith("find") else ""
            await dialog_context.begin_dialog(FindCommunityDialog.ID, {"text": query} if query else None)
        elif action in (RAISE_REQUEST.key, CONTINUE_DRAFT.key):
            start = "new" if action == RAISE_REQUEST.key else "continue"
            await dialog_context.begin_dialog(RequestFormDialog.ID, {"start": start})
        elif action == MY_REQUESTS.key:
            await request_actions.show_my_requests(self.services, ctx, profile)
        elif action == REQUESTS_QUEUE.key:
            await request_actions.show_queue(self.services, ctx, profile)
        elif action == LINK_HELP.key:
            codes = [c.code for c in profile.communities if profile.has_role(Role.CHAIR, c.id)]
            await ctx.send_activity(
                MessageFactory.text(link_help_text(self.services.settings.bot_name, codes))
            )
        elif action == DECLARE_INTEREST.key:
            await dialog_context.begin_dialog(DeclarationsDialog.ID)
        elif action == DECLARATIONS_COMPLIANCE.key:
            code = compliance_code(text, ctx.activity.value)  # `compliance CANT1`, or a summary button
            await send_compliance(ctx, self.services.database, self.services.clock, profile, code)
        elif action == BROADCAST_DATES.key:
            await broadcast_actions.show_form(self.services, ctx)
        elif action == AGENDA.key:
            await agenda_actions.show_agenda(self.services, ctx, profile)
        elif action == MEETINGS.key:
            await meeting_actions.show_meetings(self.services, ctx, profile)
        elif action == CHANNEL_STATUS.key:
            async with self.services.database.session() as session:
                card = channel_status_card(await channel_status(session))
            await self._send_card(ctx, card)

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
        self.services.outbox.wake()

    async def _greet_person(self, ctx: TurnContext) -> None:
        sender = await self.senders.identify(ctx)
        if sender.profile is None:
            await ctx.send_activity(self.senders.not_registered(ctx, sender))
        else:
            menu = await self._menu_for(sender.profile)
            await self._send_card(ctx, menu_card(sender.profile, menu, sender.chairs))

    # ---- helpers ----------------------------------------------------------------------------

    async def _menu_for(self, profile: PersonProfile) -> list[Capability]:
        """The menu; "Continue my draft" only for someone with a draft (one query, school staff only)."""
        if not RAISE_REQUEST.offered_to(profile):
            return menu_for(profile)
        async with self.services.database.session() as session:
            return menu_for(profile, has_draft=await has_draft(session, profile))

    async def _send_card(self, ctx: TurnContext, card: Card) -> None:
        await ctx.send_activity(MessageFactory.attachment(CardFactory.adaptive_card(card)))
