"""The officers' report card: the place chosen, the charts Teams draws (small counts left out and
said so), the suppressed words in the lines, the date pickers and the choice of place."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from cards.budget import CHART_DATA_SETS
from cards.elements import Card
from cards.reporting.card import FROM_FIELD, PLACE_FIELD, TO_FIELD, report_card
from communities.budget.ledger import Position
from communities.reporting.grid import ALL, Areas, area_key, count_table
from communities.reporting.report import Median, Report, Row
from communities.reporting.words import DECISION_GROUPS, NEED_GROUPS, OVERDUE_GROUPS, STATUS_GROUPS, TOTAL

AREAS = Areas((("East", ("CANT1", "THAN2")), ("West", ("MAID1",))))
ROWS = (
    Row(ALL, "All areas", "all"),
    Row(area_key("East"), "East", "area", area="East"),
    Row("CANT1", "Canterbury City Community (CANT1)", "community", area="East", code="CANT1"),
    Row("THAN2", "Thanet Coast Community (THAN2)", "community", area="East", code="THAN2"),
    Row(area_key("West"), "West", "area", area="West"),
    Row("MAID1", "Maidstone Town Community (MAID1)", "community", area="West", code="MAID1"),
)


def report() -> Report:
    def table(groups: Any, counts: dict[str, list[int]], totalled: bool = True) -> Any:
        return count_table(AREAS, [(g[0], g[1]) for g in groups], counts, totalled=totalled, total=TOTAL)

    needs = {"CANT1": [9, 3, 12, 0, 0], "THAN2": [6, 7, 8, 5, 0], "MAID1": [10, 11, 6, 5, 2]}
    statuses = {code: [sum(row), 0, 0, 0, 0] for code, row in needs.items()}
    positions = {
        "CANT1": Position(4_800_000, 1_500_000, 0),
        "THAN2": Position(3_650_000, 3_700_000, 0),
        "MAID1": Position(5_200_000, 0, 0),
    }
    positions[area_key("East")] = Position(8_450_000, 5_200_000, 0)
    positions[area_key("West")] = positions["MAID1"]
    positions[ALL] = Position(13_650_000, 5_200_000, 0)
    return Report(
        start=date(2026, 9, 1),
        end=date(2026, 12, 7),
        today=date(2026, 12, 7),
        financial_year="2026-27",
        rows=ROWS,
        by_status=table(STATUS_GROUPS, statuses),
        by_need=table(NEED_GROUPS, needs),
        by_decision=table(DECISION_GROUPS, {"CANT1": [6, 0, 0, 0, 0]}),
        overdue=table(OVERDUE_GROUPS, {"THAN2": [2, 0, 0]}, totalled=False),
        median={row.key: Median(12.5 if row.key != "MAID1" else None) for row in ROWS},
        funding=positions,
    )


def demo() -> Card:
    """The card for all areas, for the routing table's check of every card and button."""
    return report_card(report())


def charts(card: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for e in card["body"] if str(e["type"]).startswith("Chart.")]


def test_all_areas_shows_a_line_per_area_and_the_charts_by_area() -> None:
    card = report_card(report())
    shown = json.dumps(card, ensure_ascii=False)
    assert card["body"][0]["text"] == "Report: All areas"
    assert "From 1 September 2026 to 7 December 2026" in shown
    needs, money = charts(card)
    assert [e["x"] for e in needs["data"][0]["values"]] == ["East", "West"]
    assert len(needs["data"]) <= CHART_DATA_SETS and needs["fallback"] == "drop"
    assert [d["legend"] for d in money["data"]] == ["Committed", "Available"]
    assert '"title": "East", "value": "With the chair: ' in shown
    assert "Median calendar days from submission to decision" in shown and "12.5 days" in shown
    assert "£52,000 committed of £136,500" in shown
    assert "fewer than 5" in shown and "The charts leave out counts" in shown


