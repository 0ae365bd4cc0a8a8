"""Small-number suppression on purpose-built tables: no count from 1 to 4 is shown, and no shown
total lets a hidden count be worked back."""

from __future__ import annotations

import math
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from communities.reporting.grid import ALL, Areas, CountTable, area_key, count_table
from communities.reporting.suppression import Line, Shown, protect

COLUMNS = [("a", "A"), ("b", "B"), ("c", "C")]


def shown(table: CountTable, key: str) -> list[str]:
    return [str(count) for count in table.row(key)]


def test_a_row_total_less_the_shown_cells_does_not_give_back_the_small_one() -> None:
    # One community: 12, 3, 9 (total 24). Hiding only the 3 would leave 24 - 12 - 9 = 3.
    areas = Areas((("East", ("CANT1",)),))
    table = count_table(areas, COLUMNS, {"CANT1": [12, 3, 9]}, totalled=True)
    row = shown(table, "CANT1")
    assert row[1] == "fewer than 5"
    assert row.count("not shown") >= 1, row  # a second cell (or the total) is hidden too
    assert "3" not in row


def test_a_column_of_communities_and_their_area_is_protected_as_well() -> None:
    # Two communities in East: B is 2 in CANT1 and 10 in THAN2, so East's B is 12: shown alone,
    # 12 - 10 would give back CANT1's 2.
    areas = Areas((("East", ("CANT1", "THAN2")),))
    table = count_table(areas, COLUMNS, {"CANT1": [20, 2, 30], "THAN2": [15, 10, 25]}, totalled=True)
    b = [table.row(key)[1] for key in ("CANT1", "THAN2", area_key("East"))]
    assert str(b[0]) == "fewer than 5"
    assert sum(1 for count in b if count.shown is not Shown.SHOWN) >= 2
    assert_nothing_recoverable(table, areas)


def test_zero_shows_as_zero_and_big_numbers_as_themselves() -> None:
    areas = Areas((("East", ("CANT1", "THAN2")),))
    table = count_table(areas, COLUMNS, {"CANT1": [0, 7, 9], "THAN2": [0, 8, 6]}, totalled=True)
    assert shown(table, "CANT1") == ["0", "7", "9", "16"]
    assert shown(table, ALL) == ["0", "15", "15", "30"]


def test_an_area_of_one_community_and_the_column_totals_together_do_not_give_back_a_count() -> None:
    # Found by the property test below: each area has one community, so its row repeats the
    # community's; no line alone pins a hidden count, but the rows and columns together fixed
    # Area 2's (and C20's) first count at 2.
    areas = Areas((("Area 0", ("C00",)), ("Area 1", ("C10",)), ("Area 2", ("C20",))))
    counts = {"C00": [1, 0, 0], "C10": [2, 0, 0], "C20": [2, 1, 2]}
    table = count_table(areas, COLUMNS, counts, totalled=True)
    assert str(table.row("C20")[0]) == "fewer than 5"
    assert recoverable_by_all_sums(table, areas) == []


def test_two_ones_that_add_up_to_two_are_not_both_given_away() -> None:
    # A line 1 + 1 = 2 with both cells "fewer than 5" and the total shown would pin both to 1.
    states = protect([1, 1, 2], [Line((0, 1), 2)])
    assert states[2] is not Shown.SHOWN


def test_a_negative_count_is_refused() -> None:
    try:
        protect([-1], [])
    except ValueError:
        return
    raise AssertionError("a negative count was accepted")


# ---- the property: whatever the numbers, no line gives a hidden cell away ---------------------


def known(count_shown: Shown, value: int) -> tuple[float, float]:
    """What a reader knows of a cell from the words on the card (written apart from the module)."""
    return {
        Shown.SHOWN: (value, value),
        Shown.FEWER: (1, 4),
        Shown.HIDDEN: (0, math.inf),
    }[count_shown]


def line_pins(cells: list[tuple[Shown, int, int]]) -> list[int]:
    """Which hidden cells of ``sum(sign * x) == 0`` the shown ones pin to one value (by bounds)."""
    pinned = []
    leftover = -sum(sign * value for state, value, sign in cells if state is Shown.SHOWN)
    hidden = [(n, c) for n, c in enumerate(cells) if c[0] is not Shown.SHOWN]
    for n, (state, value, sign) in hidden:
        low = high = 0.0
        for m, (other_state, other_value, other_sign) in hidden:
            if m != n:
                lo, hi = known(other_state, other_value)
                low, high = (low + lo, high + hi) if other_sign > 0 else (low - hi, high - lo)
        least, most = (leftover - high, leftover - low) if sign > 0 else (low - leftover, high - leftover)
        lo, hi = known(state, value)
        if max(least, lo) == min(most, hi):
            pinned.append(n)
    return pinned


