"""What every step of the Request Form understands: cancel, back, help, a stale card, asking again."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.dialogs import DialogTurnResult, WaterfallStepContext

from cards.requests.form import review_card, school_card
from communities.clock import Clock
from communities.db import Database
from communities.requests.drafts import NotEditable, editable_request, staff_schools
from communities.requests.form import BY_NAME
from communities.requests.lifecycle import RequestStatus
from communities.requests.tables import Request
from communities.roster.directory import PersonProfile
from dialogs.card_values import as_id
from dialogs.requests.form import answers
from dialogs.requests.form.answers import REVIEW
from dialogs.requests.form.names import where_from
from dialogs.requests.form.replies import (
    COMMANDS_HINT,
    STALE_CARD,
    help_for,
    note,
    say,
    section_card_for,
    send_card,
)
from dialogs.requests.form.saving import editable_or_why
from dialogs.requests.form.turns import CHECKED, SCHOOL, TurnInput, carry, options_of
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
            await say(step.context, help_for(name) + "\n\n" + COMMANDS_HINT)
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
        async with self._db.session() as session:
            request = await session.get(Request, request_id)
        ref = request.ref if request else "your request"
        await say(
            step.context,
            f"Stopped. Your draft **{ref}** is saved: write `continue` (or choose **Continue my draft** "
            "on the menu) to finish it. Write `help` to see the menu.",
        )
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
        """A card from an earlier step or another request: never used; a forged one is refused."""
        other = as_id(value.get("request_id"))
        profile = await self._profile(step)
        if profile is None:
            return await step.end_dialog()
        log.info("request form: a card for another step or request was not used")
        refusal: NotEditable | None = None
        if other is not None and other != request_id:
            async with self._db.session() as session:
                try:
                    await editable_request(session, self._clock, profile, other)
                except NotEditable as reason:
                    refusal = reason
        # The session is closed first: _again reads the request in a session of its own.
        message = f"Sorry: {refusal} I have not used that card." if refusal else STALE_CARD
        return await self._again(step, name, request_id, message)

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
            async with self._db.session() as session:
                where = await where_from(session, request)
            card = review_card(
                ref=request.ref,
                request_id=request.id,
                school=where.school,
                status=RequestStatus(request.status).label,
                details=request.details,
            )
            await send_card(context, card)
            return True
        await send_card(context, section_card_for(BY_NAME[name], request, request.details))
        return True

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
        if isinstance(request, NotEditable):
            await say(step.context, f"Sorry: {request}")
            return None
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
