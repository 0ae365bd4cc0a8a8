"""What every step of the Request Form understands: cancel, back, help, a stale card, asking again."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.dialogs import DialogTurnResult, WaterfallStepContext

from cards.requests.form import review_card, school_card, stopped_card
from communities.clock import Clock
from communities.db import Database
from communities.requests.drafts import NotEditable, editable_request, staff_schools
from communities.requests.form import BY_NAME, sections_for
from communities.requests.lifecycle import RequestStatus
from communities.requests.returns import ANSWER
from communities.requests.tables import Request
from communities.roster.directory import PersonProfile
from dialogs.card_values import as_id
from dialogs.requests.form import answers
from dialogs.requests.form.answers import REVIEW
from dialogs.requests.form.live_card import retire_live_card
from dialogs.requests.form.names import where_from, where_shown
from dialogs.requests.form.replies import (
    COMMANDS_HINT,
    EARLIER_STEP_KEPT,
    STALE_CARD,
    chair_note_of,
    help_for,
    note,
    say,
    section_card_for,
    send_card,
)
from dialogs.requests.form.saving import editable_or_why, store_answer_to_chair
from dialogs.requests.form.turns import CHECKED, SCHOOL, TurnInput, carry, is_form_submit, options_of
from dialogs.turn_profile import turn_profile

log = logging.getLogger(__name__)


class FormSteps:
    """The steps' shared behaviour, for :class:`RequestFormDialog` (a ComponentDialog) to inherit."""

    _db: Database
    _clock: Clock

    async def _common(
        self, step: WaterfallStepContext, name: str, request_id: int | None, incoming: TurnInput
    ) -> DialogTurnResult:
        if incoming.kind == "cancel":
            return await self._cancel(step, request_id)
        if incoming.kind == "help":
            request = await self._request(step, request_id) if request_id is not None else None
            details = request.details if request is not None else None
            await say(step.context, help_for(name, details) + "\n\n" + COMMANDS_HINT)
            return await step.replace_dialog(name, carry(options_of(step), request_id, quiet=True))
        if incoming.kind == "back":
            return await self._back(step, name, request_id)
        if incoming.kind == "stale":
            return await self._stale(step, name, request_id, incoming.value)
        return await self._again(
            step,
            name,
            request_id,
            "Please answer with the card below, then press its button. " + COMMANDS_HINT,
        )

    async def _cancel(self, step: WaterfallStepContext, request_id: int | None) -> DialogTurnResult:
        if request_id is None:
            return await self._refuse(
                step, "Cancelled: no request was started. Write `help` to see the menu."
            )
        request = await self._request(step, request_id)  # says why, if not theirs to stop
        if request is None:
            return await step.end_dialog()
        stopped = (
            f"Stopped. Your draft **{request.ref}** is saved: write `continue` (or choose **Continue my "
            "draft** on the menu) to finish it. Write `help` to see the menu."
        )
        if is_form_submit(step.context.activity.value):  # the card pressed shows it, with no buttons left
            await send_card(step.context, stopped_card(request.ref, stopped))
        else:
            await retire_live_card(step.context, stopped_card(request.ref, "Stopped: the draft is saved."))
            await say(step.context, stopped)
        return await step.end_dialog()

    async def _back(self, step: WaterfallStepContext, name: str, request_id: int | None) -> DialogTurnResult:
        if request_id is None:
            return await self._again(step, name, None, "This is the first step.")
        if options_of(step).get("review") and name != REVIEW:
            return await step.replace_dialog(REVIEW, {"request_id": request_id})
        request = await self._request(step, request_id)
        if request is None:
            return await step.end_dialog()
        previous = answers.previous_step(name, request.details)
        if previous is None:
            return await self._again(
                step, name, request_id, "This is the first step: there is nothing before it."
            )
        return await step.replace_dialog(previous, {"request_id": request_id})

    async def _stale(
        self, step: WaterfallStepContext, name: str, request_id: int | None, value: Mapping[str, Any]
    ) -> DialogTurnResult:
        """A card that is not the current step's. Of this request: what was typed on it is kept
        (shown again, not saved over newer answers) and its commands apply; of another request:
        never used, and a forged one is refused."""
        other = as_id(value.get("request_id"))
        profile = await self._profile(step)
        if profile is None:
            return await step.end_dialog()
        log.info("request form: a card for another step or request was pressed")
        if other is not None and other == request_id:
            return await self._older_card(step, name, other, value)
        refusal: NotEditable | None = None
        if other is not None:
            async with self._db.session() as session:
                try:
                    await editable_request(session, self._clock, profile, other)
                except NotEditable as reason:
                    refusal = reason
        # The session is closed first: _again reads the request in a session of its own.
        message = f"Sorry: {refusal} I have not used that card." if refusal else STALE_CARD
        return await self._again(step, name, request_id, message)

    async def _older_card(
        self, step: WaterfallStepContext, name: str, request_id: int, value: Mapping[str, Any]
    ) -> DialogTurnResult:
        """A card of this request from another step: its command, or what was typed on it."""
        command, section = value.get("command"), str(value.get("section"))
        if command in ("cancel", "help"):
            return await self._common(step, name, request_id, TurnInput(str(command), dict(value)))
        if section == REVIEW and command == "edit" and str(value.get("edit")) in BY_NAME:
            return await step.replace_dialog(
                str(value.get("edit")), {"request_id": request_id, "review": True}
            )
        if section == REVIEW and command == "submit":  # not sent unseen: the answers may have changed
            note(step.context, "That card was from before your latest changes, so here they are to check:")
            return await step.replace_dialog(REVIEW, {"request_id": request_id})
        if command is None and section in BY_NAME:
            request = await self._request(step, request_id)
            if request is None:
                return await step.end_dialog()
            kept = await self._keep_typed(step, request, section, value, EARLIER_STEP_KEPT)
            if kept is not None:
                return kept
        return await self._again(step, name, request_id, STALE_CARD)

    async def _keep_typed(
        self, step: WaterfallStepContext, request: Request, name: str, value: Mapping[str, Any], why: str
    ) -> DialogTurnResult | None:
        """Show section ``name`` with what was typed on an old card, unsaved, and wait there (as an
        Edit from the review); None when the card held nothing new or the section does not apply."""
        section = BY_NAME.get(name)
        if section is None or request.id is None or section not in sections_for(request.details):
            return None
        read = answers.read_section(section, value, request.details).values
        typed = {key: answer for key, answer in read.items() if answer is not None}
        if all(request.details.get(key) == answer for key, answer in typed.items()):
            return None
        note(step.context, why)
        await send_card(step.context, section_card_for(section, request, {**request.details, **typed}))
        return await step.replace_dialog(name, {"request_id": request.id, "review": True, "quiet": True})

    async def _again(
        self, step: WaterfallStepContext, name: str, request_id: int | None, message: str | None = None
    ) -> DialogTurnResult:
        """Say ``message``, show this step's card again and wait for it."""
        if message:
            note(step.context, message)
        request = None
        if request_id is not None:
            request = await self._request(step, request_id)
            if request is None:
                return await step.end_dialog()
        if not await self._show(step.context, name, request):
            return await step.end_dialog()
        return await step.replace_dialog(name, carry(options_of(step), request_id, quiet=True))

    async def _show(self, context: TurnContext, name: str, request: Request | None) -> bool:
        """Send the card of step ``name``; False if there is nothing to show."""
        if name == SCHOOL:
            profile = turn_profile(context)
            schools = staff_schools(profile) if profile else []
            await send_card(context, school_card([(s.id, s.name) for s in schools]))
            return True
        if request is None or request.id is None:
            return False
        if name == REVIEW:
            await self._show_review(context, request)
            return True
        await send_card(context, section_card_for(BY_NAME[name], request, request.details))
        return True

    async def _show_review(
        self, context: TurnContext, request: Request, *, typed: str | None = None, problem: str | None = None
    ) -> None:
        assert request.id is not None
        where = await where_shown(self._db, context, request)
        saved = request.details.get(ANSWER)
        card = review_card(
            ref=request.ref,
            request_id=request.id,
            school=where.school,
            status=RequestStatus(request.status).label,
            details=request.details,
            chair_note=chair_note_of(request),
            answer=typed if typed is not None else saved if isinstance(saved, str) else None,
            problem=problem,
        )
        await send_card(context, card)

    async def _take_answer(
        self,
        step: WaterfallStepContext,
        request_id: int | None,
        value: Mapping[str, Any],
        *,
        submitting: bool,
    ) -> DialogTurnResult | None:
        """Save the answer to the chair typed on the review card (a request returned for information).
        If it cannot be saved, the card comes back with it and why; None: carry on."""
        typed = value.get(ANSWER)
        if request_id is None or typed is None or (not submitting and not str(typed).strip()):
            return None
        profile = await self._profile(step)
        if profile is None:
            return await step.end_dialog()
        async with self._db.session() as session:
            outcome = await store_answer_to_chair(session, self._clock, profile, request_id, typed)
        if isinstance(outcome, Request):
            step.context.turn_state[CHECKED] = outcome
            return None
        request = await self._request(step, request_id)
        if request is None:
            return await step.end_dialog()
        await self._show_review(step.context, request, typed=str(typed), problem=outcome)
        return await step.replace_dialog(REVIEW, {"request_id": request_id, "quiet": True})

    async def _request(self, step: WaterfallStepContext, request_id: int | None) -> Request | None:
        """The request, if this person may still edit it; otherwise they are told why (None)."""
        profile = await self._profile(step)
        if profile is None or request_id is None:
            return None
        checked = step.context.turn_state.get(CHECKED)
        if isinstance(checked, Request) and checked.id == request_id:
            return checked
        async with self._db.session() as session:
            request = await editable_or_why(session, self._clock, profile, request_id)
            if isinstance(request, Request):  # for this turn's next card: no second read
                await where_from(session, request, step.context)
        if isinstance(request, NotEditable):
            await say(step.context, f"Sorry: {request}")
            return None
        step.context.turn_state[CHECKED] = request
        return request

    async def _refuse(self, step: WaterfallStepContext, message: str) -> DialogTurnResult:
        """Say why, and leave the form."""
        await say(step.context, message)
        return await step.end_dialog()

    async def _profile(self, step: WaterfallStepContext) -> PersonProfile | None:
        profile = turn_profile(step.context)
        if profile is None:
            await say(step.context, "Sorry, I couldn't tell who you are. Write `help` to start again.")
        return profile
