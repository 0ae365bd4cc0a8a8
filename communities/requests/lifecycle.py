"""The request state machine (domain.md §4.1), as far as triage.

Only the states that exist today are here; meetings, outcomes and disputes add
their states and actions to the same table later (accepted --assign meeting-->
scheduled, and so on), so nothing that checks a transition has to change.
"""

from __future__ import annotations

from enum import StrEnum

from communities.wording import listed


class RequestStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED_FOR_INFO = "returned_for_info"
    ACCEPTED = "accepted"
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

    @property
    def label(self) -> str:
        return _ACTION_LABELS[self]

    @property
    def done_to_it(self) -> str:
        """The action done to a request, as a sentence says it: "return it for more information"."""
        return _ACTION_ON_IT[self]


_STATUS_LABELS = {
    RequestStatus.DRAFT: "Draft",
    RequestStatus.SUBMITTED: "Submitted",
    RequestStatus.RETURNED_FOR_INFO: "Returned for information",
    RequestStatus.ACCEPTED: "Accepted",
    RequestStatus.WITHDRAWN: "Withdrawn",
}

_ACTION_LABELS = {
    RequestAction.EDIT: "edit",
    RequestAction.SUBMIT: "submit",
    RequestAction.RETURN_FOR_INFO: "return for information",
    RequestAction.RESUBMIT: "resubmit",
    RequestAction.ACCEPT: "accept",
    RequestAction.WITHDRAW: "withdraw",
}

_ACTION_ON_IT = {
    RequestAction.EDIT: "edit it",
    RequestAction.SUBMIT: "submit it",
    RequestAction.RETURN_FOR_INFO: "return it for more information",
    RequestAction.RESUBMIT: "resubmit it",
    RequestAction.ACCEPT: "accept it",
    RequestAction.WITHDRAW: "withdraw it",
}

S, A = RequestStatus, RequestAction

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
}

#: A request in one of these counts against the school's limit for the next meeting.
OPEN_STATUSES = frozenset({S.SUBMITTED, S.RETURNED_FOR_INFO, S.ACCEPTED})

_NEXT_STEP = {
    S.DRAFT: "Finish and submit it (Continue my draft).",
    S.SUBMITTED: "The chair will review it before the submission deadline.",
    S.RETURNED_FOR_INFO: "The chair has asked for more information: edit it and resubmit.",
    S.ACCEPTED: "It will be on the agenda of the community's next meeting.",
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
        still = [_past(a) for a in actions_from(status)]
        then = f"It can still be {listed(still)}." if still else "Nothing more can be done with it."
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
    S.WITHDRAWN: "has been withdrawn",
}
_PAST_STATE = {
    S.DRAFT: "saved as a draft",
    S.SUBMITTED: "submitted",
    S.RETURNED_FOR_INFO: "returned for more information",
    S.ACCEPTED: "accepted",
    S.WITHDRAWN: "withdrawn",
}


def _past(action: RequestAction) -> str:
    return {
        A.EDIT: "edited",
        A.SUBMIT: "submitted",
        A.RETURN_FOR_INFO: "returned for information",
        A.RESUBMIT: "resubmitted",
        A.ACCEPT: "accepted",
        A.WITHDRAW: "withdrawn",
    }[action]
