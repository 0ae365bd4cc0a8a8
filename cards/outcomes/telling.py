"""What the school is told of its outcome (its own chat, and My requests), and the channel's summary.

The school's card carries the decision, what was offered and agreed, the actions with owners and
dates, funding, the review date, and a line to use with parents (our suggested wording, not
Kent's). The channel's summary carries, per item, the reference, the school, the decision and the
amount only: never anything about a pupil (domain.md §5).
"""

from __future__ import annotations

from cards.disputes.dispute import DISPUTE_START, REF_FIELD
from cards.elements import Card, Element, card, facts, heading, subheading, submit, text
from communities.outcomes.telling import ChannelSummary, SchoolOutcome


def school_outcome_card(outcome: SchoolOutcome) -> Card:
    """The DM to the person who raised the request and the school's leaders. A school leader may
    dispute it (:mod:`dialogs.disputes`): the button names the request, the bot finds its outcome."""
    return card(
        [
            heading(f"Outcome of {outcome.ref}"),
            text(f"The {outcome.community} meeting on {outcome.meeting_when} decided it.", subtle=True),
            *outcome_section(outcome, with_heading=False),
        ],
        [submit("Dispute this outcome", DISPUTE_START, **{REF_FIELD: outcome.ref})],
    )


def outcome_section(outcome: SchoolOutcome, *, with_heading: bool = True) -> list[Element]:
    """The outcome's parts (for the school's DM, and the request's card in My requests)."""
    elements: list[Element] = [subheading("The meeting's outcome")] if with_heading else []
    if outcome.decision.label.find("EHC") >= 0:
        elements.append(text("EHC: education, health and care.", subtle=True))
    rows = [("School", outcome.school), ("Decision", outcome.decision.label)]
    if outcome.funding:
        rows.append(("Funding agreed", outcome.funding))
        if outcome.funding_period:
            rows.append(("Funding covers", outcome.funding_period))
    if outcome.review_date:
        rows.append(("Review by", outcome.review_date))
    elements.append(facts(rows))
    if outcome.rationale:
        elements += [subheading("Why"), text(outcome.rationale)]
    if outcome.what_is_working:
        elements += [subheading("What is working"), text(outcome.what_is_working)]
    if outcome.offers:
        elements += [
            subheading("Ideas and offers"),
            text("\n".join(f"- **{o.school}**: {o.offer}" for o in outcome.offers)),
        ]
    if outcome.actions:
        elements += [
            subheading("Agreed actions"),
            text("\n".join(f"- {a.description}: **{a.owner}**, by {a.due}" for a in outcome.actions)),
        ]
    elements += [
        subheading("For parents and carers"),
        text("A line you can use with them (our suggested wording, not Kent's):", subtle=True),
        text(f"“{outcome.parents_line}”"),
    ]
    return elements


def outcomes_channel_card(summary: ChannelSummary) -> Card:
    """The community channel's one summary of a confirmed meeting."""
    body: list[Element] = [
        heading(f"Outcomes: {summary.community_name} ({summary.code})"),
        text(f"The meeting on {summary.when}.", subtle=True),
    ]
    if any("EHC" in line.decision for line in summary.lines):
        body.append(text("EHC: education, health and care.", subtle=True))
    for line in summary.lines:
        rows = [("School", line.school), ("Decision", line.decision)]
        if line.amount:
            rows.append(("Funding agreed", line.amount))
        body.append({"type": "Container", "separator": True, "items": [text(f"**{line.ref}**"), facts(rows)]})
    body.append(
        text(
            "Each school has been told its outcome in its chat with the bot. Pupil details are never "
            "posted in the channel.",
            subtle=True,
        )
    )
    return card(body)
