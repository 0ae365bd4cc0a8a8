"""Finding a school by name in a card: the answers to Teams' typeahead search of a school picker.

School names and URNs are public (the DfE's register), so the search carries no personal data; it is
still only answered for people in the roster.
"""

from __future__ import annotations

from cards.elements import school_title
from communities.roster.directory import search_schools
from dialogs.services import ChatServices


async def find_schools(chat: ChatServices, typed: str, limit: int) -> list[tuple[str, str]]:
    """The schools whose name (or URN) contains what was typed, as (title, URN)."""
    async with chat.database.session() as session:
        schools = await search_schools(session, typed, limit)
    return [(school_title(school.name, school.urn), school.urn) for school in schools]
