"""The return loop: the chair's note, the school's answer, and what the chair sees when it comes back.

While a request is returned for information, its note is in ``Request.return_note`` and the school's
answer is saved in ``details`` as they write it (it may describe the pupil, so it is pupil-level and
goes wherever the answers go). On resubmitting, the note moves into ``details`` beside the answer,
so that the chair sees both, the answer highlighted, when the request comes back to them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from communities.clock import Clock
from communities.identifying_text import warning_for
from communities.requests import identifying_answers
from communities.requests.lifecycle import RequestStatus
from communities.requests.tables import Request
from communities.roster.directory import PersonProfile

#: Where the school's answer to the chair's note is kept in ``details``.
ANSWER = "answer_to_chair"
#: Where the note that was answered is kept in ``details`` once the request is resubmitted.
ANSWERED_NOTE = "chair_note"
ANSWER_MAX = 2000

NO_ANSWER = "Answer the chair's note (in **Your answer to the chair**) before you resubmit it."


@dataclass(frozen=True)
class Exchange:
    """The chair's note on a request and the school's answer to it."""

    note: str
    answer: str | None
    #: Resubmitted with this answer and waiting for the chair: show it to them highlighted.
    new: bool


def exchange_of(request: Request) -> Exchange | None:
    """The note and answer of the request's last return for information, if it had one."""
    answer = request.details.get(ANSWER)
    answer = answer if isinstance(answer, str) and answer.strip() else None
    if request.status == RequestStatus.RETURNED_FOR_INFO and request.return_note:
        return Exchange(request.return_note, answer, new=False)
    note = request.details.get(ANSWERED_NOTE)
    if isinstance(note, str) and note:
        return Exchange(note, answer, new=request.status == RequestStatus.SUBMITTED)
    return None


def answer_problem(answer: Any) -> str | None:
    """What is wrong with an answer to the chair, in words for the school; None when it is fine."""
    if not isinstance(answer, str) or not answer.strip():
        return NO_ANSWER
    if len(answer) > ANSWER_MAX:
        return f"Keep your answer to the chair under {ANSWER_MAX:,} characters."
    return None


def still_to_answer(request: Request) -> list[str]:
    """What a request returned for information lacks before it can be resubmitted."""
    if request.status != RequestStatus.RETURNED_FOR_INFO:
        return []
    problem = answer_problem(request.details.get(ANSWER))
    return [problem] if problem else []


async def identifying_in_answer(
    session: AsyncSession, clock: Clock, actor: PersonProfile, request: Request, answer: str
) -> str | None:
    """A warning if the answer may identify a child (a name, a date of birth, a pupil number)."""
    found = await identifying_answers.identifying_in(session, clock, actor, request, {ANSWER: answer})
    return warning_for(found[ANSWER]) if ANSWER in found else None


def on_resubmit(request: Request) -> None:
    """Keep the note that was answered beside the answer, for the chair to read."""
    request.details = {**request.details, ANSWERED_NOTE: request.return_note}
    request.return_note = None


def without_last_exchange(details: Mapping[str, Any]) -> dict[str, Any]:
    """The answers once the request is returned again: a new note needs a new answer."""
    return {k: v for k, v in details.items() if k not in (ANSWER, ANSWERED_NOTE)}
