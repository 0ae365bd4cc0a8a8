"""Small-number suppression: the one place that decides which counts a report may show.

A count from 1 to 4 could identify a child in a community of a dozen schools, so it is never shown:
it reads "fewer than 5" (*primary* suppression). A zero is shown: it identifies nobody, and hiding
zeros too would blank most of a small community's table without protecting anyone.

Hiding the small cells is not enough when totals are shown: a row total less the cells shown gives
the one hidden cell back. So every *line* of the table (a row with its total, a column of a group
of rows with their subtotal) is checked: if what is shown lets any hidden cell of the line be worked
out exactly (knowing that a "fewer than 5" is 1 to 4 and a "not shown" is 0 or more), another cell of
the line is hidden as well (*secondary* suppression, "not shown"): of the cells the line shows, the
one after which the fewest cells end up hidden (on a tie the smallest non-zero one, then a zero,
then the line's total); when the line shows none, a "fewer than 5" becomes "not shown" (four
"fewer than 5" adding up to a "fewer than 5" are all 1). This repeats until no line gives anything
away. Then all the sums are solved together (:func:`pinned`: a hidden count can be fixed by several
lines at once, e.g. an area with one community, whose row equals the community's, and the column
totals), and while one is fixed, a cell shown beside it is hidden too. Combining the 1-to-4 bounds
across several lines is not modelled.

Pure: values in, a state per value out. The card and the CSV both show what :func:`protect` decides.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

#: Counts below this (and above 0) are never shown.
THRESHOLD = 5


class Shown(StrEnum):
    SHOWN = "shown"
    #: 1 to 4: "fewer than 5".
    FEWER = "fewer"
    #: Hidden so that a small count cannot be worked out from the totals.
    HIDDEN = "hidden"


@dataclass(frozen=True)
class Line:
    """The cells ``parts`` (indexes into the values) add up to the cell ``total``."""

    parts: tuple[int, ...]
    total: int


def protect(values: Sequence[int], lines: Sequence[Line]) -> list[Shown]:
    """What each count may show, given the lines of sums the table shows."""
    if any(value < 0 for value in values):
        raise ValueError("a count cannot be negative")
    states = [Shown.FEWER if 0 < value < THRESHOLD else Shown.SHOWN for value in values]
    states = _close(values, lines, states, lookahead=True)
    while fixed := pinned(lines, states):
        options = _shown_beside(fixed[0], lines, values, states)
        if not options:
            break
        pick = min(options, key=lambda c: (_hidden_after(values, lines, states, c), options.index(c)))
        states[pick] = Shown.HIDDEN
        states = _close(values, lines, states, lookahead=True)
    return states


#: Elimination is done modulo this prime: the sums' coefficients are 0 and ±1, and with a prime this
#: large the ranks agree with exact rational arithmetic, at integer speed.
_PRIME = (1 << 61) - 1


def pinned(lines: Sequence[Line], states: Sequence[Shown]) -> list[int]:
    """The hidden cells whose value all the lines' sums, taken together, fix (linear algebra only).

    A hidden cell is fixed when its unit vector lies in the span of the sums restricted to the
    hidden cells, i.e. when the fully reduced system has a row with that cell alone.
    """
    reduced: dict[int, dict[int, int]] = {}  # pivot cell -> its row, pivot coefficient 1
    for line in lines:
        row: dict[int, int] = {}
        for cell, sign in [(i, 1) for i in line.parts] + [(line.total, -1)]:
            if states[cell] is not Shown.SHOWN:
                row[cell] = (row.get(cell, 0) + sign) % _PRIME
        row = {cell: c for cell, c in row.items() if c}
        while pivot_cells := [cell for cell in row if cell in reduced]:
            cell = pivot_cells[0]
            row = _minus(row, row[cell], reduced[cell])
        if not row:
            continue
        lead = min(row)
        inverse = pow(row[lead], _PRIME - 2, _PRIME)
        row = {cell: c * inverse % _PRIME for cell, c in row.items()}
        for cell, other in list(reduced.items()):
            if lead in other:
                reduced[cell] = _minus(other, other[lead], row)
        reduced[lead] = row
    return sorted(cell for cell, row in reduced.items() if len(row) == 1)


def _minus(row: dict[int, int], factor: int, other: dict[int, int]) -> dict[int, int]:
    result = dict(row)
    for cell, c in other.items():
        value = (result.get(cell, 0) - factor * c) % _PRIME
        if value:
            result[cell] = value
        else:
            result.pop(cell, None)
    return result


def _shown_beside(
    cell: int, lines: Sequence[Line], values: Sequence[int], states: Sequence[Shown]
) -> list[int]:
    """Shown cells to hide so that ``cell`` is no longer fixed: those of its lines, else those of
    any line with a hidden cell."""
    for near in (True, False):
        options = [
            candidate
            for line in lines
            if (cell in line.parts or cell == line.total)
            or (not near and any(states[i] is not Shown.SHOWN for i in (*line.parts, line.total)))
            for candidate in _candidates(line, values, states)
            if states[candidate] is Shown.SHOWN
        ]
        if options:
            return list(dict.fromkeys(options))
    return []


def _close(
    values: Sequence[int], lines: Sequence[Line], states: list[Shown], *, lookahead: bool
) -> list[Shown]:
    """Hide cells until no line gives one away. Each time, the cell hidden is the one of the line
    after which the fewest cells end up hidden (``lookahead``), else the first of :func:`_candidates`."""
    changed = True
    while changed:
        changed = False
        for line in lines:
            if not gives_away(line, values, states):
                continue
            candidates = _candidates(line, values, states)
            if not candidates:
                continue
            pick = candidates[0]
            if lookahead and len(candidates) > 1:
                pick = min(
                    candidates, key=lambda c: (_hidden_after(values, lines, states, c), candidates.index(c))
                )
            states[pick] = Shown.HIDDEN
            changed = True
    return states


def _hidden_after(values: Sequence[int], lines: Sequence[Line], states: Sequence[Shown], pick: int) -> int:
    trial = list(states)
    trial[pick] = Shown.HIDDEN
    return sum(state is not Shown.SHOWN for state in _close(values, lines, trial, lookahead=False))


def bounds(state: Shown, value: int) -> tuple[float, float]:
    """What a reader knows of a cell from what it shows."""
    if state is Shown.SHOWN:
        return value, value
    if state is Shown.FEWER:
        return 1, THRESHOLD - 1
    return 0, math.inf


def gives_away(line: Line, values: Sequence[int], states: Sequence[Shown]) -> bool:
    """Whether what the line shows pins any of its hidden cells to one value."""
    terms = [(index, 1) for index in line.parts] + [(line.total, -1)]
    hidden = [(i, sign) for i, sign in terms if states[i] is not Shown.SHOWN]
    if not hidden:
        return False
    if len(hidden) == 1:
        return True
    # sum(sign * x) over the hidden cells equals what the shown ones leave over.
    rest = -sum(sign * values[i] for i, sign in terms if states[i] is Shown.SHOWN)
    for i, sign in hidden:
        low, high = 0.0, 0.0  # the others' sum(sign * x)
        for j, other in hidden:
            if j == i:
                continue
            lo, hi = bounds(states[j], values[j])
            low, high = (low + lo, high + hi) if other > 0 else (low - hi, high - lo)
        # sign * x_i = rest - others
        least, most = (rest - high, rest - low) if sign > 0 else (low - rest, high - rest)
        lo, hi = bounds(states[i], values[i])
        least, most = max(least, lo), min(most, hi)
        if least == most:
            return True
    return False


def _candidates(line: Line, values: Sequence[int], states: Sequence[Shown]) -> list[int]:
    """The line's shown cells, in the order to hide them: the smallest non-zero part first, then
    the zeros, then the total. When nothing is shown, the "fewer than 5" cells, the total first:
    1 + 1 + 1 = "fewer than 5" gives every one away, so one of them says "not shown" instead."""
    shown = [i for i in line.parts if states[i] is Shown.SHOWN]
    shown.sort(key=lambda i: (values[i] == 0, values[i], i))
    shown += [line.total] if states[line.total] is Shown.SHOWN else []
    if shown:
        return shown
    return [i for i in (line.total, *line.parts) if states[i] is Shown.FEWER]
