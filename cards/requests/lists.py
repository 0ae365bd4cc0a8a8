"""Cards listing requests: "My requests" for a school, and the chair's "Requests queue".

Personal chat only. They show the reference, school, type and status, never pupil detail;
the chair opens one request to see its detail (an audited read).
"""

from __future__ import annotations

from collections.abc import Sequence

from cards.elements import Card, Element, card, heading, subheading, submit, text
from communities.requests.lifecycle import RequestAction
from communities.requests.views import RequestLine

#: School actions offered on "My requests" (editing and resubmitting happen in the form dialog).
_SCHOOL_BUTTONS = {
    RequestAction.WITHDRAW: ("Withdraw", "request_withdraw"),
    RequestAction.RESUBMIT: ("Edit and resubmit", "request_continue"),
    RequestAction.SUBMIT: ("Continue my draft", "request_continue"),
}


def my_requests_card(lines: Sequence[RequestLine]) -> Card:
    body: list[Element] = [heading("My requests")]
    if not lines:
        body.append(
            text("Your school has no requests yet. Choose “Raise a request” on the menu to start one.")
        )
        return card(body)
    for line in lines:
        body += _summary(line)
        if line.return_note:
            body.append(text(f"Chair's note: {line.return_note}"))
        buttons = [
            submit(title, action, request_id=line.request_id)
            for step, (title, action) in _SCHOOL_BUTTONS.items()
            if step in line.actions
        ]
        if buttons:
            body.append({"type": "ActionSet", "actions": buttons})
    return card(body)


def queue_card(community: str, lines: Sequence[RequestLine]) -> Card:
    body: list[Element] = [heading(f"Requests queue: {community}")]
    if not lines:
        body.append(text("No submitted requests are waiting for review."))
        return card(body)
    body.append(text(f"{len(lines)} waiting for review, urgent first, then oldest first."))
    for line in lines:
        body += _summary(line)
        body.append(
            {"type": "ActionSet", "actions": [submit("Open", "request_open", request_id=line.request_id)]}
        )
    return card(body)


def _summary(line: RequestLine) -> list[Element]:
    urgent = " · URGENT" if line.urgent else ""
    return [
        subheading(f"{line.ref}{urgent}"),
        text(f"{line.school} · {line.kind} · **{line.status.label}**"),
        text(line.next_step, subtle=True),
    ]
