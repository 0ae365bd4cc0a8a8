from __future__ import annotations

import itertools

import pytest

from communities.requests.lifecycle import (
    FINISHED,
    PEOPLES_ACTIONS,
    WAITING_FOR_A_MEETING,
    IllegalTransition,
    RequestAction,
    RequestStatus,
    actions_from,
    next_status,
    next_step,
    where_it_is,
)

S, A = RequestStatus, RequestAction

#: Every legal move, written out again here (domain.md §4.1), so that a change to the table is a
#: change to this test too.
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
    (S.CLOSED, A.REOPEN): S.IN_DELIVERY,
    (S.IN_DELIVERY, A.CLOSE): S.CLOSED,
}


@pytest.mark.parametrize(("status", "action"), list(itertools.product(S, A)))
def test_every_status_and_action_is_either_a_known_move_or_refused(status: S, action: A) -> None:
    if (status, action) in LEGAL:
        assert next_status(status, action) is LEGAL[(status, action)]
    else:
        with pytest.raises(IllegalTransition) as refused:
            next_status(status, action)
        assert str(refused.value).startswith("This request ")
        assert refused.value.status is status and refused.value.action is action


def test_a_refusal_says_why_and_what_can_be_done() -> None:
    with pytest.raises(IllegalTransition) as refused:
        next_status(S.ACCEPTED, A.RESUBMIT)
    assert str(refused.value) == (
        "This request has been accepted, so it cannot be resubmitted. It can still be withdrawn."
    )


def test_a_refusal_after_the_meeting_says_what_happens_next() -> None:
    with pytest.raises(IllegalTransition) as refused:
        next_status(S.IN_DELIVERY, A.WITHDRAW)
    assert str(refused.value) == (
        "This request has support under way, so it cannot be withdrawn. "
        "The agreed support is under way; it will be reviewed on its review date."
    )
    with pytest.raises(IllegalTransition, match="has already been decided"):
        next_status(S.DECIDED, A.DECIDE)


def test_withdrawn_and_closed_are_the_end_but_a_dispute_may_reopen_a_closed_one() -> None:
    assert actions_from(S.WITHDRAWN) == [] and actions_from(S.CLOSED) == [A.REOPEN]
    assert A.REOPEN not in PEOPLES_ACTIONS  # only a dispute's decision reopens it
    assert FINISHED == {S.WITHDRAWN, S.CLOSED}
    with pytest.raises(IllegalTransition, match="Nothing more can be done with it"):
        next_status(S.WITHDRAWN, A.SUBMIT)
    with pytest.raises(IllegalTransition, match="is closed, so it cannot be reopened|Nothing more"):
        next_status(S.CLOSED, A.CONTINUE)


def test_editing_is_locked_once_submitted_until_returned() -> None:
    editable = {status for status in S if A.EDIT in actions_from(status)}
    assert editable == {S.DRAFT, S.RETURNED_FOR_INFO}


def test_only_requests_waiting_for_a_meeting_count_against_the_limit() -> None:
    assert WAITING_FOR_A_MEETING == {S.SUBMITTED, S.RETURNED_FOR_INFO, S.ACCEPTED, S.SCHEDULED}
    for status in (S.DISCUSSED, S.DECIDED, S.IN_DELIVERY, S.REVIEW_DUE, S.CLOSED, S.WITHDRAWN, S.DRAFT):
        assert status not in WAITING_FOR_A_MEETING


def test_a_school_withdraws_only_before_the_meeting_decides() -> None:
    withdrawable = {status for status in S if A.WITHDRAW in actions_from(status)} - {S.DECIDED}
    assert withdrawable == {S.DRAFT, S.SUBMITTED, S.RETURNED_FOR_INFO, S.ACCEPTED, S.SCHEDULED}


def test_every_status_has_words() -> None:
    assert "resubmit" in next_step(S.RETURNED_FOR_INFO)
    assert all(next_step(status) and where_it_is(status) and status.label for status in S)
    assert all(action.label and action.done_to_it for action in A)
    assert next_step(S.ACCEPTED) != next_step(S.IN_DELIVERY)


def test_the_meetings_moves_are_not_offered_to_people() -> None:
    assert PEOPLES_ACTIONS == {A.EDIT, A.SUBMIT, A.RETURN_FOR_INFO, A.RESUBMIT, A.ACCEPT, A.WITHDRAW}
