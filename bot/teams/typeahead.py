"""Teams' typeahead search in a card's ``Input.ChoiceSet`` (``choices.data`` of type ``Data.Query``).

As the person types, Teams sends an ``invoke`` named ``application/search`` with the text, the
dataset the input names and the page it wants; the bot answers at once, in the invoke's response,
with at most 15 choices. A search of a dataset no route answers, or by someone not in the roster,
gets no choices (never an error the card would show).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botbuilder.core import InvokeResponse, TurnContext

from bot.teams.turn_sender import Senders
from dialogs.routing import RouteTable
from dialogs.services import ChatServices

SEARCH_INVOKE = "application/search"
SEARCH_RESPONSE = "application/vnd.microsoft.search.searchResponse"
#: Teams shows at most 15 choices at a time.
MAX_CHOICES = 15
#: Longer text is not a name anyone types; it is cut, not searched whole.
MAX_QUERY = 100


@dataclass(frozen=True)
class SearchQuery:
    dataset: str
    text: str
    skip: int
    top: int


def read_query(value: Any) -> SearchQuery | None:
    """The search an invoke asks for, or None when its value is not one."""
    if not isinstance(value, dict) or not isinstance(value.get("dataset"), str):
        return None
    text = value.get("queryText")
    found = value.get("queryOptions")
    options: dict[str, Any] = found if isinstance(found, dict) else {}
    return SearchQuery(
        dataset=value["dataset"],
        text=text[:MAX_QUERY] if isinstance(text, str) else "",
        skip=_count(options.get("skip"), 0, 1000),
        top=_count(options.get("top"), MAX_CHOICES, MAX_CHOICES) or MAX_CHOICES,
    )


async def answer_search(
    ctx: TurnContext, routes: RouteTable, chat: ChatServices, senders: Senders
) -> InvokeResponse:
    query = read_query(ctx.activity.value)
    search = routes.for_search(query.dataset) if query is not None else None
    choices: list[tuple[str, str]] = []
    if query is not None and search is not None and query.text.strip():
        sender = await senders.identify(ctx)
        if sender.profile is not None:
            found = await search(chat, query.text, query.skip + query.top)
            choices = found[query.skip : query.skip + query.top]
    return InvokeResponse(
        status=200,
        body={
            "type": SEARCH_RESPONSE,
            "value": {"results": [{"title": title, "value": value} for title, value in choices]},
        },
    )


def _count(value: Any, default: int, most: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return default
    return min(value, most)
