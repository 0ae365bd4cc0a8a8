"""The chair's view of one request: its answers, the members flagged for conflicts, and triage.

Personal chat only (it shows pupil-level answers); opening it is an audited read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cards.elements import Card, Element, card, facts, heading, subheading, submit, text
from cards.requests.facts import display_rows
from communities.declarations.conflict_rules import FlaggedMember
from communities.requests.form import NEED_AREAS, SUPPORT_KINDS, sections_for
from communities.requests.lifecycle import RequestAction
from communities.requests.returns import Exchange
from communities.requests.tables import RequestType
from communities.requests.views import RequestLine
from communities.retention.words import DETAIL_REMOVED


def request_detail_card(
    line: RequestLine,
    details: Mapping[str, Any],
    flagged: Sequence[FlaggedMember],
    *,
    can_triage: bool,
    exchange: Exchange | None = None,
    conflicted: str | None = None,
) -> Card:
    """``conflicted``: why the person looking may not accept or return it, and who may instead
    (shown in place of the triage buttons)."""
    kind = RequestType(details["request_type"]) if details.get("request_type") in set(RequestType) else None
    body: list[Element] = [
        heading(f"Request {line.ref}"),
        facts(
            [("School", line.school), ("Type", line.kind), ("Status", line.status.label)]
            + [
                (title, value)
                for title, value in (
                    ("Submitted", line.submitted),
                    ("Decided", line.decided),
                    ("Meeting", line.meeting),
                )
                if value
            ]
        ),
    ]
    if line.urgent:
        body.append(text("**Urgent**"))
    if exchange is not None:
        body.append(_exchange(exchange))
    if line.detail_removed:  # what stays: the type, the main area of need, the amount asked for
        body.append(text(f"Answers: {DETAIL_REMOVED}"))
        body += _kept(details)
    for section in [] if line.detail_removed else sections_for(details):
        rows = display_rows(section, details)
        if rows:
            body += [subheading(section.title_for(kind)), facts(rows)]
    body.append(subheading("Declarations expected"))
    if flagged:
        body.append(facts([(f.member.name, _ruling(f)) for f in flagged]))
    else:
        body.append(text("No member of the community is flagged for this request.", subtle=True))
    actions: list[Element] = []
    if can_triage and conflicted and RequestAction.ACCEPT in line.actions:
        body.append({**text(conflicted), "color": "Warning", "weight": "Bolder"})
    elif can_triage and RequestAction.ACCEPT in line.actions:
        body += [
            subheading("Return for information"),
            {
                "type": "Input.Text",
                "id": "note",
                "label": "What is missing (sent to the school)",
                "isMultiline": True,
                "maxLength": 2000,
            },
        ]
        actions = [
            submit("Accept", "request_accept", request_id=line.request_id),
            submit("Return for information", "request_return", request_id=line.request_id),
        ]
    return card(body, actions)


def _exchange(exchange: Exchange) -> Element:
    """The chair's note and the school's answer; highlighted when the answer is new to the chair."""
    answered = exchange.answer or "Not answered yet."
    items: list[Element] = [
        {
            **text(
                "New: the school has answered the chair's note"
                if exchange.new
                else "Returned for more information"
            ),
            "weight": "Bolder",
        },
        facts([("The chair asked", exchange.note), ("The school answered", answered)]),
    ]
    return {"type": "Container", "style": "accent" if exchange.new else "default", "items": items}


def _ruling(flagged: FlaggedMember) -> str:
    reasons = "; ".join(c.reason for c in flagged.conflicts)
    return f"{flagged.ruling.label} ({reasons})"


def withdraw_confirm_card(ref: str, request_id: int, *, draft: bool) -> Card:
    """Withdrawing cannot be undone: ask first, saying who will be told."""
    if draft:
        said = "It is a draft that nobody else has seen, so nobody else will be told."
    else:
        said = "Your community's chair and vice chair will be told."
    return card(
        [
            heading(f"Withdraw {ref}?"),
            text(f"{said} A withdrawn request cannot be reopened: to ask again, raise a new request."),
            {
                "type": "ActionSet",
                "actions": [
                    {
                        **submit("Yes, withdraw", "request_withdraw_confirm", request_id=request_id),
                        "style": "destructive",
                    },
                    submit("Keep it", "request_withdraw_keep", request_id=request_id),
                ],
            },
        ]
    )


def withdraw_outcome_card(title: str, said: str) -> Card:
    """What came of a withdrawal's confirmation, shown in place of it: read-only, with no button
    left to press by mistake."""
    return card([heading(title), text(said)])


def _kept(details: Mapping[str, Any]) -> list[Element]:
    """What an anonymised request keeps of its answers: its main area of need, the kinds of support
    and the amount asked for."""
    need = NEED_AREAS.get(str(details.get("primary_need")))
    kinds = details.get("support")
    support = [SUPPORT_KINDS[k] for k in kinds if k in SUPPORT_KINDS] if isinstance(kinds, list) else []
    asked = details.get("funding_pounds")
    rows = [("Main area of need", need)] if need else []
    rows += [("Support asked for", ", ".join(support))] if support else []
    rows += [("Funding asked for", f"£{asked:,}")] if isinstance(asked, int) else []
    return [facts(rows)] if rows else []