def assert_nothing_recoverable(table: CountTable, areas: Areas) -> None:
    width = len(table.columns)
    keys = areas.row_keys()
    lines: list[tuple[list[str], str, int]] = []  # (part rows, total row, column) or row lines
    for key in keys:
        row = table.row(key)
        for count in row:
            assert not (0 < count.value < 5 and count.shown is Shown.SHOWN), (key, row)
        if table.totalled:
            cells = [(c.shown, c.value, 1) for c in row[:-1]] + [(row[-1].shown, row[-1].value, -1)]
            assert not line_pins(cells), (key, [str(c) for c in row])
    for column in range(width):
        groups = [(list(codes), area_key(name)) for name, codes in areas.areas]
        groups.append(([area_key(name) for name, _ in areas.areas], ALL))
        for parts, total in groups:
            cells = [(table.row(k)[column].shown, table.row(k)[column].value, 1) for k in parts]
            cells.append((table.row(total)[column].shown, table.row(total)[column].value, -1))
            assert not line_pins(cells), (parts, total, column, [c[:2] for c in cells])
    del lines


small_counts = st.integers(min_value=0, max_value=12)


@st.composite
def tables(draw: st.DrawFn) -> tuple[Areas, dict[str, list[int]], int, bool]:
    width = draw(st.integers(min_value=1, max_value=4))
    area_count = draw(st.integers(min_value=1, max_value=3))
    areas = []
    counts: dict[str, list[int]] = {}
    for a in range(area_count):
        codes = tuple(f"C{a}{n}" for n in range(draw(st.integers(min_value=1, max_value=4))))
        for code in codes:
            counts[code] = draw(st.lists(small_counts, min_size=width, max_size=width))
        areas.append((f"Area {a}", codes))
    return Areas(tuple(areas)), counts, width, draw(st.booleans())


@settings(max_examples=300, deadline=None)
@given(tables())
def test_no_row_or_column_total_gives_back_a_suppressed_count(
    drawn: tuple[Areas, dict[str, list[int]], int, bool],
) -> None:
    areas, counts, width, totalled = drawn
    columns = [(f"k{n}", f"K{n}") for n in range(width)]
    table = count_table(areas, columns, counts, totalled=totalled)
    assert_nothing_recoverable(table, areas)
    # And the table is the sum it says it is, suppressed or not.
    for n in range(width):
        assert table.row(ALL)[n].value == sum(counts[c][n] for _, codes in areas.areas for c in codes)


def recoverable_by_all_sums(table: CountTable, areas: Areas) -> list[tuple[str, int]]:
    """The hidden cells that every sum the table shows, taken together, pins to one value (exact
    linear algebra over the fractions: a cell is pinned when its unit vector is a combination of
    the sums' rows, restricted to the hidden cells)."""
    keys, width = areas.row_keys(), len(table.columns)
    hidden = [(k, c) for k in keys for c in range(width) if table.row(k)[c].shown is not Shown.SHOWN]
    place = {cell: n for n, cell in enumerate(hidden)}
    sums: list[list[Fraction]] = []

    def add(parts: list[tuple[str, int]], total: tuple[str, int]) -> None:
        row = [Fraction(0)] * len(hidden)
        for cell in parts:
            if cell in place:
                row[place[cell]] += 1
        if total in place:
            row[place[total]] -= 1
        if any(row):
            sums.append(row)

    if table.totalled:
        for key in keys:
            add([(key, c) for c in range(width - 1)], (key, width - 1))
    for c in range(width):
        for name, codes in areas.areas:
            add([(code, c) for code in codes], (area_key(name), c))
        add([(area_key(name), c) for name, _ in areas.areas], (ALL, c))
    reduced, rank = [list(row) for row in sums], 0
    for column in range(len(hidden)):
        pivot = next((i for i in range(rank, len(reduced)) if reduced[i][column]), None)
        if pivot is None:
            continue
        reduced[rank], reduced[pivot] = reduced[pivot], reduced[rank]
        lead = reduced[rank][column]
        reduced[rank] = [x / lead for x in reduced[rank]]
        for i, row in enumerate(reduced):
            if i != rank and row[column]:
                factor = row[column]
                reduced[i] = [a - factor * b for a, b in zip(row, reduced[rank], strict=True)]
        rank += 1
    pinned = []
    for row in reduced[:rank]:
        nonzero = [i for i, x in enumerate(row) if x]
        if len(nonzero) == 1:
            pinned.append(hidden[nonzero[0]])
    return pinned


@settings(max_examples=200, deadline=None)
@given(tables())
def test_all_the_sums_together_do_not_give_back_a_hidden_count(
    drawn: tuple[Areas, dict[str, list[int]], int, bool],
) -> None:
    areas, counts, width, totalled = drawn
    table = count_table(areas, [(f"k{n}", f"K{n}") for n in range(width)], counts, totalled=totalled)
    assert not recoverable_by_all_sums(table, areas)
