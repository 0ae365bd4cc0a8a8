"""The request state machine (domain.md §4.1), from the draft to the end of its life.

A request is raised and triaged (draft, submitted, returned for information, accepted), waits
for a meeting (accepted), is put on its agenda when the agenda is published (scheduled), is
discussed and decided at the meeting, and then is in delivery (support or funding agreed, with
a review date), closed, or back with the school for more information. A request in delivery
comes up for review when its review date arrives, and is then closed or continues in delivery.
Disputes add their states and actions to the same table later, so nothing that checks a
transition has to change.
"""

from __future__ import annotations

from enum import StrEnum

from communities.wording import listed


class RequestStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED_FOR_INFO = "returned_for_info"
    ACCEPTED = "accepted"
    SCHEDULED = "scheduled"
    DISCUSSED = "discussed"
    DECIDED = "decided"
    IN_DELIVERY = "in_delivery"
    REVIEW_DUE = "review_due"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self]


class RequestAction(StrEnum):
    EDIT = "edit"
    SUBMIT = "submit"
    RETURN_FOR_INFO = "return_for_info"
    RESUBMIT = "resubmit"
    ACCEPT = "accept"
    WITHDRAW = "withdraw"
    #: The agenda it is on is published.
    SCHEDULE = "schedule"
    #: Taken off a published agenda (deferred, or its meeting cancelled): it waits for a meeting again.
    CARRY_OVER = "carry_over"
    #: The meeting has discussed it (its outcomes are being recorded).
    DISCUSS = "discuss"
    #: The meeting's outcome for it is confirmed.
    DECIDE = "decide"
    #: Support or funding agreed: delivery starts.
    DELIVER = "deliver"
    CLOSE = "close"
    #: Its review date has arrived.
    REVIEW_DUE = "review_due"
    #: Reviewed, and the support goes on.
    CONTINUE = "continue"
    #: A dispute of its outcome agreed support after it was closed: delivery starts after all.
    REOPEN = "reopen"

    @property
    def label(self) -> str:
        return _ACTION_LABELS[self]

    @property
    def done_to_it(self) -> str:
        """The action done to a request, as a sentence says it: "return it for more information"."""
        return _ACTION_ON_IT[self]


S, A = RequestStatus, RequestAction

_STATUS_LABELS = {
    S.DRAFT: "Draft",
    S.SUBMITTED: "Submitted",
    S.RETURNED_FOR_INFO: "Returned for information",
    S.ACCEPTED: "Accepted",
    S.SCHEDULED: "On the agenda",
    S.DISCUSSED: "Discussed",
    S.DECIDED: "Decided",
    S.IN_DELIVERY: "Support under way",
    S.REVIEW_DUE: "Review due",
    S.CLOSED: "Closed",
    S.WITHDRAWN: "Withdrawn",
}

_ACTION_LABELS = {
    A.EDIT: "edit",
    A.SUBMIT: "submit",
    A.RETURN_FOR_INFO: "return for information",
    A.RESUBMIT: "resubmit",
    A.ACCEPT: "accept",
    A.WITHDRAW: "withdraw",
    A.SCHEDULE: "put on the agenda",
    A.CARRY_OVER: "carry to the next meeting",
    A.DISCUSS: "discuss",
    A.DECIDE: "record the outcome",
    A.DELIVER: "start the agreed support",
    A.CLOSE: "close",
    A.REVIEW_DUE: "mark the review as due",
    A.CONTINUE: "continue the support",
    A.REOPEN: "reopen after a dispute",
}

_ACTION_ON_IT = {
    A.EDIT: "edit it",
    A.SUBMIT: "submit it",
    A.RETURN_FOR_INFO: "return it for more information",
    A.RESUBMIT: "resubmit it",
    A.ACCEPT: "accept it",
    A.WITHDRAW: "withdraw it",
    A.SCHEDULE: "put it on the agenda",
    A.CARRY_OVER: "carry it to the next meeting",
    A.DISCUSS: "record that it was discussed",
    A.DECIDE: "record its outcome",
    A.DELIVER: "start the agreed support",
    A.CLOSE: "close it",
    A.REVIEW_DUE: "mark its review as due",
    A.CONTINUE: "continue its support after a review",
    A.REOPEN: "reopen it after a dispute",
}

