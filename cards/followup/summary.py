"""The officer's outcomes summary: per community, the requests decided by decision and the funding agreed."""

from __future__ import annotations

from datetime import date

from cards.elements import Card, Element, card, facts, heading, subheading, text
from communities.outcomes.summary import CommunityOutcomes
from communities.outcomes.validation import pounds
from communities.wording import counted


def outcomes_summary_card(since: date, until: date, lines: list[CommunityOutcomes]) -> Card:
    period = f"{since.day} {since:%B %Y} to {until.day} {until:%B %Y}"
    body: list[Element] = [
        heading("Outcomes by community"),
        text(f"Requests decided at meetings from {period}, and the funding agreed."),
    ]
    if not lines:
        body.append(text("No outcomes have been confirmed in that time."))
    for line in lines:
        body.append(subheading(f"{line.name} ({line.code}): {counted(line.decided, 'request')} decided"))
        pairs = [(decision.label, str(count)) for decision, count in line.by_decision]
        pairs.append(("Funding agreed", pounds(line.funding_pence) if line.funding_pence else "None"))
        body.append(facts(pairs))
    body.append(
        text(
            "The same numbers as `cosbot report outcomes`, which writes one line per decided request.",
            subtle=True,
        )
    )
    return card(body)
