"""The ledger's arithmetic, property-style: a position is always the sum of its entries."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from communities.budget.ledger import position, signed
from communities.budget.tables import EntryKind
from communities.budget.years import FinancialYear
from communities.money import parse_pence, pounds

amounts = st.integers(min_value=1, max_value=10**10)
entries = st.lists(st.tuples(st.sampled_from(list(EntryKind)), amounts), max_size=40)


@given(entries)
def test_each_total_is_the_signed_sum_of_its_kinds_entries(ledger: list[tuple[EntryKind, int]]) -> None:
    held = position(ledger)

    def total(*kinds: EntryKind) -> int:
        return sum(signed(kind, amount) for kind, amount in ledger if kind in kinds)

    assert held.budget_pence == total(EntryKind.BUDGET_SET, EntryKind.TOP_UP, EntryKind.ADJUSTMENT)
    assert held.committed_pence == total(
        EntryKind.ALLOCATION, EntryKind.ALLOCATION_CHANGED, EntryKind.RELEASE
    )
    assert held.spent_pence == total(EntryKind.PAYMENT, EntryKind.CLAWBACK)
    assert held.available_pence == held.budget_pence - held.committed_pence


@given(entries, entries)
def test_the_position_of_two_ledgers_is_the_sum_of_their_positions(
    first: list[tuple[EntryKind, int]], second: list[tuple[EntryKind, int]]
) -> None:
    together, a, b = position(first + second), position(first), position(second)
    assert together.budget_pence == a.budget_pence + b.budget_pence
    assert together.committed_pence == a.committed_pence + b.committed_pence
    assert together.spent_pence == a.spent_pence + b.spent_pence


@given(entries)
def test_the_order_of_entries_never_changes_the_position(ledger: list[tuple[EntryKind, int]]) -> None:
    assert position(ledger) == position(list(reversed(ledger)))


def test_a_release_gives_back_what_an_allocation_took() -> None:
    held = position(
        [(EntryKind.BUDGET_SET, 4_800_000), (EntryKind.ALLOCATION, 150_000), (EntryKind.RELEASE, 150_000)]
    )
    assert held.available_pence == 4_800_000 and held.committed_pence == 0


@given(st.integers(min_value=1, max_value=10**12))
def test_pounds_read_back_as_the_same_pence(amount: int) -> None:
    assert parse_pence(pounds(amount), most=10**12) == amount


def test_money_is_read_as_people_type_it_and_nothing_else() -> None:
    assert parse_pence("48000", most=10**10) == 4_800_000
    assert parse_pence("48,000.00", most=10**10) == 4_800_000
    assert parse_pence("£1,500.50", most=10**10) == 150_050
    for wrong in ("", "-5", "0", "0.00", "12.5", "1,50", "ten pounds", "1e6", "£"):
        try:
            parse_pence(wrong, most=10**10)
        except ValueError:
            continue
        raise AssertionError(f"{wrong!r} was read as money")
    assert pounds(-50_000) == "-£500"


def test_financial_years_run_april_to_march() -> None:
    year = FinancialYear.parse("2026-27")
    assert year == FinancialYear.parse("2026/2027") and year.label == "2026-27"
    assert str(year.starts_on) == "2026-04-01" and str(year.ends_on) == "2027-03-31"
    assert FinancialYear.of(year.ends_on) == year and FinancialYear.of(year.starts_on) == year
    for wrong in ("2026-28", "2026", "26-27", "2026-2028"):
        try:
            FinancialYear.parse(wrong)
        except ValueError:
            continue
        raise AssertionError(f"{wrong!r} was read as a financial year")
