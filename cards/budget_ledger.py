"""A community's ledger for finance and the officers, and the cards that change it: a payment against
an allocation, an officer's change to the budget, and an officer's approval of an overspend.

Personal chat only. Money, schools, request references and reasons; never anything from a request's
form. Pure functions: no I/O. The words are ours (a proposal), kept here in one place.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cards.elements import Card, Element, card, facts, heading, subheading, submit, text
from communities.budget.chat import CORRECTION, SET, TOP_UP
from communities.budget.overspend import OverspendView
from communities.budget.statement import Statement, StatementLine
from communities.money import pounds
from communities.wording import counted

LEDGER_OPEN = "budget_ledger"
PAYMENT_FORM = "budget_payment_form"
PAYMENT_SAVE = "budget_payment"
ADJUST_FORM = "budget_adjust_form"
ADJUST_SAVE = "budget_adjust"
OVERSPEND_APPROVE = "overspend_approve"
LEDGER_BUTTONS = frozenset({LEDGER_OPEN, PAYMENT_FORM, PAYMENT_SAVE, ADJUST_FORM, ADJUST_SAVE})
HOW = {
    TOP_UP: "Top-up (more money)",
    CORRECTION: "Correction down (less money)",
    SET: "Set the year's budget",
}


def _problem(message: str) -> list[Element]:
    return [{**text(message), "color": "Attention", "weight": "Bolder"}] if message else []


def _note(message: str) -> list[Element]:
    return [{**text(message), "weight": "Bolder"}] if message else []


def _input(input_id: str, label: str, values: Mapping[str, Any], **extra: Any) -> Element:
    element: Element = {"type": "Input.Text", "id": input_id, "label": label, **extra}
    value = values.get(input_id)
    if isinstance(value, str) and value:
        element["value"] = value
    return element


def _line(line: StatementLine) -> str:
    parts = [f"**{line.kind.label}** {line.amount}"]
    if line.school:
        parts.append(line.school)
    if line.ref:
        parts.append(line.ref)
    if line.paid_on:
        parts.append(f"paid {line.paid_on}")
    if line.reference:
        parts.append(f"ref {line.reference}")
    if line.paid_state:
        parts.append(line.paid_state)
    if line.reason:
        parts.append(f"“{line.reason}”")
    parts.append(f"{line.by}, {line.when}")
    return " · ".join(parts)


def ledger_card(shown: Statement, *, finance: bool, officer: bool, note: str = "", problem: str = "") -> Card:
    """Every entry of the year; finance can record a payment on an unpaid allocation, an officer can
    change the budget (or set it when none is set)."""
    body: list[Element] = [heading(f"Ledger {shown.year}: {shown.name} ({shown.code})"), *_note(note)]
    body += _problem(problem)
    if not shown.budget_set:
        body.append(text(f"No budget is set for {shown.code} for {shown.year} yet."))
    body.append(
        facts(
            [
                ("Budget", pounds(shown.position.budget_pence)),
                ("Committed", pounds(shown.position.committed_pence)),
                ("Spent", pounds(shown.position.spent_pence)),
                ("Available", pounds(shown.position.available_pence)),
            ]
        )
    )
    body.append(subheading(f"Entries ({counted(len(shown.lines), 'entry', 'entries')}, oldest first)"))
    for line in shown.lines:
        items: list[Element] = [text(_line(line))]
        if finance and line.is_allocation and (line.unpaid_pence or 0) > 0:
            pay = submit(f"Record a payment ({line.ref or line.school or 'allocation'})", PAYMENT_FORM)
            pay["data"].update({"allocation_id": line.entry_id, "community_id": shown.community_id})
            items.append({"type": "ActionSet", "actions": [pay]})
        body.append({"type": "Container", "separator": True, "items": items})
    actions: list[Element] = []
    if officer:
        title = "Change the budget" if shown.budget_set else "Set the budget"
        change = submit(title, ADJUST_FORM, community_id=shown.community_id)
        actions.append(change)
    body.append(
        text(
            "A balance is never edited: every change is an entry. Committed is what allocations promise; "
            "spent is what finance has paid.",
            subtle=True,
        )
    )
    return card(body, actions or None)


def payment_card(
    shown: Statement, line: StatementLine, values: Mapping[str, Any], *, problem: str = ""
) -> Card:
    """Finance records a payment against one allocation: the amount, the day paid, the reference."""
    body: list[Element] = [
        heading(f"Record a payment: {shown.code}"),
        facts(
            [
                ("Allocation", f"{line.amount} on {line.when}"),
                ("School", line.school or "Not known"),
                ("Request", line.ref or "None"),
                ("Not yet paid", pounds(line.unpaid_pence or 0)),
            ]
        ),
        *_problem(problem),
        _input(
            "amount",
            "Amount paid, in pounds and pence",
            values,
            maxLength=20,
            placeholder="For example 1,500.50",
        ),
        {"type": "Input.Date", "id": "paid_on", "label": "The day it was paid", **_value(values, "paid_on")},
        _input("reference", "Finance's reference", values, maxLength=100),
    ]
    ids = {"allocation_id": line.entry_id, "community_id": shown.community_id}
    save = submit("Record the payment", PAYMENT_SAVE, **ids)
    back = submit("Back to the ledger", LEDGER_OPEN, community_id=shown.community_id)
    back["associatedInputs"] = "none"
    return card(body, [save, back])


def adjust_card(shown: Statement, values: Mapping[str, Any], *, problem: str = "") -> Card:
    """An officer tops up or corrects the budget, or sets it when none is set, always with a reason."""
    choices = {SET: HOW[SET]} if not shown.budget_set else {k: v for k, v in HOW.items() if k != SET}
    how: Element = {
        "type": "Input.ChoiceSet",
        "id": "how",
        "label": "The change",
        "style": "expanded",
        "choices": [{"title": title, "value": value} for value, title in choices.items()],
        "value": values.get("how") if values.get("how") in choices else next(iter(choices)),
    }
    body: list[Element] = [
        heading(f"{'Change' if shown.budget_set else 'Set'} the budget {shown.year}: {shown.code}"),
        facts(
            [
                ("Budget", pounds(shown.position.budget_pence)),
                ("Committed", pounds(shown.position.committed_pence)),
                ("Available", pounds(shown.position.available_pence)),
            ]
        ),
        *_problem(problem),
        how,
        _input(
            "amount", "Amount, in pounds and pence", values, maxLength=20, placeholder="For example 5,000"
        ),
        _input("reason", "The reason (kept in the ledger)", values, maxLength=500, isMultiline=True),
    ]
    save = submit("Save the change", ADJUST_SAVE, community_id=shown.community_id)
    back = submit("Back to the ledger", LEDGER_OPEN, community_id=shown.community_id)
    back["associatedInputs"] = "none"
    return card(body, [save, back])


def _value(values: Mapping[str, Any], input_id: str) -> dict[str, str]:
    value = values.get(input_id)
    return {"value": value} if isinstance(value, str) and value else {}


def overspend_card(view: OverspendView, *, problem: str = "", note: str = "") -> Card:
    """The officers' card: an overspend to approve, with a required reason (reference, school, money)."""
    body: list[Element] = [
        heading(f"Overspend to approve: {view.ref}"),
        *_note(note),
        facts(
            [
                ("Community", view.community),
                ("Meeting", view.meeting_when),
                ("School", view.school),
                ("Funding asked for", view.amount),
                ("Available when asked", view.available),
                ("Asked by", view.asked_by),
            ]
        ),
        *_problem(problem),
    ]
    if view.approved_by is not None and view.approved_at is not None:
        body.append(text(f"Approved by {view.approved_by}: “{view.reason}”"))
        return card(body)
    body += [
        text(
            "Approving lets the chair record this funding, up to the amount asked for, although it is more "
            "than the community has available. Say why: it is kept with the approval.",
            subtle=True,
        ),
        {
            "type": "Input.Text",
            "id": "reason",
            "label": "Why the overspend is approved",
            "isRequired": True,
            "errorMessage": "Give a reason.",
            "maxLength": 500,
            "isMultiline": True,
        },
    ]
    return card(body, [submit("Approve overspend", OVERSPEND_APPROVE, overspend_id=view.overspend_id)])
