from __future__ import annotations

import itertools

import pytest

from communities.requests.lifecycle import (
    OPEN_STATUSES,
    IllegalTransition,
    RequestAction,
    RequestStatus,
    actions_from,
    next_status,
    next_step,
)

S, A = RequestStatus, RequestAction

LEGAL = {
    (S.DRAFT, A.EDIT): S.DRAFT,
    (S.DRAFT, A.SUBMIT): S.SUBMITTED,
    (S.DRAFT, A.WITHDRAW): S.WITHDRAWN,
    (S.SUBMITTED, A.ACCEPT): S.ACCEPTED,
    (S.SUBMITTED, A.RETURN_FOR_INFO): S.RETURNED_FOR_INFO,
    (S.SUBMITTED, A.WITHDRAW): S.WITHDRAWN,
    (S.RETURNED_FOR_INFO, A.EDIT): S.RETURNED_FOR_INFO,
    (S.RETURNED_FOR_INFO, A.RESUBMIT): S.SUBMITTED,
    (S.RETURNED_FOR_INFO, A.WITHDRAW): S.WITHDRAWN,
    (S.ACCEPTED, A.WITHDRAW): S.WITHDRAWN,
}


@pytest.mark.parametrize(("status", "action"), list(itertools.product(S, A)))
def test_every_status_and_action_is_either_a_known_move_or_refused(status: S, action: A) -> None:
    if (status, action) in LEGAL:
        assert next_status(status, action) is LEGAL[(status, action)]
    else:
        with pytest.raises(IllegalTransition):
            next_status(status, action)


def test_a_refusal_says_why_and_what_can_be_done() -> None:
    with pytest.raises(IllegalTransition) as refused:
        next_status(S.ACCEPTED, A.RESUBMIT)
    assert str(refused.value) == (
        "This request has been accepted, so it cannot be resubmitted. It can still be withdrawn."
    )


def test_withdrawn_is_the_end() -> None:
    assert actions_from(S.WITHDRAWN) == []
    with pytest.raises(IllegalTransition, match="Nothing more can be done with it"):
        next_status(S.WITHDRAWN, A.SUBMIT)


def test_editing_is_locked_once_submitted_until_returned() -> None:
    assert A.EDIT in actions_from(S.DRAFT) and A.EDIT in actions_from(S.RETURNED_FOR_INFO)
    assert A.EDIT not in actions_from(S.SUBMITTED) and A.EDIT not in actions_from(S.ACCEPTED)


def test_open_requests_and_next_steps() -> None:
    assert OPEN_STATUSES == {S.SUBMITTED, S.RETURNED_FOR_INFO, S.ACCEPTED}
    assert "resubmit" in next_step(S.RETURNED_FOR_INFO)
    assert all(next_step(status) for status in S)