#: (from, action) -> to. Editing keeps the status: it is allowed only where the school may still change it.
TRANSITIONS: dict[tuple[RequestStatus, RequestAction], RequestStatus] = {
    (S.DRAFT, A.EDIT): S.DRAFT,
    (S.DRAFT, A.SUBMIT): S.SUBMITTED,
    (S.DRAFT, A.WITHDRAW): S.WITHDRAWN,
    (S.SUBMITTED, A.RETURN_FOR_INFO): S.RETURNED_FOR_INFO,
    (S.SUBMITTED, A.ACCEPT): S.ACCEPTED,
    (S.SUBMITTED, A.WITHDRAW): S.WITHDRAWN,
    (S.RETURNED_FOR_INFO, A.EDIT): S.RETURNED_FOR_INFO,
    (S.RETURNED_FOR_INFO, A.RESUBMIT): S.SUBMITTED,
    (S.RETURNED_FOR_INFO, A.WITHDRAW): S.WITHDRAWN,
    (S.ACCEPTED, A.WITHDRAW): S.WITHDRAWN,
    (S.ACCEPTED, A.SCHEDULE): S.SCHEDULED,
    (S.SCHEDULED, A.WITHDRAW): S.WITHDRAWN,
    (S.SCHEDULED, A.CARRY_OVER): S.ACCEPTED,
    (S.SCHEDULED, A.DISCUSS): S.DISCUSSED,
    (S.DISCUSSED, A.DECIDE): S.DECIDED,
    (S.DECIDED, A.DELIVER): S.IN_DELIVERY,
    (S.DECIDED, A.CLOSE): S.CLOSED,
    (S.DECIDED, A.RETURN_FOR_INFO): S.RETURNED_FOR_INFO,
    (S.DECIDED, A.WITHDRAW): S.WITHDRAWN,
    (S.IN_DELIVERY, A.REVIEW_DUE): S.REVIEW_DUE,
    (S.REVIEW_DUE, A.CLOSE): S.CLOSED,
    (S.REVIEW_DUE, A.CONTINUE): S.IN_DELIVERY,
    # A dispute of the outcome changes it: support agreed after all, or no longer agreed.
    (S.CLOSED, A.REOPEN): S.IN_DELIVERY,
    (S.IN_DELIVERY, A.CLOSE): S.CLOSED,
}

#: What people do to a request themselves; the others follow from the meeting (its agenda, its outcomes).
PEOPLES_ACTIONS = frozenset({A.EDIT, A.SUBMIT, A.RETURN_FOR_INFO, A.RESUBMIT, A.ACCEPT, A.WITHDRAW})

#: A request in one of these waits for a meeting, and counts against the school's limit for it.
WAITING_FOR_A_MEETING = frozenset({S.SUBMITTED, S.RETURNED_FOR_INFO, S.ACCEPTED, S.SCHEDULED})
#: The same set, by its older name (the limit of open requests means the requests still waiting).
OPEN_STATUSES = WAITING_FOR_A_MEETING
#: Where a request's life has ended.
FINISHED = frozenset({S.CLOSED, S.WITHDRAWN})

_NEXT_STEP = {
    S.DRAFT: "Finish and submit it (Continue my draft).",
    S.SUBMITTED: "The chair will review it before the submission deadline.",
    S.RETURNED_FOR_INFO: "The chair has asked for more information: edit it and resubmit.",
    S.ACCEPTED: "It will be on the agenda of the community's next meeting.",
    S.SCHEDULED: "It is on the agenda of the community's next meeting.",
    S.DISCUSSED: "The meeting has discussed it: you will be told the outcome once the chair has recorded it.",
    S.DECIDED: "The chair has recorded the outcome: you will be told it.",
    S.IN_DELIVERY: "The agreed support is under way; it will be reviewed on its review date.",
    S.REVIEW_DUE: "Its review is due at the community's next meeting.",
    S.CLOSED: "Nothing: it is closed.",
    S.WITHDRAWN: "Nothing: it was withdrawn.",
}


