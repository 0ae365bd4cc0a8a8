"""After the meeting, in the chat.

- *Mark done* on an action reminder: the domain decides who may (the owner, the owner school's
  leaders and SENCOs, the chair or vice chair, an officer); the card updates in place.
- *Send my answer* on the school's review question: saved for the next agenda; a note that may
  identify a child shows the card again with the warning and a box to confirm it does not.
- *Outcomes* (officers; or `outcomes`): per community, the requests decided this academic year by
  decision, and the funding agreed.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from cards.followup.actions import ACTION_DONE, ACTION_FIELD, action_card
from cards.followup.reviews import (
    NOT_ABOUT_A_PUPIL,
    NOTE_FIELD,
    RESULT_FIELD,
    SCHOOL_REVIEW_ANSWER,
    review_answered_card,
    review_question_card,
)
from cards.followup.summary import outcomes_summary_card
from communities.academic_year import academic_year_of, academic_year_start
from communities.meetings.tables import LONDON, local
from communities.outcomes.access import OutcomeRefused
from communities.outcomes.actions import mark_action
from communities.outcomes.decisions import ReviewResult
from communities.outcomes.recording import IdentifyingText
from communities.outcomes.school_answers import answer_review, question_for
from communities.outcomes.summary import community_names, decided_rows, summarise
from communities.permissions import OUTCOMES_SUMMARY
from communities.requests.tables import Request
from dialogs.card_values import as_id
from dialogs.replies import send_card, show_card
from dialogs.routing import RouteTable, Turn
from dialogs.services import ChatServices

NO_ACTION = "That card has no action on it. Write `help` to see what you can do."
NO_REQUEST = "That card has no request on it. Write `help` to see what you can do."


def register(table: RouteTable) -> None:
    table.button(ACTION_DONE, _mark_done)
    table.button(SCHOOL_REVIEW_ANSWER, _answer_review)
    table.button(OUTCOMES_SUMMARY.key, _summary, capability=OUTCOMES_SUMMARY)
    table.command("decisions", OUTCOMES_SUMMARY.key)


def _value(turn: Turn) -> dict[str, Any]:
    return turn.value or {}


async def _mark_done(chat: ChatServices, turn: Turn) -> None:
    action_id = as_id(_value(turn).get(ACTION_FIELD))
    if action_id is None:
        await turn.context.send_activity(NO_ACTION)
        return
    async with chat.database.session() as session:
        try:
            marked = await mark_action(session, chat.clock, turn.profile, action_id)
        except OutcomeRefused as refused:
            await session.rollback()  # a refusal of permission has committed its audit row already
            await turn.context.send_activity(f"Sorry: {refused}")
            return
        await session.commit()
    note = "Marked done. Thank you." if marked.changed else "This action was already marked done."
    await show_card(turn.context, action_card(marked.line, note))


async def _answer_review(chat: ChatServices, turn: Turn) -> None:
    value = _value(turn)
    request_id = as_id(value.get("request_id"))
    if request_id is None:
        await turn.context.send_activity(NO_REQUEST)
        return
    result = value.get(RESULT_FIELD)
    note = value.get(NOTE_FIELD)
    confirmed = str(value.get(NOT_ABOUT_A_PUPIL, "")).lower() == "true"
    async with chat.database.session() as session:
        try:
            answered = await answer_review(
                session,
                chat.clock,
                turn.profile,
                request_id,
                result if isinstance(result, str) else None,
                note if isinstance(note, str) else "",
                not_about_a_pupil=confirmed,
            )
        except IdentifyingText as found:
            # Nothing was written: show the card again as typed, with the warning and the box.
            request = await session.get(Request, request_id)
            if request is None or request.review_date is None:
                return
            typed = replace(
                await question_for(session, request),
                result=_result(result),
                note=note if isinstance(note, str) else None,
            )
            await session.rollback()
            await show_card(turn.context, review_question_card(typed, str(found)))
            return
        except OutcomeRefused as refused:
            await session.rollback()  # a refusal of permission has committed its audit row already
            await turn.context.send_activity(f"Sorry: {refused}")
            return
        await session.commit()
    await show_card(turn.context, review_answered_card(answered.question))


def _result(value: Any) -> ReviewResult | None:
    try:
        return ReviewResult(value)
    except ValueError:
        return None


async def _summary(chat: ChatServices, turn: Turn) -> None:
    """This academic year's outcomes, per community (the same rows as the CSV report)."""
    year = academic_year_of(chat.clock.now(), LONDON)
    since = local(academic_year_start(year)).date()
    until = local(academic_year_start(year + 1)).date() - timedelta(days=1)
    async with chat.database.session() as session:
        rows = await decided_rows(session, since, until)
        names = await community_names(session)
    await send_card(turn.context, outcomes_summary_card(since, until, summarise(rows, names)))
