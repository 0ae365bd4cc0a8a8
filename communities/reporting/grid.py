"""A table of counts over the places a report covers, suppressed as one (:mod:`.suppression`).

The rows are the communities, each area (the sum of its communities) and all areas together (the
sum of the areas); the columns are categories and, for a table whose categories cover every case,
their total. Every sum the table shows is a :class:`~.suppression.Line`, so a cell hidden in a
community cannot be worked back from its area, nor an area's from all areas.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from communities.reporting.suppression import Line, Shown, protect
from communities.reporting.words import FEWER_THAN_5, NOT_SHOWN

#: The key of the row of all areas together; an area's row is ``area:<name>``.
ALL = "all"


def area_key(name: str) -> str:
    return f"area:{name}"


@dataclass(frozen=True)
class Count:
    value: int
    shown: Shown

    @property
    def visible(self) -> int | None:
        """The number, when it may be shown."""
        return self.value if self.shown is Shown.SHOWN else None

    def __str__(self) -> str:
        if self.shown is Shown.FEWER:
            return FEWER_THAN_5
        if self.shown is Shown.HIDDEN:
            return NOT_SHOWN
        return str(self.value)


@dataclass(frozen=True)
class Areas:
    """The areas in order, each with its communities' codes in order."""

    areas: tuple[tuple[str, tuple[str, ...]], ...]

    def row_keys(self) -> list[str]:
        keys = [ALL]
        for name, codes in self.areas:
            keys += [area_key(name), *codes]
        return keys


@dataclass(frozen=True)
class CountTable:
    #: (key, label) per column, the total last when ``totalled``.
    columns: tuple[tuple[str, str], ...]
    totalled: bool
    rows: Mapping[str, tuple[Count, ...]]

    def row(self, key: str) -> tuple[Count, ...]:
        return self.rows[key]


def count_table(
    areas: Areas,
    columns: Sequence[tuple[str, str]],
    counts: Mapping[str, Sequence[int]],
    *,
    totalled: bool,
    total: tuple[str, str] = ("total", "Total"),
) -> CountTable:
    """``counts`` per community code, a number per column (a community left out counts 0)."""
    width = len(columns)
    base: dict[str, list[int]] = {}
    everything = [0] * width
    for name, codes in areas.areas:
        area = [0] * width
        for code in codes:
            mine = list(counts.get(code, [0] * width))
            base[code] = mine
            area = [a + b for a, b in zip(area, mine, strict=True)]
        base[area_key(name)] = area
        everything = [a + b for a, b in zip(everything, area, strict=True)]
    base[ALL] = everything
    if totalled:
        base = {key: [*row, sum(row)] for key, row in base.items()}
    keys = areas.row_keys()
    cells = len(base[ALL])
    index = {key: n * cells for n, key in enumerate(keys)}
    values = [value for key in keys for value in base[key]]
    lines: list[Line] = []
    if totalled:
        lines += [Line(tuple(range(index[k], index[k] + width)), index[k] + width) for k in keys]
    for column in range(cells):
        for name, codes in areas.areas:
            lines.append(Line(tuple(index[c] + column for c in codes), index[area_key(name)] + column))
        lines.append(
            Line(tuple(index[area_key(name)] + column for name, _ in areas.areas), index[ALL] + column)
        )
    states = protect(values, lines)
    rows = {
        key: tuple(Count(values[index[key] + c], states[index[key] + c]) for c in range(cells))
        for key in keys
    }
    return CountTable((*columns, total) if totalled else tuple(columns), totalled, rows)
