"""The agenda's section 4 with money: the position for the year and each allocation since the last
meeting (new, changed, released), on the channel's copy and the chair's; a long list splits across
cards with nothing lost."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

from cards.agenda_cards import MAX_CARD_BYTES, card_bytes, chair_agenda_cards, channel_agenda_cards
from communities.budget.ledger import Position
from communities.budget.since import BudgetSince, Movement
from communities.budget.tables import EntryKind
from tests.cards.test_agenda_cards import agenda, item

AT = datetime(2026, 12, 1, 10, tzinfo=UTC)
WESTGATE = "Westgate Meadow Primary School"


def moved(n: int, kind: EntryKind = EntryKind.ALLOCATION, pence: int = 150_000) -> Movement:
    return Movement(n, AT, kind, f"COS-CANT1-26-{n:03d}", WESTGATE, pence)


def facts_of(cards: list[dict[str, object]]) -> dict[str, str]:
    found: dict[str, str] = {}

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("type") == "FactSet":
                found.update({f["title"]: f["value"] for f in node["facts"]})
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(cards)
    return found


def test_both_copies_show_the_position_and_only_the_chairs_lists_each_allocation_change_and_release() -> None:
    budget = BudgetSince(
        "2026-27",
        Position(4_800_000, 250_000, 50_000),
        (
            moved(1),
            moved(2, pence=120_000),
            moved(1, EntryKind.ALLOCATION_CHANGED, 30_000),
            moved(2, EntryKind.RELEASE, -120_000),
        ),
        "the meeting on 11 November 2026",
    )
    channel = channel_agenda_cards(agenda((item(1),), budget=budget))
    chair = chair_agenda_cards(agenda((item(1),), budget=budget))
    for cards in (channel, chair):
        shown = facts_of(cards)
        assert shown["Budget"] == "£48,000" and shown["Committed"] == "£2,500"
        assert shown["Spent"] == "£500" and shown["Available"] == "£45,500"
        body = json.dumps(cards)
        assert "4. Finance: the community budget position" in body and "Financial year 2026-27" in body
    listed = facts_of(chair)
    assert listed[f"COS-CANT1-26-001, {WESTGATE}"] == "£1,500"
    assert listed[f"COS-CANT1-26-002, {WESTGATE}"] == "£1,200"
    assert listed[f"Allocation changed: COS-CANT1-26-001, {WESTGATE}"] == "+£300"
    assert listed[f"Allocation released: COS-CANT1-26-002, {WESTGATE}"] == "-£1,200"
    assert "Allocations since the meeting on 11 November 2026 (4)" in json.dumps(chair)
    posted = json.dumps(channel, ensure_ascii=False)
    assert (
        "Since the meeting on 11 November 2026: 4 entries (allocations, changes and releases), £1,800 net."
        in posted
    )
    assert "£1,200" not in posted and "Allocation changed" not in posted  # no money per request in a channel


def test_no_budget_no_allocations_and_an_overspend_are_said() -> None:
    none = json.dumps(channel_agenda_cards(agenda((), budget=BudgetSince("2027-28", None, ()))))
    assert "No budget is set for 2027-28 yet." in none and "Available" not in none
    quiet = json.dumps(
        channel_agenda_cards(agenda((), budget=BudgetSince("2026-27", Position(100, 0, 0), ())))
    )
    assert "No allocations since the start of the financial year." in quiet
    over = BudgetSince("2026-27", Position(100_000, 150_000, 0), (moved(1),), "the meeting on 1 May 2026")
    said = json.dumps(chair_agenda_cards(agenda((), budget=over)), ensure_ascii=False)
    assert "committed more than its budget" in said and '"value": "-£500"' in said


def test_a_long_list_of_allocations_splits_across_cards_under_the_limit_with_every_line() -> None:
    long_school = "The Very Long Named Church of England Voluntary Aided Primary School and Nursery " * 2
    lines = tuple(
        Movement(n, AT, EntryKind.ALLOCATION, f"COS-CANT1-26-{n:03d}", f"{long_school}{n}", 100_000 + n)
        for n in range(1, 241)
    )
    budget = BudgetSince("2026-27", Position(90_000_000, 24_000_000, 0), lines, "the meeting on 1 May 2026")
    cards = chair_agenda_cards(agenda((item(1),), budget=budget))
    assert len(cards) >= 2 and all(card_bytes(c) < MAX_CARD_BYTES for c in cards)
    everything = json.dumps(cards)
    assert [int(n) for n in re.findall(r"COS-CANT1-26-(\d{3}), The Very", everything)] == list(range(1, 241))
    assert "4. Finance: the community budget position (continued)" in everything
    assert "5. Requests from schools" in everything
