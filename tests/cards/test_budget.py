"""The budget cards: the position in pounds, an overspend said, a community without a budget, and the
officers' overview with its chart (committed against budget) above a line per community."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from cards.agenda_cards import ENVELOPE_BYTES, MAX_CARD_BYTES, card_bytes
from cards.budget import CHART_DATA_SETS, CHART_MOST, budget_card, budget_overview_card
from communities.budget.ledger import Position
from communities.budget.views import BudgetView, EntryLine

LINE = EntryLine("3 December 2026", "Allocation: Westgate Meadow Primary School", "£1,500")


def view(code: str, position: Position, entries: int = 1) -> BudgetView:
    return BudgetView(code, f"{code} Community", "2026-27", position, (LINE,) * min(entries, 1), entries)


def facts_of(card: dict[str, object]) -> dict[str, str]:
    return {
        f["title"]: f["value"]
        for e in card["body"]  # type: ignore[attr-defined]
        if e["type"] == "FactSet"
        for f in e["facts"]
    }


def test_a_communitys_card_gives_its_position_and_says_an_overspend() -> None:
    card = budget_card(view("CANT1", Position(1_000_000, 1_100_000, 200_000), entries=3))
    shown = facts_of(card)
    assert shown["Budget"] == "£10,000" and shown["Committed"] == "£11,000" and shown["Spent"] == "£2,000"
    assert shown["Available"] == "-£1,000"
    assert "committed more than its budget" in json.dumps(card) and "3 entries in all" in json.dumps(card)
    empty = json.dumps(budget_card(view("THAN2", Position(), entries=0)))
    assert "No budget is set for 2026-27 yet" in empty and "Available" not in empty


def test_the_overview_totals_every_community_and_marks_those_without_a_budget() -> None:
    card = budget_overview_card(
        "2026-27", [view("CANT1", Position(1_000_000, 400_000, 0)), view("THAN2", Position(), entries=0)]
    )
    shown = facts_of(card)
    assert shown["Budget"] == "£10,000" and shown["Available"] == "£6,000"
    assert shown["CANT1 Community (CANT1)"] == "£6,000 available of £10,000 (40% committed)"
    assert shown["THAN2 Community (THAN2)"] == "No budget set"


def charts_of(card: dict[str, object]) -> dict[str, dict[str, Any]]:
    return {e["type"]: e for e in card["body"] if e["type"].startswith("Chart.")}  # type: ignore[attr-defined]


def test_the_overview_charts_the_totals_and_committed_against_budget_most_committed_first() -> None:
    card = budget_overview_card(
        "2026-27",
        [
            view("CANT1", Position(1_000_000, 400_000, 100_000)),
            view("MAID1", Position(2_000_000, 2_500_000, 0)),
            view("THAN2", Position(), entries=0),
            view("DOVE1", Position(1_000_000, 0, 0)),
        ],
    )
    charts = charts_of(card)
    # The shapes Teams documents: a stacked horizontal bar's data sets are bars of legend/value/color;
    # a grouped vertical bar's data sets are series of legend/color/values (x, y).
    assert charts["Chart.HorizontalBar.Stacked"]["data"] == [
        {
            "title": "All communities",
            "data": [
                {"legend": "Spent", "value": 1_000, "color": "categoricalPurple"},
                {"legend": "Committed, not yet paid", "value": 28_000, "color": "warning"},
                {"legend": "Available", "value": 11_000, "color": "good"},
            ],
        }
    ]
    by_community = charts["Chart.VerticalBar.Grouped"]
    assert by_community["stacked"] is True and by_community["fallback"] == "drop"
    assert by_community["title"] == "Committed against budget by community (£), the most committed first"
    assert by_community["data"] == [
        {
            "legend": "Committed",
            "color": "warning",
            "values": [{"x": "MAID1", "y": 20_000}, {"x": "CANT1", "y": 4_000}, {"x": "DOVE1", "y": 0}],
        },
        {
            "legend": "Available",
            "color": "good",
            "values": [{"x": "MAID1", "y": 0}, {"x": "CANT1", "y": 6_000}, {"x": "DOVE1", "y": 10_000}],
        },
        {
            "legend": "Over budget",
            "color": "attention",
            "values": [{"x": "MAID1", "y": 5_000}, {"x": "CANT1", "y": 0}, {"x": "DOVE1", "y": 0}],
        },
    ]
    # The table stays, below the charts: a line per community, in code order, the percentage committed.
    types = [e["type"] for e in card["body"]]
    assert types.index("Chart.VerticalBar.Grouped") < max(i for i, t in enumerate(types) if t == "FactSet")
    shown = facts_of(card)
    assert shown["MAID1 Community (MAID1)"] == "-£5,000 available of £20,000 (125% committed)"
    assert shown["DOVE1 Community (DOVE1)"] == "£10,000 available of £10,000 (0% committed)"


def test_no_chart_when_no_community_has_a_budget() -> None:
    card = budget_overview_card("2027-28", [view("THAN2", Position(), entries=0)])
    assert "Chart." not in json.dumps(card) and facts_of(card)["THAN2 Community (THAN2)"] == "No budget set"


def test_fifty_three_communities_fit_one_card_with_twenty_bars_and_every_line() -> None:
    views = [
        replace(
            view(f"C{n:02d}X", Position(5_000_000 + n * 1000, n * 90_000, n * 10_000), entries=3),
            name=f"The Longest Named Community of Schools in Kent number {n}",
        )
        for n in range(53)
    ]
    card = budget_overview_card("2026-27", views)
    assert card_bytes(card) < MAX_CARD_BYTES - ENVELOPE_BYTES
    charts = charts_of(card)
    # Teams' renderer refuses the whole card when a chart has more than four data sets.
    assert all(len(chart["data"]) <= CHART_DATA_SETS == 4 for chart in charts.values())
    series = charts["Chart.VerticalBar.Grouped"]["data"]
    assert all(len(s["values"]) == CHART_MOST == 20 for s in series)
    assert [v["x"] for v in series[0]["values"]][:3] == ["C52X", "C51X", "C50X"]
    assert "20 of 53 (every one is in the table)" in charts["Chart.VerticalBar.Grouped"]["title"]
    # Said on the card too, above the chart (not every host draws a chart's title).
    said = [e["text"] for e in card["body"] if e["type"] == "TextBlock"]
    assert charts["Chart.VerticalBar.Grouped"]["title"] in said
    assert len(facts_of(card)) == 4 + 53  # the totals, then a line each
