"""Cards listing requests: "My requests" for a school, and the chair's "Requests queue".

Personal chat only, to those who may see the requests: the reference, school, type and status,
the school's own reference for the pupil or group, the dates submitted and decided, and the
meeting with its deadline; opening one shows it in full (an audited read).
"""

from __future__ import annotations

from collections.abc import Sequence

from cards.elements import COMMUNITY_FIELD, Card, Element, card, facts, heading, subheading, submit, text
from communities.requests.lifecycle import RequestAction, RequestStatus
from communities.requests.views import RequestLine, WaitingLine
from communities.retention.words import DETAIL_REMOVED

#: The button of the Requests queue (the menu's), which a summary line's "Open" button also carries.
QUEUE_ACTION = "requests_queue"

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
        buttons = [submit("Open", "request_open", request_id=line.request_id)] + [
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
        body.append(text("Your queue is empty: no submitted requests are waiting for review."))
        return card(body)
    body.append(text(f"{len(lines)} waiting for review, urgent first, then oldest first."))
    for line in lines:
        body += _summary(line)
        body.append(
            {"type": "ActionSet", "actions": [submit("Open", "request_open", request_id=line.request_id)]}
        )
    return card(body)


def queue_summary_card(lines: Sequence[WaitingLine]) -> Card:
    """The officer's view of every community's queue: one line for each with requests waiting."""
    body: list[Element] = [heading("Requests queues")]
    if not lines:
        body.append(text("Every queue is empty: no community has submitted requests waiting for review."))
        return card(body)
    total = sum(line.waiting for line in lines)
    communities = "community has" if len(lines) == 1 else "communities have"
    body.append(
        text(
            f"{len(lines)} {communities} {_requests(total)} waiting for review. Open a community's queue, "
            "or write `queue` and the community's code (for example `queue " + lines[0].code + "`)."
        )
    )
    for line in lines:
        urgent = f", {line.urgent} urgent" if line.urgent else ""
        body.append(
            {
                "type": "ColumnSet",
                "spacing": "Medium",
                "columns": [
                    {
                        "type": "Column",
                        "width": "stretch",
                        "verticalContentAlignment": "Center",
                        "items": [text(f"**{line.name} ({line.code})**: {line.waiting} waiting{urgent}")],
                    },
                    {
                        "type": "Column",
                        "width": "auto",
                        "items": [
                            {
                                "type": "ActionSet",
                                "actions": [
                                    submit(f"Open {line.code}", QUEUE_ACTION, **{COMMUNITY_FIELD: line.code})
                                ],
                            }
                        ],
                    },
                ],
            }
        )
    return card(body)


def _requests(count: int) -> str:
    return f"{count} request" if count == 1 else f"{count} requests"


def _summary(line: RequestLine) -> list[Element]:
    urgent = " · URGENT" if line.urgent else ""
    shown: list[Element] = [
        subheading(f"{line.ref}{urgent}"),
        text(f"{line.school} · {line.kind} · **{line.status.label}**"),
    ]
    rows: list[tuple[str, str]] = []
    if line.pupil_ref:
        rows.append(("School's reference", line.pupil_ref))
    if line.submitted:
        rows.append(("Submitted", line.submitted))
    if line.decided:
        rows.append(("Decided", line.decided))
    if line.meeting:
        rows.append(("Meeting", line.meeting))
        if line.deadline and line.status in _BEFORE_THE_DEADLINE:
            rows.append(("Requests close", line.deadline))
    if rows:
        shown.append(facts(rows))
    if line.detail_removed:
        shown.append(text(f"Answers: {DETAIL_REMOVED}", subtle=True))
    shown.append(text(line.next_step, subtle=True))
    return shown


#: Statuses for which the meeting's submission deadline still matters.
_BEFORE_THE_DEADLINE = frozenset(
    {RequestStatus.DRAFT, RequestStatus.SUBMITTED, RequestStatus.RETURNED_FOR_INFO}
)
