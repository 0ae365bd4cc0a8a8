"""Every word of the officers' report, in one place (our proposal, not Kent's official text)."""

from __future__ import annotations

from communities.outcomes.decisions import OutcomeDecision
from communities.requests.form import NEED_AREAS
from communities.requests.lifecycle import RequestStatus

#: What a count of 1 to 4 shows.
FEWER_THAN_5 = "fewer than 5"
#: What a count hidden so that a small one cannot be worked out shows.
NOT_SHOWN = "not shown"
#: A median over fewer than 5 requests.
MEDIAN_SUPPRESSED = "fewer than 5 decided"
SUPPRESSION_NOTE = (
    "To protect children's identities, a count from 1 to 4 shows as “fewer than 5”, and a few other "
    "counts show as “not shown” so that it cannot be worked out from the totals. A median over fewer "
    "than 5 requests is not shown. Charts leave these out."
)
#: A line of counts that are all 0.
NONE = "None"
NOT_LISTED = "A category not listed on a line has none."
MEDIAN_LABEL = "Median calendar days from submission to decision"
ALL_AREAS = "All areas"
#: Above an area's list of its communities' codes and names.
COMMUNITIES = "Communities"

#: Requests by where they are: (key, label, statuses). A draft is not a request yet.
STATUS_GROUPS: tuple[tuple[str, str, frozenset[RequestStatus]], ...] = (
    (
        "with_chair",
        "With the chair",
        frozenset({RequestStatus.SUBMITTED, RequestStatus.RETURNED_FOR_INFO}),
    ),
    (
        "waiting_meeting",
        "Waiting for or at a meeting",
        frozenset(
            {RequestStatus.ACCEPTED, RequestStatus.SCHEDULED, RequestStatus.DISCUSSED, RequestStatus.DECIDED}
        ),
    ),
    ("in_delivery", "In delivery", frozenset({RequestStatus.IN_DELIVERY, RequestStatus.REVIEW_DUE})),
    ("closed", "Closed", frozenset({RequestStatus.CLOSED})),
    ("withdrawn", "Withdrawn", frozenset({RequestStatus.WITHDRAWN})),
)

#: Requests by the main area of need (the form's category, never its words), then those without one.
NOT_RECORDED = ("not_recorded", "No area given (whole school or community)")
NEED_GROUPS: tuple[tuple[str, str], ...] = (*NEED_AREAS.items(), NOT_RECORDED)

D = OutcomeDecision
#: Decisions as the report groups them: (key, label, decisions).
DECISION_GROUPS: tuple[tuple[str, str, frozenset[OutcomeDecision]], ...] = (
    (
        "agreed",
        "Agreed (support or funding)",
        frozenset({D.SUPPORT_AGREED, D.FUNDING_AGREED, D.PARTIALLY_AGREED}),
    ),
    (
        "advice",
        "Advice or signposting",
        frozenset({D.ADVICE_ONLY, D.SIGNPOSTED, D.RECOMMEND_EHCNA}),
    ),
    ("deferred", "Deferred", frozenset({D.DEFERRED_MORE_INFO})),
    ("not_agreed", "Not agreed", frozenset({D.NOT_AGREED})),
    ("withdrawn", "Withdrawn", frozenset({D.WITHDRAWN})),
)

DECISIONS_TITLE = (
    "Decisions at meetings (advice or signposting includes an education, health and care needs "
    "assessment advised)"
)

#: What is overdue on the day the report is made: (key, label).
OVERDUE_GROUPS: tuple[tuple[str, str], ...] = (
    ("actions", "Actions past their due date"),
    ("reviews", "Reviews past their date"),
    ("disputes", "Disputes past a deadline"),
)

TOTAL = ("total", "Total")

# ---- the card: headings, inputs and charts -------------------------------------------------------

TITLE = "Report: {place}"
AREA_TITLE = "{area} area"
PERIOD = (
    "From {start} to {end}: the requests submitted, and the decisions of meetings, in that time. Overdue "
    "as of {today}. Funding for the financial year {year}."
)
STATUS_TITLE = "Requests by status"
NEED_TITLE = "Requests by main area of need"
FUNDING_TITLE = "Funding committed against budget, {year}"
OVERDUE_TITLE = "Overdue on {today}"
NO_BUDGET = "No budget set"
COMMITTED_OF = "{committed} committed of {budget}"
FROM_LABEL, TO_LABEL, PLACE_LABEL, SHOW = "From", "To", "Area or community", "Show"
CHARTS_LEAVE_OUT = "The charts leave out counts that are not shown as numbers."
NEED_CHART = "Requests by main area of need. " + CHARTS_LEAVE_OUT
FUNDING_CHART = "Funding committed against budget (£), {year}"
AREA_AXIS, COMMUNITY_AXIS, REQUESTS_AXIS = "Area", "Community", "Requests"
COMMITTED, AVAILABLE, OVER_BUDGET = "Committed", "Available", "Over budget"
FOOTNOTE = "`cosbot report summary` writes the same figures."

# ---- the card's date pickers, when what came back is wrong -------------------------------------

BAD_DATE = "“{typed}” is not a date: choose the days with the date pickers."
BACKWARDS = "The period ends before it starts: choose a “To” day on or after the “From” day."
