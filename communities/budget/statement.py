"""A community's whole ledger for a year, as finance and the officers read it: every entry with its
kind, amount, school, outcome reference, reason, who recorded it and when; an allocation with what
is paid and unpaid. Money, schools and references only: never anything from a request's form.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession

from communities.budget.ledger import Position
from communities.budget.service import allocation_promised, allocation_unpaid, entries_of, position_of
from communities.budget.tables import EntryKind, LedgerEntry
from communities.budget.years import FinancialYear
from communities.meetings.tables import local
from communities.money import pounds
from communities.outcomes.tables import Outcome
from communities.requests.tables import Request
from communities.roster.tables import Community, Person, School


@dataclass(frozen=True)
class StatementLine:
    entry_id: int
    kind: EntryKind
    amount: str
    school: str | None
    #: The request reference of the outcome that agreed it (allocations and what follows them).
    ref: str | None
    reason: str
    #: Who recorded it (or the file it was imported from).
    by: str
    #: "3 December 2026 14:05"
    when: str
    #: For a payment: the day paid and finance's reference.
    paid_on: str | None = None
    reference: str | None = None
    #: For an allocation: what it still promises, and what of that is not yet paid (pence).
    promised_pence: int | None = None
    unpaid_pence: int | None = None

    @property
    def is_allocation(self) -> bool:
        return self.kind is EntryKind.ALLOCATION

    @property
    def paid_state(self) -> str:
        """'Unpaid', 'Paid' or '£500 paid, £1,000 unpaid' (allocations only)."""
        if self.promised_pence is None or self.unpaid_pence is None:
            return ""
        paid = self.promised_pence - self.unpaid_pence
        if self.unpaid_pence <= 0:
            return "Paid in full" if paid > 0 else "Released"
        if paid <= 0:
            return f"Unpaid ({pounds(self.unpaid_pence)})"
        return f"{pounds(paid)} paid, {pounds(self.unpaid_pence)} unpaid"


@dataclass(frozen=True)
class Statement:
    community_id: int
    code: str
    name: str
    year: str
    position: Position
    #: Whether a budget has been set for the year (any entry at all).
    budget_set: bool
    lines: tuple[StatementLine, ...]


async def statement(session: AsyncSession, community: Community, year: FinancialYear) -> Statement:
    assert community.id is not None
    entries = await entries_of(session, community.id, year)
    by_id = {e.id: e for e in entries}
    lines = [await _line(session, entry, by_id) for entry in entries]
    return Statement(
        community.id,
        community.code,
        community.name,
        year.label,
        await position_of(session, community.id, year),
        bool(entries),
        tuple(lines),
    )


async def _line(
    session: AsyncSession, entry: LedgerEntry, by_id: dict[int | None, LedgerEntry]
) -> StatementLine:
    assert entry.id is not None
    school = await session.get(School, entry.school_id) if entry.school_id is not None else None
    allocation = entry if entry.kind == EntryKind.ALLOCATION else by_id.get(entry.allocation_id)
    outcome_id = entry.outcome_id or (allocation.outcome_id if allocation is not None else None)
    ref = None
    if outcome_id is not None:
        outcome = await session.get(Outcome, outcome_id)
        request = await session.get(Request, outcome.request_id) if outcome is not None else None
        ref = request.ref if request is not None else None
    who = await session.get(Person, entry.recorded_by_person_id) if entry.recorded_by_person_id else None
    day = local(entry.recorded_at)
    promised = unpaid = None
    if entry.kind == EntryKind.ALLOCATION:
        promised = await allocation_promised(session, entry)
        unpaid = await allocation_unpaid(session, entry)
    return StatementLine(
        entry_id=entry.id,
        kind=EntryKind(entry.kind),
        amount=pounds(entry.amount_pence),
        school=school.name if school is not None else None,
        ref=ref,
        reason=entry.reason or (entry.source if entry.kind != EntryKind.PAYMENT else ""),
        by=who.display_name if who is not None else (entry.source or "Imported"),
        when=f"{day.day} {day:%B %Y} {day:%H:%M}",
        paid_on=f"{entry.paid_on.day} {entry.paid_on:%B %Y}" if entry.paid_on else None,
        reference=entry.reference,
        promised_pence=promised,
        unpaid_pence=unpaid,
    )
