"""The budget in the chat, on the agenda and in the minutes: every word about money is here.

* a community's card, and the officers' overview of every community (personal chat only), with
  charts Teams draws (``Chart.HorizontalBar.Stacked`` for the totals, ``Chart.VerticalBar.Grouped``
  drawn stacked for committed against budget per community) above the table: the table is the
  record, the charts a picture of it, and a host that cannot draw charts drops them (``fallback``)
  and still shows the table;
* the agenda's finance section (the position for the meeting's financial year and the allocations
  since the last meeting) and the minutes' allocations (what the meeting allocated and the position
  after), as pieces the agenda and minutes cards place.

Money, references, schools and reasons; never anything from a request's form.
"""

from __future__ import annotations

from collections.abc import Sequence

from cards.elements import Card, Element, card, facts, heading, subheading, text
from communities.budget.ledger import Position
from communities.budget.since import BudgetSince, Movement
from communities.budget.tables import EntryKind
from communities.budget.views import BudgetView
from communities.money import pounds
from communities.wording import counted

#: At most this many communities are drawn in the overview's chart (the most committed first);
#: every community is in the table below it.
CHART_MOST = 20
#: The most data sets Teams' chart renderer accepts in one chart (more, and the whole card fails).
CHART_DATA_SETS = 4
#: Lines of allocations per piece of an agenda (an agenda splits into cards between pieces).
MOVEMENTS_PER_PIECE = 12

OVERSPENT = "The community has committed more than its budget (an overspend approved by an officer)."


def position_facts(position: Position) -> Element:
    return facts(
        [
            ("Budget", pounds(position.budget_pence)),
            ("Committed", pounds(position.committed_pence)),
            ("Spent", pounds(position.spent_pence)),
            ("Available", pounds(position.available_pence)),
        ]
    )


def position_line(position: Position) -> str:
    """The position in one sentence (the Word export of the minutes)."""
    return (
        f"Budget {pounds(position.budget_pence)}, committed {pounds(position.committed_pence)}, "
        f"spent {pounds(position.spent_pence)}, available {pounds(position.available_pence)}."
    )


def _overspent() -> Element:
    return {**text(OVERSPENT), "color": "Attention"}


def budget_card(view: BudgetView) -> Card:
    """One community's position for the financial year, with its latest entries."""
    body: list[Element] = [heading(f"Budget {view.year}: {view.name} ({view.code})")]
    if not view.entries:
        body.append(text(f"No budget is set for {view.year} yet. Council officers load budgets from a file."))
        return card(body)
    body.append(position_facts(view.position))
    if view.position.available_pence < 0:
        body.append(_overspent())
    body.append(subheading(f"Latest entries ({counted(view.entries, 'entry', 'entries')} in all)"))
    body.append(facts([(f"{line.day}: {line.what}", line.amount) for line in view.latest]))
    body.append(
        text(
            "Committed is what allocations promise; spent is what finance has paid. A balance is never "
            "edited: every change is an entry in the ledger.",
            subtle=True,
        )
    )
    return card(body)


# ---- the officers' overview -------------------------------------------------------------------


def committed_share(position: Position) -> float:
    """How much of the budget is committed, 0 to 1 and above (an overspend); 0 with no budget."""
    return position.committed_pence / position.budget_pence if position.budget_pence > 0 else 0.0


def _percent(position: Position) -> str:
    return f"{round(committed_share(position) * 100)}% committed"


def budget_overview_card(year: str, views: Sequence[BudgetView]) -> Card:
    """Every community's position: the totals, the charts, then a line each."""
    body: list[Element] = [heading(f"Community budgets {year}")]
    if not views:
        body.append(text("There are no active communities."))
        return card(body)
    total = Position(
        sum(v.position.budget_pence for v in views),
        sum(v.position.committed_pence for v in views),
        sum(v.position.spent_pence for v in views),
    )
    body += [subheading("All communities"), position_facts(total)]
    totals, by_community = totals_chart(total), budget_chart(views)
    if totals is not None:
        body.append(totals)
    if by_community is not None:
        # Teams draws a chart's title only on some hosts: the card says it (and how many are drawn).
        body += [subheading(str(by_community["title"])), by_community]
    body.append(subheading("By community"))
    body.append(
        facts(
            [
                (
                    f"{v.name} ({v.code})",
                    f"{pounds(v.position.available_pence)} available of {pounds(v.position.budget_pence)} "
                    f"({_percent(v.position)})"
                    if v.entries
                    else "No budget set",
                )
                for v in views
            ]
        )
    )
    body.append(
        text(
            "`budget CANT1` (or another community's code) shows a community's entries; "
            "`cosbot report budgets` writes the same numbers.",
            subtle=True,
        )
    )
    return card(body)


