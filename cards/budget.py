"""The budget in the chat: a community's card, and the officers' overview of every community.

Personal chat only. Money, schools and reasons; never anything from a request's form.
"""

from __future__ import annotations

from collections.abc import Sequence

from cards.elements import Card, Element, card, facts, heading, subheading, text
from communities.budget.ledger import Position
from communities.budget.views import BudgetView
from communities.money import pounds
from communities.wording import counted


def _position(position: Position) -> Element:
    return facts(
        [
            ("Budget", pounds(position.budget_pence)),
            ("Committed", pounds(position.committed_pence)),
            ("Spent", pounds(position.spent_pence)),
            ("Available", pounds(position.available_pence)),
        ]
    )


def budget_card(view: BudgetView) -> Card:
    """One community's position for the financial year, with its latest entries."""
    body: list[Element] = [heading(f"Budget {view.year}: {view.name} ({view.code})")]
    if not view.entries:
        body.append(text(f"No budget is set for {view.year} yet. Council officers load budgets from a file."))
        return card(body)
    body.append(_position(view.position))
    if view.position.available_pence < 0:
        body.append(
            {
                **text(
                    "The community has committed more than its budget (an overspend approved by an officer)."
                ),
                "color": "Attention",
            }
        )
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


def budget_overview_card(year: str, views: Sequence[BudgetView]) -> Card:
    """Every community's position: a line each, and the totals."""
    body: list[Element] = [heading(f"Community budgets {year}")]
    if not views:
        body.append(text("There are no active communities."))
        return card(body)
    total = Position(
        sum(v.position.budget_pence for v in views),
        sum(v.position.committed_pence for v in views),
        sum(v.position.spent_pence for v in views),
    )
    body += [subheading("All communities"), _position(total), subheading("By community")]
    body.append(
        facts(
            [
                (
                    f"{v.name} ({v.code})",
                    f"{pounds(v.position.available_pence)} available of {pounds(v.position.budget_pence)}"
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
