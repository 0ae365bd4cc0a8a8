"""What a meeting can decide about a request, and where each decision leaves the request.

The decisions follow domain.md §2.3 and §3.5. Support or funding agreed (in full or in part) puts
the request in delivery, with a review date; advice, signposting, not agreed and the
recommendation to consider an education, health and care (EHC) needs assessment request close
it; deferred for more information sends it back to the school; withdrawn ends it.
"""

from __future__ import annotations

from enum import StrEnum

from communities.requests.lifecycle import RequestAction, RequestStatus


class OutcomeDecision(StrEnum):
    SUPPORT_AGREED = "support_agreed"
    FUNDING_AGREED = "funding_agreed"
    PARTIALLY_AGREED = "partially_agreed"
    ADVICE_ONLY = "advice_only"
    SIGNPOSTED = "signposted"
    DEFERRED_MORE_INFO = "deferred_more_info"
    NOT_AGREED = "not_agreed"
    RECOMMEND_EHCNA = "recommend_ehcna_consideration"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def leads_to(self) -> RequestStatus:
        """The request's status once the outcome is confirmed."""
        return _LEADS_TO[self]

    @property
    def action(self) -> RequestAction:
        """The move from decided to :attr:`leads_to`."""
        return _MOVE[self.leads_to]

    @property
    def in_delivery(self) -> bool:
        """Support or funding agreed: it needs a review date."""
        return self.leads_to is RequestStatus.IN_DELIVERY

    @property
    def may_fund(self) -> bool:
        """A decision that may come with an amount of funding."""
        return self in (OutcomeDecision.FUNDING_AGREED, OutcomeDecision.PARTIALLY_AGREED)

    @property
    def needs_reason(self) -> bool:
        """The school reads why with the outcome."""
        return self in (
            OutcomeDecision.PARTIALLY_AGREED,
            OutcomeDecision.DEFERRED_MORE_INFO,
            OutcomeDecision.NOT_AGREED,
        )


_LABELS = {
    OutcomeDecision.SUPPORT_AGREED: "Support agreed",
    OutcomeDecision.FUNDING_AGREED: "Funding agreed",
    OutcomeDecision.PARTIALLY_AGREED: "Partly agreed",
    OutcomeDecision.ADVICE_ONLY: "Advice only",
    OutcomeDecision.SIGNPOSTED: "Signposted to other services",
    OutcomeDecision.DEFERRED_MORE_INFO: "Deferred for more information",
    OutcomeDecision.NOT_AGREED: "Not agreed",
    OutcomeDecision.RECOMMEND_EHCNA: "The school should consider asking for an EHC needs assessment",
    OutcomeDecision.WITHDRAWN: "Withdrawn",
}

_D, _S, _A = OutcomeDecision, RequestStatus, RequestAction
_LEADS_TO = {
    _D.SUPPORT_AGREED: _S.IN_DELIVERY,
    _D.FUNDING_AGREED: _S.IN_DELIVERY,
    _D.PARTIALLY_AGREED: _S.IN_DELIVERY,
    _D.ADVICE_ONLY: _S.CLOSED,
    _D.SIGNPOSTED: _S.CLOSED,
    _D.NOT_AGREED: _S.CLOSED,
    _D.RECOMMEND_EHCNA: _S.CLOSED,
    _D.DEFERRED_MORE_INFO: _S.RETURNED_FOR_INFO,
    _D.WITHDRAWN: _S.WITHDRAWN,
}
_MOVE = {
    _S.IN_DELIVERY: _A.DELIVER,
    _S.CLOSED: _A.CLOSE,
    _S.RETURNED_FOR_INFO: _A.RETURN_FOR_INFO,
    _S.WITHDRAWN: _A.WITHDRAW,
}


class ConflictRuling(StrEnum):
    """The chair's ruling, recorded for a member flagged for a conflict on an item."""

    TOOK_NO_PART = "took_no_part"
    SPOKE_NOT_DECIDED = "spoke_not_decided"
    NO_CONFLICT = "no_conflict"

    @property
    def label(self) -> str:
        return {
            ConflictRuling.TOOK_NO_PART: "Took no part",
            ConflictRuling.SPOKE_NOT_DECIDED: "Spoke but did not decide",
            ConflictRuling.NO_CONFLICT: "No conflict",
        }[self]

    @property
    def kept_out_of_the_decision(self) -> bool:
        return self is not ConflictRuling.NO_CONFLICT


class ReviewResult(StrEnum):
    ACHIEVED = "achieved"
    PARTLY_ACHIEVED = "partly_achieved"
    NOT_ACHIEVED = "not_achieved"

    @property
    def label(self) -> str:
        return {
            ReviewResult.ACHIEVED: "Achieved",
            ReviewResult.PARTLY_ACHIEVED: "Partly achieved",
            ReviewResult.NOT_ACHIEVED: "Not achieved",
        }[self]