def totals_chart(total: Position) -> Element | None:
    """Every community together as one stacked bar: spent, committed but not yet paid, available
    (``Chart.HorizontalBar.Stacked``: one data set, well within the renderer's limit)."""
    if total.budget_pence <= 0:
        return None
    unpaid = max(total.committed_pence - total.spent_pence, 0)
    segments = [
        ("Spent", total.spent_pence, "categoricalPurple"),
        ("Committed, not yet paid", unpaid, "warning"),
        ("Available", max(total.available_pence, 0), "good"),
    ]
    return {
        "type": "Chart.HorizontalBar.Stacked",
        "title": "All communities: spent, committed and available (£)",
        "data": [
            {
                "title": "All communities",
                "data": [
                    {"legend": legend, "value": _whole_pounds(pence), "color": color}
                    for legend, pence, color in segments
                ],
            }
        ],
        "fallback": "drop",
    }


def budget_chart(views: Sequence[BudgetView]) -> Element | None:
    """Committed against budget, a stacked bar per community with a budget, the most committed
    first (at most :data:`CHART_MOST`), in whole pounds; None when no community has a budget.

    Teams' chart renderer refuses a card whose chart has more than :data:`CHART_DATA_SETS` data
    sets, and a horizontal stacked chart's data sets are its bars: so the communities are the
    x axis of a ``Chart.VerticalBar.Grouped`` drawn ``stacked``, whose data sets are the series
    (committed, available and, when a community is over budget, the overspend).
    """
    charted = sorted(
        (v for v in views if v.entries and v.position.budget_pence > 0),
        key=lambda v: (-committed_share(v.position), v.code),
    )
    if not charted:
        return None
    shown = charted[:CHART_MOST]
    title = "Committed against budget by community (£), the most committed first"
    if len(charted) > len(shown):
        title += f": {len(shown)} of {len(charted)} (every one is in the table)"
    committed = [(v.code, min(v.position.committed_pence, v.position.budget_pence)) for v in shown]
    available = [(v.code, max(v.position.available_pence, 0)) for v in shown]
    over = [(v.code, max(-v.position.available_pence, 0)) for v in shown]
    series = [("Committed", committed, "warning"), ("Available", available, "good")]
    if any(pence for _, pence in over):
        series.append(("Over budget", over, "attention"))
    return {
        "type": "Chart.VerticalBar.Grouped",
        "title": title,
        "stacked": True,
        "xAxisTitle": "Community",
        "yAxisTitle": "£",
        "data": [
            {
                "legend": legend,
                "color": color,
                "values": [{"x": code, "y": _whole_pounds(pence)} for code, pence in points],
            }
            for legend, points, color in series
        ],
        "fallback": "drop",
    }


def _whole_pounds(pence: int) -> int:
    return round(pence / 100)


# ---- the agenda's finance section and the minutes' allocations --------------------------------


def movement_line(movement: Movement) -> tuple[str, str]:
    """An allocation, a change or a release as a line: what and for whom, and the amount."""
    whom = ", ".join(part for part in (movement.ref, movement.school) if part) or "No school recorded"
    if movement.kind is EntryKind.ALLOCATION:
        return whom, pounds(movement.amount_pence)
    sign = "+" if movement.amount_pence > 0 else ""
    return f"{movement.kind.label}: {whom}", sign + pounds(movement.amount_pence)


def finance_pieces(section: BudgetSince, *, itemised: bool = True) -> list[list[Element]]:
    """The agenda's section 4 in pieces that each stay whole in one card: the position, then the
    allocations since the last meeting, :data:`MOVEMENTS_PER_PIECE` lines a piece.

    The channel's copy is not ``itemised``: it gives their number and net total only, as a channel
    post names a request with its school and status, never the money agreed for it (domain.md §5);
    the chair's copy lists each one.
    """
    if section.position is None:
        return [[text(f"No budget is set for {section.year} yet.")]]
    first: list[Element] = [text(f"Financial year {section.year}:"), position_facts(section.position)]
    if section.position.available_pence < 0:
        first.append(_overspent())
    since = section.since or "the start of the financial year"
    if not section.movements:
        first.append(text(f"No allocations since {since}.", subtle=True))
        return [first]
    if not itemised:
        net = sum(m.amount_pence for m in section.movements)
        count = len(section.movements)
        first.append(
            text(
                f"Since {since}: {count} {'entry' if count == 1 else 'entries'} (allocations, changes "
                f"and releases), {pounds(net)} net. The chair has the list for the meeting."
            )
        )
        return [first]
    first.append(text(f"Allocations since {since} ({len(section.movements)}):"))
    lines = [movement_line(m) for m in section.movements]
    chunks = [lines[i : i + MOVEMENTS_PER_PIECE] for i in range(0, len(lines), MOVEMENTS_PER_PIECE)]
    return [first + [facts(chunks[0])], *[[facts(chunk)] for chunk in chunks[1:]]]


def minutes_allocations(allocated: BudgetSince | None) -> list[Element]:
    """The minutes' record of the money: each allocation the meeting made, and the position after."""
    if allocated is None or allocated.position is None:
        return [text("No money was allocated at this meeting.")]
    elements: list[Element] = [
        text(f"**Allocations made at this meeting** (financial year {allocated.year})"),
        facts([movement_line(m) for m in allocated.movements]),
        text("The community's budget after them:"),
        position_facts(allocated.position),
    ]
    if allocated.position.available_pence < 0:
        elements.append(_overspent())
    return elements
