"""The ledger's arithmetic: a position is the sum of its entries, nothing else. Pure functions.

* the budget is what was set, plus top-ups and adjustments (an adjustment may be negative);
* committed is what allocations promise: allocations, plus their changes, less what was released;
* spent is what finance paid, less clawbacks;
* available is the budget less what is committed (spent money was committed first).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from communities.budget.tables import EntryKind

_BUDGET = {EntryKind.BUDGET_SET, EntryKind.TOP_UP, EntryKind.ADJUSTMENT}
_COMMITTED = {EntryKind.ALLOCATION, EntryKind.ALLOCATION_CHANGED, EntryKind.RELEASE}
_SPENT = {EntryKind.PAYMENT, EntryKind.CLAWBACK}


@dataclass(frozen=True)
class Position:
    budget_pence: int = 0
    committed_pence: int = 0
    spent_pence: int = 0

    @property
    def available_pence(self) -> int:
        return self.budget_pence - self.committed_pence


def signed(kind: EntryKind, amount_pence: int) -> int:
    """An entry's amount as it moves its total: releases and clawbacks take away."""
    return -amount_pence if kind in (EntryKind.RELEASE, EntryKind.CLAWBACK) else amount_pence


def position(entries: Iterable[tuple[EntryKind, int]]) -> Position:
    """The position of ``(kind, amount_pence)`` entries, as stored."""
    budget = committed = spent = 0
    for kind, amount in entries:
        moved = signed(kind, amount)
        if kind in _BUDGET:
            budget += moved
        elif kind in _COMMITTED:
            committed += moved
        elif kind in _SPENT:
            spent += moved
    return Position(budget, committed, spent)
