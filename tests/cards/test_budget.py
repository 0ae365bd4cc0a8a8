"""The budget cards: the position in pounds, an overspend said, and a community without a budget."""

from __future__ import annotations

import json

from cards.budget import budget_card, budget_overview_card
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
