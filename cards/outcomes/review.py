"""A review due at the meeting: how the support went, and whether it closes or goes on."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cards.elements import Card, Element, card, heading, text
from cards.outcomes.inputs import (
    KEEP_WORDING,
    OUTCOME_REVIEW_SAVE,
    OUTCOMES_OPEN,
    button,
    buttons,
    choice_input,
    date_input,
    problem,
    text_input,
)
from communities.outcomes.decisions import ReviewResult
from communities.outcomes.reviews import ReviewItem
from communities.outcomes.telling import day_text

RESULTS = {r.value: r.label for r in ReviewResult}


def review_card(
    meeting_id: int, review: ReviewItem, values: Mapping[str, Any], *, said: str = "", warning: str = ""
) -> Card:
    """The review's card; ``said`` is why it was not recorded (shown with what was typed kept)."""
    ids = {"meeting_id": meeting_id, "request_id": review.request_id}
    body: list[Element] = [heading(f"Review of {review.ref} ({review.school})")]
    if review.review_date:
        body.append(text(f"Review due {day_text(review.review_date)}.", subtle=True))
    body += problem(said)
    if warning:
        body += problem(warning)
        body.append(
            buttons(
                button(
                    "Keep it as written (it is not about a pupil)",
                    OUTCOME_REVIEW_SAVE,
                    inputs=True,
                    **ids,
                    **{KEEP_WORDING: True},
                )
            )
        )
    body += [
        choice_input("result", "How did the support go?", RESULTS, values, placeholder="Choose the result"),
        text_input("note", "In a sentence (the school reads it with the result)", values, multiline=True),
        date_input(
            "next_review_date",
            "If the support goes on: the next review date (leave it empty to close)",
            values,
        ),
        text(
            "Recording the review closes the request, or continues the support in delivery to the next "
            "review date.",
            subtle=True,
        ),
    ]
    return card(
        body,
        [
            button("Record the review", OUTCOME_REVIEW_SAVE, inputs=True, **ids),
            button("Back to the outcomes", OUTCOMES_OPEN, meeting_id=meeting_id),
        ],
    )
