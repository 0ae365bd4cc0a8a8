"""The roster in the chat: find a community, and its Teams channel (link, unlink, which are linked)."""

from __future__ import annotations

from botbuilder.core import MessageFactory

from cards.community import channel_status_card
from cards.elements import SCHOOLS_DATASET
from cards.welcome import link_help_text
from communities.permissions import CHANNEL_STATUS, FIND_COMMUNITY, LINK_HELP
from communities.roster.overview import channel_status
from communities.roster.roles import Role
from dialogs.replies import send_card
from dialogs.roster.channel_links import LINK, UNLINK, link_or_unlink
from dialogs.roster.find_community import FindCommunityDialog
from dialogs.roster.school_search import find_schools
from dialogs.routing import Place, RouteTable, Turn
from dialogs.services import ChatServices


def register(table: RouteTable) -> None:
    table.dialog(lambda chat: FindCommunityDialog(chat.database))
    table.button(FIND_COMMUNITY.key, _find, capability=FIND_COMMUNITY)
    table.command("find", FIND_COMMUNITY.key)
    table.button(LINK_HELP.key, _link_help, capability=LINK_HELP)
    table.button(CHANNEL_STATUS.key, _channel_status, capability=CHANNEL_STATUS)
    # In a channel: the domain checks the community's chair or an officer.
    for command in (LINK, UNLINK):
        table.command(command, handler=link_or_unlink, places=Place.CHANNEL)
    # The school pickers' typeahead (a related school on a declaration of interest).
    table.search(SCHOOLS_DATASET, find_schools)


async def _find(chat: ChatServices, turn: Turn) -> None:
    text = turn.text
    query = text[len("find") :].strip() if text.lower().startswith("find") else ""
    await turn.dialog_context.begin_dialog(FindCommunityDialog.ID, {"text": query} if query else None)


async def _link_help(chat: ChatServices, turn: Turn) -> None:
    profile = turn.profile
    codes = [c.code for c in profile.communities if profile.has_role(Role.CHAIR, c.id)]
    await turn.context.send_activity(MessageFactory.text(link_help_text(chat.bot_name, codes)))


async def _channel_status(chat: ChatServices, turn: Turn) -> None:
    async with chat.database.session() as session:
        card = channel_status_card(await channel_status(session))
    await send_card(turn.context, card)
