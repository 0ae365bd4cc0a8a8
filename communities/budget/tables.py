"""The budget's tables: one row per community and financial year, and the ledger's entries.

A balance is never stored or edited: every change is an entry, and the position is their sum
(:mod:`communities.budget.ledger`). The year's row holds no money; it is what a writer locks
(its ``version`` goes up with each entry), so that two allocations at the same moment are made
one after the other and cannot overspend between them.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Column, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from communities.sqltypes import UtcDateTime


class EntryKind(StrEnum):
    #: The year's budget, first set (from the import or by an officer).
    BUDGET_SET = "budget_set"
    #: More money for the year, with a reason.
    TOP_UP = "top_up"
    #: A correction of the budget, up or down, with a reason (an import with a changed amount).
    ADJUSTMENT = "adjustment"
    #: Money committed to a school when an outcome agrees funding.
    ALLOCATION = "allocation"
    #: An allocation changed (an outcome varied): up or down.
    ALLOCATION_CHANGED = "allocation_changed"
    #: An allocation released (withdrawn, or not needed): the money is available again.
    RELEASE = "release"
    #: A payment recorded by finance against an allocation.
    PAYMENT = "payment"
    #: Money paid and taken back.
    CLAWBACK = "clawback"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    EntryKind.BUDGET_SET: "Budget set",
    EntryKind.TOP_UP: "Top-up",
    EntryKind.ADJUSTMENT: "Adjustment",
    EntryKind.ALLOCATION: "Allocation",
    EntryKind.ALLOCATION_CHANGED: "Allocation changed",
    EntryKind.RELEASE: "Allocation released",
    EntryKind.PAYMENT: "Payment",
    EntryKind.CLAWBACK: "Clawback",
}


class BudgetYear(SQLModel, table=True):
    """A community's budget for one financial year: the ledger's owner and its lock."""

    __tablename__ = "budget_year"
    __table_args__ = (UniqueConstraint("community_id", "financial_year", name="uq_budget_year"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    #: ``2026-27``
    financial_year: str = Field(max_length=7)
    #: Goes up with every entry: taken first by each writer, it orders them.
    version: int = 0
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


class LedgerEntry(SQLModel, table=True):
    """One movement of money. ``amount_pence`` is signed as it moves the budget, the committed or
    the spent total (see :func:`communities.budget.ledger.position`); it is never edited."""

    __tablename__ = "ledger_entry"

    id: int | None = Field(default=None, primary_key=True)
    budget_year_id: int = Field(foreign_key="budget_year.id", index=True)
    kind: EntryKind = Field(sa_type=String(24))
    amount_pence: int
    reason: str = Field(default="", max_length=500)
    #: The allocation a change, release, payment or clawback is about.
    allocation_id: int | None = Field(default=None, foreign_key="ledger_entry.id", index=True)
    #: For an allocation: the school it goes to, and the outcome that agreed it.
    school_id: int | None = Field(default=None, foreign_key="school.id")
    outcome_id: int | None = Field(default=None, foreign_key="outcome.id")
    #: For a payment: finance's reference and the day it was paid.
    reference: str | None = Field(default=None, max_length=100)
    paid_on: date | None = None
    #: Who recorded it (None: an import from a file, named in ``source``).
    recorded_by_person_id: int | None = Field(default=None, foreign_key="person.id")
    source: str = Field(default="", max_length=200)
    recorded_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