def test_an_area_shows_its_communities_and_leaves_small_counts_out_of_the_chart() -> None:
    built = report()
    card = report_card(built, area_key("East"))
    assert card["body"][0]["text"] == "Report: East area"
    needs, money = charts(card)
    # CANT1 has 3 with cognition and learning needs, so neither community's count of them is
    # shown (East's 10 would give one from the other): no bar is drawn for them.
    assert "Cognition and learning" not in [d["legend"] for d in needs["data"]]
    assert [v["x"] for v in needs["data"][0]["values"]] == ["CANT1", "THAN2"]
    for series in needs["data"]:
        for value in series["values"]:
            key = next(k for k, _ in NEED_GROUPS if series["legend"] == dict(NEED_GROUPS)[k])
            column = [k for k, _ in built.by_need.columns].index(key)
            count = built.by_need.row(value["x"])[column]
            assert str(count) == str(value["y"])  # a number the table shows, never a suppressed one
    # THAN2 is over budget: the chart shows by how much.
    assert [d["legend"] for d in money["data"]] == ["Committed", "Available", "Over budget"]
    assert [v["y"] for v in money["data"][2]["values"]] == [0, 500]
    shown = json.dumps(card, ensure_ascii=False)
    assert "Thanet Coast Community (THAN2)" in shown and "Maidstone" not in shown.split('"choices"')[0]


def test_a_community_shows_its_line_beside_its_areas() -> None:
    card = report_card(report(), "MAID1")
    assert card["body"][0]["text"] == "Report: Maidstone Town Community (MAID1)"
    shown = json.dumps(card, ensure_ascii=False)
    assert "fewer than 5 decided" in shown  # MAID1's median, over fewer than 5 requests


def test_the_card_offers_the_dates_and_every_place_and_says_what_was_wrong() -> None:
    card = report_card(report(), "NOWHERE", problem="“31/02” is not a date")
    assert card["body"][0]["text"] == "Report: All areas"  # an unknown place: all areas
    inputs = {e["id"]: e for e in _inputs(card["body"])}
    assert inputs[FROM_FIELD]["type"] == "Input.Date" and inputs[FROM_FIELD]["value"] == "2026-09-01"
    assert inputs[TO_FIELD]["value"] == "2026-12-07"
    assert [c["value"] for c in inputs[PLACE_FIELD]["choices"]] == [row.key for row in ROWS]
    assert any(e.get("color") == "Attention" and "not a date" in e["text"] for e in card["body"])


def _inputs(elements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found = []
    for element in elements:
        if str(element.get("type", "")).startswith("Input."):
            found.append(element)
        for column in element.get("columns", []):
            found += _inputs(column["items"])
    return found


def county(per_area: int = 14) -> Report:
    """Kent's size: four areas, 53 communities, busy ones (few zeros), the longest names."""
    sizes = (per_area, per_area, per_area, 53 - 3 * per_area)
    names = ("North", "South", "East", "West")
    areas = Areas(
        tuple(
            (n, tuple(f"{n[:4].upper()}{i + 1}" for i in range(k))) for n, k in zip(names, sizes, strict=True)
        )
    )
    rows = [Row(ALL, "All areas", "all")]
    for name, codes in areas.areas:
        rows.append(Row(area_key(name), name, "area", area=name))
        rows += [
            Row(c, f"Sittingbourne and Faversham Rural Community ({c})", "community", name, c) for c in codes
        ]
    n = iter(range(10_000))

    def table(groups: Any, totalled: bool = True) -> Any:
        counts = {c: [(next(n) * 7) % 14 + 1 for _ in groups] for _, codes in areas.areas for c in codes}
        return count_table(areas, [(g[0], g[1]) for g in groups], counts, totalled=totalled, total=TOTAL)

    return Report(
        start=date(2026, 9, 1),
        end=date(2027, 7, 20),
        today=date(2027, 7, 20),
        financial_year="2027-28",
        rows=tuple(rows),
        by_status=table(STATUS_GROUPS),
        by_need=table(NEED_GROUPS),
        by_decision=table(DECISION_GROUPS),
        overdue=table(OVERDUE_GROUPS, totalled=False),
        median={row.key: Median(23.5) for row in rows},
        funding={row.key: Position(123_456_700, 98_765_400, 0) for row in rows},
    )


def test_every_view_of_a_county_of_53_communities_fits_in_a_teams_message() -> None:
    built = county()
    for row in built.rows:
        size = len(json.dumps(report_card(built, row.key)).encode("utf-8"))
        assert size < 25_000, (row.key, size)  # Teams refuses a message over about 28 KB
