"""The ``reach`` command and menu button: the reach card, for officers."""

from __future__ import annotations

from cards.reach import reach_card
from communities.permissions import REACH
from communities.reach.members import POLICY
from communities.reach.report import reach_report
from dialogs.replies import send_card
from dialogs.routing import RouteTable, Turn
from dialogs.services import ChatServices


def register(table: RouteTable) -> None:
    table.button(REACH.key, _reach, capability=REACH)
    table.command("reach", REACH.key)


async def _reach(chat: ChatServices, turn: Turn) -> None:
    async with chat.database.session() as session:
        report = await reach_report(session, install_permitted=POLICY.permitted)
    await send_card(turn.context, reach_card(report))