class IllegalTransition(Exception):
    """The request's status does not allow the action. The message says why, for a person:
    "This request has already been accepted. It can still be withdrawn."
    """

    def __init__(self, status: RequestStatus, action: RequestAction) -> None:
        self.status = status
        self.action = action
        if _LEADS_TO.get(action) is status:
            why = f"This request has already been {_PAST_STATE[status]}."
        else:
            why = f"This request {_STATE[status]}, so it cannot be {_past(action)}."
        still = [_past(a) for a in actions_from(status) if a in PEOPLES_ACTIONS]
        if still:
            then = f"It can still be {listed(still)}."
        elif status in FINISHED:
            then = "Nothing more can be done with it."
        else:
            then = _NEXT_STEP[status]
        super().__init__(f"{why} {then}")


def next_status(status: RequestStatus, action: RequestAction) -> RequestStatus:
    try:
        return TRANSITIONS[(status, action)]
    except KeyError:
        raise IllegalTransition(status, action) from None


def actions_from(status: RequestStatus) -> list[RequestAction]:
    return [action for (source, action) in TRANSITIONS if source is status]


def where_it_is(status: RequestStatus) -> str:
    """Where a request is, as a sentence after "This request" says it: "has been submitted"."""
    return _STATE[status]


def next_step(status: RequestStatus) -> str:
    """What happens next, in words for the requester (the "My requests" list)."""
    return _NEXT_STEP[status]


#: The status an action leads to ("accept" leads to accepted), for "has already been accepted".
_LEADS_TO: dict[RequestAction, RequestStatus] = {
    action: after for (_, action), after in TRANSITIONS.items() if action is not A.EDIT
}

_STATE = {
    S.DRAFT: "is still a draft",
    S.SUBMITTED: "has been submitted",
    S.RETURNED_FOR_INFO: "has been returned for more information",
    S.ACCEPTED: "has been accepted",
    S.SCHEDULED: "is on a published agenda",
    S.DISCUSSED: "has been discussed at a meeting",
    S.DECIDED: "has been decided",
    S.IN_DELIVERY: "has support under way",
    S.REVIEW_DUE: "is due for review",
    S.CLOSED: "is closed",
    S.WITHDRAWN: "has been withdrawn",
}
_PAST_STATE = {
    S.DRAFT: "saved as a draft",
    S.SUBMITTED: "submitted",
    S.RETURNED_FOR_INFO: "returned for more information",
    S.ACCEPTED: "accepted",
    S.SCHEDULED: "put on the agenda",
    S.DISCUSSED: "discussed",
    S.DECIDED: "decided",
    S.IN_DELIVERY: "given the agreed support",
    S.REVIEW_DUE: "marked as due for review",
    S.CLOSED: "closed",
    S.WITHDRAWN: "withdrawn",
}

_PAST_ACTION = {
    A.EDIT: "edited",
    A.SUBMIT: "submitted",
    A.RETURN_FOR_INFO: "returned for information",
    A.RESUBMIT: "resubmitted",
    A.ACCEPT: "accepted",
    A.WITHDRAW: "withdrawn",
    A.SCHEDULE: "put on the agenda",
    A.CARRY_OVER: "carried to the next meeting",
    A.DISCUSS: "discussed",
    A.DECIDE: "decided",
    A.DELIVER: "given the agreed support",
    A.CLOSE: "closed",
    A.REVIEW_DUE: "marked as due for review",
    A.CONTINUE: "continued after a review",
    A.REOPEN: "reopened after a dispute",
}


def _past(action: RequestAction) -> str:
    return _PAST_ACTION[action]
