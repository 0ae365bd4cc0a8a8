from __future__ import annotations

import pytest

from communities.outcomes.decisions import ConflictRuling, OutcomeDecision, ReviewResult
from communities.requests.lifecycle import RequestStatus, next_status

D, S = OutcomeDecision, RequestStatus


@pytest.mark.parametrize(
    ("decision", "status"),
    [
        (D.SUPPORT_AGREED, S.IN_DELIVERY),
        (D.FUNDING_AGREED, S.IN_DELIVERY),
        (D.PARTIALLY_AGREED, S.IN_DELIVERY),
        (D.ADVICE_ONLY, S.CLOSED),
        (D.SIGNPOSTED, S.CLOSED),
        (D.NOT_AGREED, S.CLOSED),
        (D.RECOMMEND_EHCNA, S.CLOSED),
        (D.DEFERRED_MORE_INFO, S.RETURNED_FOR_INFO),
        (D.WITHDRAWN, S.WITHDRAWN),
    ],
)
def test_each_decision_leads_from_decided_to_its_status(decision: D, status: S) -> None:
    assert decision.leads_to is status
    assert next_status(S.DECIDED, decision.action) is status
    assert decision.in_delivery == (status is S.IN_DELIVERY)


def test_funding_and_reasons() -> None:
    assert {d for d in D if d.may_fund} == {D.FUNDING_AGREED, D.PARTIALLY_AGREED}
    assert {d for d in D if d.needs_reason} == {D.PARTIALLY_AGREED, D.DEFERRED_MORE_INFO, D.NOT_AGREED}


def test_every_value_has_a_label_in_plain_words() -> None:
    labels = [v.label for v in (*D, *ConflictRuling, *ReviewResult)]
    assert all(label and "_" not in label for label in labels)
    assert [r for r in ConflictRuling if r.kept_out_of_the_decision] == [
        ConflictRuling.TOOK_NO_PART,
        ConflictRuling.SPOKE_NOT_DECIDED,
    ]
