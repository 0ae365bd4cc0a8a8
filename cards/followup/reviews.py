"""The school's review question when agreed support falls due for review, and its answer."""

from __future__ import annotations

from cards.elements import Card, Element, card, facts, heading, submit, text
from communities.outcomes.decisions import ReviewResult
from communities.outcomes.school_answers import ReviewQuestion

SCHOOL_REVIEW_ANSWER = "school_review_answer"
RESULT_FIELD = "review_result"
NOTE_FIELD = "review_note"
NOT_ABOUT_A_PUPIL = "not_about_a_pupil"


def review_question_summary(question: ReviewQuestion) -> str:
    return f"How did the support for {question.ref} go? Its review is due"


def review_question_card(question: ReviewQuestion, warning: str = "") -> Card:
    """Three answers and a note; the answer so far is shown chosen. ``warning``: the note may identify
    a child, with a box to confirm it does not."""
    due = f"{question.review_date.day} {question.review_date:%B %Y}"
    body: list[Element] = [
        heading(f"How did the support go? {question.ref}"),
        text(
            f"The support agreed for {question.school} is due for review ({due}). Tell the community how "
            "it went: your answer goes on the next meeting's agenda, where the chair records the review "
            "and whether the support goes on."
        ),
        {
            "type": "Input.ChoiceSet",
            "id": RESULT_FIELD,
            "label": "How did it go?",
            "style": "expanded",
            "isRequired": True,
            "errorMessage": "Choose how it went.",
            "value": question.result.value if question.result else "",
            "choices": [{"title": r.label, "value": r.value} for r in ReviewResult],
        },
        {
            "type": "Input.Text",
            "id": NOTE_FIELD,
            "label": "A note for the meeting (what worked, what did not). Never a pupil's name.",
            "isMultiline": True,
            "maxLength": 2000,
            "value": question.note or "",
        },
    ]
    if warning:
        body.append(text(warning))
        body.append(
            {
                "type": "Input.Toggle",
                "id": NOT_ABOUT_A_PUPIL,
                "title": "This does not identify a child",
                "valueOn": "true",
                "valueOff": "false",
            }
        )
    title = "Send my answer again" if question.result else "Send my answer"
    return card(body, [submit(title, SCHOOL_REVIEW_ANSWER, request_id=question.request_id)])


def review_answered_card(question: ReviewQuestion) -> Card:
    """What was sent: the answer, and what happens next (no button: it is on the agenda now)."""
    result = question.result.label if question.result else "Not answered"
    pairs = [("Request", question.ref), ("How it went", result)]
    if question.note:
        pairs.append(("Note", question.note))
    return card(
        [
            heading(f"Thank you: {question.ref}"),
            facts(pairs),
            text(
                "Your answer goes on the next meeting's agenda, under reviews of earlier outcomes. The chair "
                "records the review there, and you are told whether the support goes on.",
                subtle=True,
            ),
        ]
    )
