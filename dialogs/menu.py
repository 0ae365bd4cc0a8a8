"""The menu card: what the person may do, shown for `help`, a greeting and anything not understood."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from botbuilder.core import TurnContext

from cards.menu import menu_card
from communities.db import Database
from communities.permissions import RAISE_REQUEST, Capability, menu_for
from communities.requests.drafts import has_draft
from communities.roster.directory import PersonProfile
from dialogs.replies import send_card


async def menu_capabilities(database: Database, profile: PersonProfile) -> list[Capability]:
    """The menu; "Continue my draft" only for someone with a draft (one query, school staff only)."""
    if not RAISE_REQUEST.offered_to(profile):
        return menu_for(profile)
    async with database.connection() as connection:
        return menu_for(profile, has_draft=await has_draft(connection, profile))


async def send_menu(
    ctx: TurnContext, database: Database, profile: PersonProfile, chairs: Mapping[str, Sequence[str]]
) -> None:
    """``chairs`` maps each of the person's community codes to its chairs' names."""
    await send_card(ctx, menu_card(profile, await menu_capabilities(database, profile), chairs))
