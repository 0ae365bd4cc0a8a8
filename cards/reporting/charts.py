"""The report's charts: Teams' own ``Chart.VerticalBar.Grouped`` (at most
:data:`cards.budget.CHART_DATA_SETS` data sets, the Playground's renderer refuses a whole card with
more; ``fallback: drop`` for a host that cannot draw them). A count not shown as a number on the card
is left out of its chart, and the chart's title says so."""

from __future__ import annotations

from collections.abc import Sequence

from cards.budget import CHART_DATA_SETS, CHART_MOST
from cards.elements import Element
from communities.reporting import words
from communities.reporting.report import Report, Row
from communities.reporting.suppression import Shown


def _short(row: Row) -> str:
    return row.code or row.label


def needs_chart(report: Report, rows: Sequence[Row]) -> Element | None:
    """Requests by the main area of need, a group of bars per place; a data set per area of need
    (the four of the Code of Practice, within the renderer's limit); counts not shown are left out."""
    shown = list(rows)[:CHART_MOST]
    table = report.by_need
    series = []
    for n, (_, label) in enumerate(table.columns[:CHART_DATA_SETS]):
        values = [
            {"x": _short(row), "y": table.row(row.key)[n].value}
            for row in shown
            if table.row(row.key)[n].shown is Shown.SHOWN
        ]
        if values:
            series.append({"legend": label, "values": values})
    if not series:
        return None
    return {
        "type": "Chart.VerticalBar.Grouped",
        "title": words.NEED_CHART,
        "xAxisTitle": words.AREA_AXIS if shown[0].level == "area" else words.COMMUNITY_AXIS,
        "yAxisTitle": words.REQUESTS_AXIS,
        "data": series,
        "fallback": "drop",
    }


def committed_chart(report: Report, rows: Sequence[Row]) -> Element | None:
    """Funding committed against budget (£), a stacked bar per place with a budget."""
    shown = [row for row in rows if report.funding[row.key].budget_pence > 0][:CHART_MOST]
    if not shown:
        return None
    positions = [(_short(row), report.funding[row.key]) for row in shown]
    series = [
        (words.COMMITTED, [(x, min(p.committed_pence, p.budget_pence)) for x, p in positions], "warning"),
        (words.AVAILABLE, [(x, max(p.available_pence, 0)) for x, p in positions], "good"),
    ]
    over = [(x, max(-p.available_pence, 0)) for x, p in positions]
    if any(pence for _, pence in over):
        series.append((words.OVER_BUDGET, over, "attention"))
    return {
        "type": "Chart.VerticalBar.Grouped",
        "title": words.FUNDING_CHART.format(year=report.financial_year),
        "stacked": True,
        "xAxisTitle": words.AREA_AXIS if shown[0].level == "area" else words.COMMUNITY_AXIS,
        "yAxisTitle": "£",
        "data": [
            {
                "legend": legend,
                "color": color,
                "values": [{"x": x, "y": round(pence / 100)} for x, pence in points],
            }
            for legend, points, color in series
        ],
        "fallback": "drop",
    }


def _pounds(pence: int) -> int:
    return round(pence / 100)
