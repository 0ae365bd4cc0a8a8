"""Saving one section of the Request Form: checked, warned about text that may identify a child, saved."""

from __future__ import annotations

import logging
from typing import Any

from botbuilder.core import TurnContext
from sqlmodel.ext.asyncio.session import AsyncSession

from cards.elements import Card
from communities.clock import Clock
from communities.identifying_text import warning_for
from communities.requests import identifying_answers, returns
from communities.requests.drafts import NotEditable, editable_request, reopen_for_editing
from communities.requests.form import Section, request_type_of
from communities.requests.identifying_answers import ACKNOWLEDGED
from communities.requests.lifecycle import IllegalTransition, RequestStatus
from communities.requests.service import RequestRefused, save_answers
from communities.requests.tables import Request
from communities.roster.directory import PersonProfile
from dialogs.requests.form import answers
from dialogs.requests.form.names import where_from
from dialogs.requests.form.replies import section_card_for

log = logging.getLogger(__name__)

FIELD_LABELS = {
    "needs_summary": "The needs in brief",
    "graduated_response": "What has been tried",
    "what_worked": "What worked",
    "hoped_outcome": "The outcome you hope for",
    "specialist_other": "The other specialist",
    "support_other": "The other support",
    "urgency_reason": "Why it is urgent",
    "answer_to_chair": "Your answer to the chair",
}


class NotSaved(str):
    """Why the service refused to save answers that were fine in themselves."""


async def store_section(
    session: AsyncSession,
    clock: Clock,
    profile: PersonProfile,
    section: Section,
    request_id: int,
    submitted: dict[str, Any],
    context: TurnContext | None = None,
) -> Request | NotEditable | NotSaved | Card:
    """Check and save one section's answers: the saved request, why not, or the card to show again.

    With ``context``, where the request is from is kept for the turn's next card (read with it)."""
    request = await editable_or_why(session, clock, profile, request_id)
    if isinstance(request, NotEditable):
        return request
    read = answers.read_section(section, submitted, request.details)
    shown = {**request.details, **read.values}
    if read.problems:
        return section_card_for(section, request, shown, problems=read.problems)
    found = await identifying_answers.identifying_in(session, clock, profile, request, read.values)
    if found and submitted.get("keep_wording") is not True:
        warning = " ".join(f"{FIELD_LABELS[name]}: {warning_for(f)}" for name, f in found.items())
        return section_card_for(section, request, shown, warning=warning)
    # None clears an answer that no longer applies; one never given needs no key.
    values = {k: v for k, v in read.values.items() if v is not None or k in request.details}
    if any(
        name in section.fields_for(request_type_of(request.details)) for name in identifying_answers.FREE_TEXT
    ):
        values[ACKNOWLEDGED] = identifying_answers.acknowledgements(
            request.details,
            read.values,
            found,
            person_id=profile.person_id,
            at=clock.now().isoformat(),
        )
    try:
        request = await save_answers(session, clock, profile, request_id, values, read=request)
        await session.commit()
    except (RequestRefused, IllegalTransition) as refused:
        return NotSaved(str(refused))
    log.info("request %s: %s saved%s", request.ref, section.name, " (wording kept)" if found else "")
    if context is not None:
        await where_from(session, request, context)
    return request


async def editable_or_why(
    session: AsyncSession, clock: Clock, profile: PersonProfile, request_id: int, *, reopening: bool = False
) -> Request | NotEditable:
    """The request if the person may still edit it, else why not: the caller says so after the
    session closes, since a reply must never hold the database connection. ``reopening``: the form
    shows its answers again (an audited read; the caller commits)."""
    try:
        if reopening:
            return await reopen_for_editing(session, clock, profile, request_id)
        return await editable_request(session, clock, profile, request_id)
    except NotEditable as reason:
        return reason


async def store_answer_to_chair(
    session: AsyncSession, clock: Clock, profile: PersonProfile, request_id: int, typed: Any
) -> Request | str:
    """Save the answer to the chair's note typed on the review card of a request returned for
    information; the request, or why it was not saved (for the card, with what was typed)."""
    request = await editable_or_why(session, clock, profile, request_id)
    if isinstance(request, NotEditable):
        return str(request)
    if request.status != RequestStatus.RETURNED_FOR_INFO:
        return request
    problem = returns.answer_problem(typed)
    if problem:
        return problem
    warning = await returns.identifying_in_answer(session, clock, profile, request, typed)
    if warning:
        return warning
    try:
        answer = {returns.ANSWER: typed.strip()}
        request = await save_answers(session, clock, profile, request_id, answer, read=request)
        await session.commit()
    except (RequestRefused, IllegalTransition) as refused:
        return str(refused)
    return request
