"""*Budget* (or `budget`, `budget CANT1`): a chair's community, or an officer's overview of all of them.

*Ledgers* (`ledger CANT1`): a community's every entry for finance and the officers, a payment against
an allocation, an officer's change to a budget; and an officer's approval of an overspend.
"""

from __future__ import annotations

from sqlmodel import col, select

from cards.budget import budget_card, budget_overview_card
from cards.budget_ledger import (
    ADJUST_FORM,
    ADJUST_SAVE,
    LEDGER_OPEN,
    OVERSPEND_APPROVE,
    PAYMENT_FORM,
    PAYMENT_SAVE,
)
from cards.elements import Card
from communities.budget.views import budget_view
from communities.budget.years import FinancialYear
from communities.meetings.tables import local
from communities.permissions import BUDGET, LEDGER
from communities.roster.roles import Role
from communities.roster.tables import Community
from dialogs.budget import ledger, overspend
from dialogs.community_code import community_asked
from dialogs.replies import send_card
from dialogs.routing import RouteTable, Turn
from dialogs.services import ChatServices


def register(table: RouteTable) -> None:
    table.button(BUDGET.key, show_budget, capability=BUDGET)
    table.command("budget", BUDGET.key)
    table.button(LEDGER.key, ledger.show_ledger, capability=LEDGER)
    table.command("ledger", LEDGER.key)
    table.button(LEDGER_OPEN, ledger.show_ledger, capability=LEDGER)
    for action in (PAYMENT_FORM, PAYMENT_SAVE, ADJUST_FORM, ADJUST_SAVE):
        table.button(action, ledger.press, capability=LEDGER)
    # The domain checks the officer, and says why a second press changes nothing.
    table.button(OVERSPEND_APPROVE, overspend.approve_overspend)


async def show_budget(chat: ChatServices, turn: Turn) -> None:
    profile = turn.profile
    year = FinancialYear.of(local(chat.clock.now()).date())
    code = community_asked("budget", turn.text, turn.value)
    county = profile.has_role(Role.OFFICER) or profile.has_role(Role.FINANCE)
    shown: list[Card] = []
    refusal = ""
    async with chat.database.session() as session:
        query = select(Community).where(col(Community.active)).order_by(col(Community.code))
        communities = list((await session.exec(query)).all())
        if code:
            chosen = [c for c in communities if c.code == code.upper()]
            if not chosen:
                refusal = f"Sorry: no community has the code {code.upper()}."
            elif not county and not _chairs(turn, chosen[0]):
                refusal = (
                    f"Sorry: only the chair or vice chair of {chosen[0].code}, a council officer or a "
                    f"finance officer can see its budget. {BUDGET.instead}"
                )
            else:
                shown.append(budget_card(await budget_view(session, chosen[0], year)))
        elif county:
            views = [await budget_view(session, c, year) for c in communities]
            shown.append(budget_overview_card(year.label, views))
        else:
            for community in communities:
                if _chairs(turn, community):
                    shown.append(budget_card(await budget_view(session, community, year)))
    if refusal:
        await turn.context.send_activity(refusal)
    for content in shown:
        await send_card(turn.context, content)


def _chairs(turn: Turn, community: Community) -> bool:
    return any(turn.profile.has_role(role, community.id) for role in (Role.CHAIR, Role.VICE_CHAIR))
