"""*Report for the Area Boards* (officers; or `report`): the figures per area, an area's communities
or one community, for the academic year to date or the period chosen on the card.

The card's *Show* sends the dates and the place back; a date that is not one, or a period that ends
before it starts, shows the card again with what is wrong, and nothing else changes.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from cards.reporting.card import FROM_FIELD, PLACE_FIELD, TO_FIELD, report_card
from communities.meetings.tables import local
from communities.permissions import REPORT
from communities.reporting.grid import ALL
from communities.reporting.report import build_report, default_period
from communities.reporting.words import BACKWARDS, BAD_DATE
from dialogs.replies import send_card, show_card
from dialogs.routing import RefusalAudit, RouteTable, Turn
from dialogs.services import ChatServices

#: Someone who is not an officer asked for the report: audited, and nothing is shown.
REFUSED = RefusalAudit("report_refused", "report")


def register(table: RouteTable) -> None:
    table.button(REPORT.key, show_report, capability=REPORT, refusal_audit=REFUSED)
    table.command("report", REPORT.key)


async def show_report(chat: ChatServices, turn: Turn) -> None:
    value: dict[str, Any] = turn.value or {}
    today = local(chat.clock.now()).date()
    start, end = default_period(today)
    problem = ""
    try:
        start = _day(value.get(FROM_FIELD), start)
        end = _day(value.get(TO_FIELD), end)
        if end < start:
            problem, (start, end) = BACKWARDS, default_period(today)
    except ValueError as bad:
        problem, (start, end) = str(bad), default_period(today)
    place = value.get(PLACE_FIELD)
    async with chat.database.session() as session:
        report = await build_report(session, start, end, today)
    key = place if isinstance(place, str) and place else ALL
    shown = report_card(report, key, problem=problem)
    if FROM_FIELD in value:  # the report card's own Show: it changes in place
        await show_card(turn.context, shown)
    else:
        await send_card(turn.context, shown)


def _day(typed: Any, otherwise: date) -> date:
    if typed is None or typed == "":
        return otherwise
    try:
        return date.fromisoformat(str(typed).strip())
    except ValueError:
        raise ValueError(BAD_DATE.format(typed=str(typed)[:20])) from None
