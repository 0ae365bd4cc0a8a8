"""`ledger CANT1`: a community's whole ledger for finance and the officers; a finance officer records
a payment from it, an officer changes (or sets) the budget. Each press shows its answer in place of
the card pressed; what was typed stays on the card when something is wrong.

The role is checked by the capability and again by the domain (a refusal is audited and changes
nothing); ids that come back from a card are checked, never trusted (a stale or forged one is refused).
"""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from cards.budget_ledger import (
    ADJUST_FORM,
    ADJUST_SAVE,
    PAYMENT_FORM,
    PAYMENT_SAVE,
    adjust_card,
    ledger_card,
    payment_card,
)
from cards.elements import Card
from communities.budget.chat import change_budget, pay
from communities.budget.service import BudgetRefused
from communities.budget.statement import Statement, statement
from communities.budget.years import FinancialYear
from communities.meetings.tables import local
from communities.money import pounds
from communities.roster.directory import PersonProfile
from communities.roster.roles import Role
from communities.roster.tables import Community
from dialogs.card_values import as_id
from dialogs.community_code import community_asked
from dialogs.replies import send_card, show_card
from dialogs.routing import Turn
from dialogs.services import ChatServices

ASK_FOR_CODE = (
    "Write `ledger` and the community's code to see its ledger, for example `ledger CANT1`; "
    "`budget` shows every community's position."
)
OUT_OF_DATE = "That card is out of date. Write `ledger` and the community's code for the latest."


def _year(chat: ChatServices) -> FinancialYear:
    return FinancialYear.of(local(chat.clock.now()).date())


async def show_ledger(chat: ChatServices, turn: Turn) -> None:
    """`ledger CANT1` (typed), or the ledger's own Back button (in place of the card pressed)."""
    value = turn.value or {}
    async with chat.database.session() as session:
        community: Community | None
        if as_id(value.get("community_id")) is not None:
            community = await session.get(Community, as_id(value.get("community_id")))
        else:
            code = community_asked("ledger", turn.text, turn.value)
            if not code:
                await turn.context.send_activity(ASK_FOR_CODE)
                return
            query = select(Community).where(col(Community.code) == code.upper(), col(Community.active))
            community = (await session.exec(query)).first()
            if community is None:
                await turn.context.send_activity(f"Sorry: no community has the code {code.upper()}.")
                return
        if community is None:
            await turn.context.send_activity(OUT_OF_DATE)
            return
        shown = _ledger(await statement(session, community, _year(chat)), turn.profile)
    if turn.value:
        await show_card(turn.context, shown)
    else:
        await send_card(turn.context, shown)


async def press(chat: ChatServices, turn: Turn) -> None:
    """The payment's and the budget change's forms and saves."""
    value = turn.value or {}
    async with chat.database.session() as session:
        community = await _community(session, value)
        if community is None:
            await turn.context.send_activity(OUT_OF_DATE)
            return
        shown = await _answer(chat, session, turn, community, value)
        await session.commit()
    await show_card(turn.context, shown)


async def _community(session: AsyncSession, value: dict[str, Any]) -> Community | None:
    community_id = as_id(value.get("community_id"))
    return await session.get(Community, community_id) if community_id is not None else None


async def _answer(
    chat: ChatServices, session: AsyncSession, turn: Turn, community: Community, value: dict[str, Any]
) -> Card:
    year, profile = _year(chat), turn.profile
    shown = await statement(session, community, year)
    typed = {k: v for k, v in value.items() if isinstance(v, str)}
    if turn.action in (PAYMENT_FORM, PAYMENT_SAVE):
        allocation_id = as_id(value.get("allocation_id"))
        line = next((li for li in shown.lines if li.is_allocation and li.entry_id == allocation_id), None)
        if line is None:
            return _ledger(
                shown, profile, problem="That allocation is not in this ledger (the card is out of date)."
            )
        if turn.action == PAYMENT_FORM:
            return payment_card(shown, line, {})
        try:
            written = await pay(
                session,
                chat.clock,
                profile,
                allocation_id,
                amount=typed.get("amount", ""),
                paid_on=typed.get("paid_on", ""),
                reference=typed.get("reference", ""),
            )
        except BudgetRefused as refused:
            return payment_card(shown, line, typed, problem=f"Nothing was recorded: {refused}")
        assert written.entry is not None
        note = (
            f"Payment of {pounds(written.entry.amount_pence)} recorded against the allocation for "
            f"{line.ref or line.school} (reference {written.entry.reference})."
        )
        return _ledger(await statement(session, community, year), profile, note=note)
    if turn.action == ADJUST_FORM:
        return adjust_card(shown, {})
    if turn.action == ADJUST_SAVE:
        try:
            written = await change_budget(
                session,
                chat.clock,
                profile,
                community,
                year,
                how=typed.get("how", ""),
                amount=typed.get("amount", ""),
                reason=typed.get("reason", ""),
            )
        except BudgetRefused as refused:
            return adjust_card(shown, typed, problem=f"Nothing was changed: {refused}")
        after = written.position
        note = (
            f"The budget of {community.code} for {year.label} is now {pounds(after.budget_pence)} "
            f"({pounds(after.available_pence)} available)."
        )
        return _ledger(await statement(session, community, year), profile, note=note)
    return _ledger(shown, profile)


def _ledger(shown: Statement, profile: PersonProfile, *, note: str = "", problem: str = "") -> Card:
    finance, officer = profile.has_role(Role.FINANCE), profile.has_role(Role.OFFICER)
    return ledger_card(shown, finance=finance, officer=officer, note=note, problem=problem)


__all__ = ["ADJUST_FORM", "ADJUST_SAVE", "PAYMENT_FORM", "PAYMENT_SAVE", "press", "show_ledger"]
