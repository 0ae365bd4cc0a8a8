"""The officers' report in the chat: figures per area, or one area's communities, or one community,
with the period and the place to show chosen on the card itself.

Every count comes already suppressed (:mod:`communities.reporting.grid`): the card shows its words
("fewer than 5", "not shown") and the charts leave those counts out, saying so. The charts are
Teams' own (``Chart.VerticalBar.Grouped``, at most :data:`cards.budget.CHART_DATA_SETS` data sets,
``fallback: drop``); the facts below them are the record. Categories and money; never a request's
answers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from cards.elements import Card, Element, card, facts, heading, subheading, submit, text
from cards.reporting.charts import committed_chart, needs_chart
from communities.budget.ledger import Position
from communities.money import pounds
from communities.permissions import REPORT
from communities.reporting import words
from communities.reporting.grid import ALL, CountTable
from communities.reporting.report import Report, Row
from communities.reporting.words import (
    ALL_AREAS,
    COMMUNITIES,
    DECISIONS_TITLE,
    MEDIAN_LABEL,
    NONE,
    NOT_LISTED,
    SUPPRESSION_NOTE,
    TOTAL,
)

#: The inputs the card's button (the capability's key) sends back.
FROM_FIELD, TO_FIELD, PLACE_FIELD = "report_from", "report_to", "report_place"


def day(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def report_card(report: Report, place: str = ALL, *, problem: str = "") -> Card:
    """The report for ``place``: all areas (a line per area), an area (a line per community) or a
    community (its own line, beside its area's)."""
    chosen = next((row for row in report.rows if row.key == place), report.row(ALL))
    if chosen.level == "all":
        rows = [*report.areas(), report.row(ALL)]
        title = ALL_AREAS
    elif chosen.level == "area":
        rows = [*report.communities(chosen.area), chosen]
        title = words.AREA_TITLE.format(area=chosen.label)
    else:
        rows = [chosen, report.row(f"area:{chosen.area}")]
        title = chosen.label
    body: list[Element] = [
        heading(words.TITLE.format(place=title)),
        text(
            words.PERIOD.format(
                start=day(report.start),
                end=day(report.end),
                today=day(report.today),
                year=report.financial_year,
            )
        ),
    ]
    if problem:
        body.append({**text(problem), "color": "Attention"})
    body += _choices(report, chosen.key)
    charted = [row for row in rows if row.level != "all" and row is not chosen] or rows
    for chart in (needs_chart(report, charted), committed_chart(report, charted)):
        if chart is not None:
            body += [subheading(str(chart["title"])), chart]
    # An area's lines name its communities by code (its names once, here): the card stays short.
    short = chosen.level == "area"
    if short:
        body += [subheading(COMMUNITIES), facts([(r.code, r.label) for r in rows if r.level == "community"])]

    def named(row: Row) -> str:
        return row.code if short and row.code else row.label

    body += _table(words.STATUS_TITLE, report.by_status, rows, named)
    body += _table(words.NEED_TITLE, report.by_need, rows, named)
    body += _table(DECISIONS_TITLE, report.by_decision, rows, named)
    body += [subheading(MEDIAN_LABEL), facts([(named(row), str(report.median[row.key])) for row in rows])]
    body += [
        subheading(words.FUNDING_TITLE.format(year=report.financial_year)),
        facts([(named(row), _money(report.funding[row.key])) for row in rows]),
    ]
    body += _table(words.OVERDUE_TITLE.format(today=day(report.today)), report.overdue, rows, named)
    body.append(text(f"{NOT_LISTED} {SUPPRESSION_NOTE} {words.FOOTNOTE}", subtle=True))
    return card(body)


def _choices(report: Report, chosen: str) -> list[Element]:
    places = [{"title": ALL_AREAS, "value": ALL}]
    for area in report.areas():
        places.append({"title": f"{area.label} area", "value": area.key})
        places += [{"title": f"  {row.label}", "value": row.key} for row in report.communities(area.area)]
    show = submit(words.SHOW, REPORT.key)
    dates = [
        {
            "type": "Input.Date",
            "id": FROM_FIELD,
            "label": words.FROM_LABEL,
            "value": report.start.isoformat(),
        },
        {"type": "Input.Date", "id": TO_FIELD, "label": words.TO_LABEL, "value": report.end.isoformat()},
    ]
    return [
        {
            "type": "ColumnSet",
            "columns": [{"type": "Column", "width": "stretch", "items": [picker]} for picker in dates],
        },
        {
            "type": "Input.ChoiceSet",
            "id": PLACE_FIELD,
            "label": words.PLACE_LABEL,
            "style": "compact",
            "value": chosen,
            "choices": places,
        },
        {"type": "ActionSet", "actions": [show]},
    ]


def _table(title: str, table: CountTable, rows: Sequence[Row], named: Callable[[Row], str]) -> list[Element]:
    def line(row: Row) -> str:
        counts = zip(table.columns, table.row(row.key), strict=True)
        # A zero the table shows is left out (the card stays short for an area of 14 communities).
        said = [f"{label}: {count}" for (key, label), count in counts if key == TOTAL[0] or str(count) != "0"]
        return "; ".join(said) or NONE

    return [subheading(title), facts([(named(row), line(row)) for row in rows])]


def _money(position: Position) -> str:
    if position.budget_pence <= 0 and position.committed_pence == 0:
        return words.NO_BUDGET
    return words.COMMITTED_OF.format(
        committed=pounds(position.committed_pence), budget=pounds(position.budget_pence)
    )
