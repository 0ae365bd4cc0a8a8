"""What finance and the officers do to the ledger from the chat, checked: the role first (a refusal
changes nothing but its audit row), then what was typed (amounts in pounds, a date, a reference, a
reason), each problem in words that say how to put it right.

* a finance officer records a payment against an allocation (amount, the day paid, finance's reference);
* a council officer tops up or corrects a community's budget, or sets it when none is set, with a reason.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from communities import audit
from communities.budget.service import (
    BudgetRefused,
    Written,
    adjust_budget,
    allocation_unpaid,
    position_of,
    record_payment,
    set_budget,
)
from communities.budget.tables import BudgetYear, EntryKind, LedgerEntry
from communities.budget.years import FinancialYear
from communities.clock import Clock
from communities.identifying_text import find_identifying_text, warning_for
from communities.meetings.tables import local
from communities.money import parse_pence, pounds
from communities.roster.directory import PersonProfile
from communities.roster.roles import Role
from communities.roster.tables import Community

#: The most one payment or change may be (£10,000,000): anything above is a typing slip.
MOST_PENCE = 1_000_000_000
NOT_MONEY = (
    "Give the amount in pounds and pence, more than £0 (for example 1500 or 1,500.50): "
    "{typed} is not an amount."
)
ONLY_FINANCE = (
    "Only a finance officer can record a payment. A council officer can see the ledger; finance records "
    "what was paid."
)
ONLY_OFFICERS = (
    "Only a council officer can change a community's budget. Finance officers can see every ledger."
)
#: How an officer changes a budget (the card's choice).
TOP_UP, CORRECTION, SET = "top_up", "correction", "set"


def amount_of(typed: str) -> int:
    """The typed amount in pence, or BudgetRefused saying what is wrong (negative, zero, not money)."""
    cleaned = (typed or "").strip()
    if not cleaned:
        raise BudgetRefused("Give the amount in pounds and pence, for example 1500 or 1,500.50.")
    try:
        return parse_pence(cleaned, most=MOST_PENCE)
    except ValueError:
        raise BudgetRefused(NOT_MONEY.format(typed=f"“{cleaned[:20]}”")) from None


async def pay(
    session: AsyncSession,
    clock: Clock,
    actor: PersonProfile,
    allocation_id: int | None,
    *,
    amount: str,
    paid_on: str,
    reference: str,
) -> Written:
    """A finance officer records a payment (the caller commits)."""
    if not actor.has_role(Role.FINANCE):
        await _refused(session, clock, actor, "budget_payment_refused", str(allocation_id))
        raise BudgetRefused(ONLY_FINANCE)
    allocation = await session.get(LedgerEntry, allocation_id) if allocation_id is not None else None
    if allocation is None or allocation.kind != EntryKind.ALLOCATION:
        raise BudgetRefused("That allocation is not in the ledger (the card may be from somewhere else).")
    pence = amount_of(amount)
    day = _day(paid_on, clock)
    if not (reference or "").strip():
        raise BudgetRefused(
            "Give finance's reference for the payment (for example the payment run's number)."
        )
    unpaid = await allocation_unpaid(session, allocation)
    if unpaid <= 0:
        raise BudgetRefused("Nothing of this allocation is left unpaid: it was paid in full, or released.")
    return await record_payment(
        session,
        clock,
        allocation.id or 0,
        pence,
        paid_on=day,
        reference=reference,
        actor_person_id=actor.person_id,
    )


async def change_budget(
    session: AsyncSession,
    clock: Clock,
    actor: PersonProfile,
    community: Community,
    year: FinancialYear,
    *,
    how: str,
    amount: str,
    reason: str,
) -> Written:
    """A council officer's top-up, correction down, or first budget of the year (the caller commits)."""
    assert community.id is not None
    if not actor.has_role(Role.OFFICER):
        await _refused(session, clock, actor, "budget_change_refused", f"{community.id}:{year.label}")
        raise BudgetRefused(ONLY_OFFICERS)
    if how not in (TOP_UP, CORRECTION, SET):
        raise BudgetRefused("Choose a top-up, a correction down, or setting the year's budget.")
    pence = amount_of(amount)
    cleaned = " ".join((reason or "").split())
    if not cleaned:
        raise BudgetRefused("Give a reason for the change: it is kept in the ledger.")
    findings = find_identifying_text(
        cleaned, allowed_names=[actor.display_name], today=local(clock.now()).date()
    )
    if findings:
        raise BudgetRefused(warning_for(findings))
    is_set = await _budget_set(session, community.id, year)
    if how == SET:
        if is_set:
            budget = (await position_of(session, community.id, year)).budget_pence
            raise BudgetRefused(
                f"The budget for {year.label} is already set ({pounds(budget)}): top it up or correct it "
                "instead."
            )
        return await set_budget(
            session,
            clock,
            community.id,
            year,
            pence,
            reason=cleaned,
            source="chat",
            actor_person_id=actor.person_id,
        )
    if not is_set:
        raise BudgetRefused(f"No budget is set for {community.code} for {year.label} yet: set it first.")
    change = pence if how == TOP_UP else -pence
    return await adjust_budget(
        session, clock, community.id, year, change, reason=cleaned, actor_person_id=actor.person_id
    )


def _day(typed: str, clock: Clock) -> date:
    try:
        day = date.fromisoformat((typed or "").strip())
    except ValueError:
        raise BudgetRefused("Give the day it was paid with the date picker.") from None
    if day > local(clock.now()).date():
        raise BudgetRefused("The day paid is in the future: record a payment once it is made.")
    return day


async def _budget_set(session: AsyncSession, community_id: int, year: FinancialYear) -> bool:
    row = (
        await session.exec(
            select(BudgetYear).where(
                BudgetYear.community_id == community_id, BudgetYear.financial_year == year.label
            )
        )
    ).first()
    if row is None:
        return False
    found = await session.exec(
        select(LedgerEntry.id).where(
            LedgerEntry.budget_year_id == row.id, LedgerEntry.kind == EntryKind.BUDGET_SET
        )
    )
    return found.first() is not None


async def _refused(
    session: AsyncSession, clock: Clock, actor: PersonProfile, action: str, entity_id: str
) -> None:
    await audit.keep_only_refusal(
        session, clock, actor_person_id=actor.person_id, action=action, entity="budget", entity_id=entity_id
    )
