"""'Raise a request': the Request Form as a guided dialog in personal chat.

A ComponentDialog of small waterfalls, one per step: ``school`` (only for someone on the staff
of several schools), the six sections of :data:`communities.requests.form.SECTIONS`, and ``review``.
Each step's waterfall sends its card, then reads the answer and moves on by replacing itself
with the next step (or with itself, to ask again), so ``back``, Edit from the review and
resuming are jumps between steps rather than a fixed order.

The draft lives in the database, saved with ``request_service.save_answers`` after every
completed step; the dialog state holds only the request id, the step and whether to return to
the review. So "Continue my draft" resumes at the first incomplete step after a restart or
days later, and a card from an old step or another request can never change the draft: every
submit must name this dialog's own request and current step, and the service re-checks the
person's permission on the stored request. Pupil detail never goes into a log line.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from botbuilder.dialogs import (
    ComponentDialog,
    Dialog,
    DialogContext,
    DialogTurnResult,
    WaterfallDialog,
    WaterfallStepContext,
)

from cards.requests.form import confirmation_card, draft_choice_card
from communities.clock import Clock
from communities.db import Database
from communities.messaging.outbox import Outbox
from communities.requests.drafts import NotEditable, latest_draft, staff_schools
from communities.requests.form import BY_NAME, SECTIONS, TYPE, Section, section_title, sections_for
from communities.requests.lifecycle import IllegalTransition, RequestStatus, next_step
from communities.requests.service import DEFAULT_MAX_OPEN, RequestRefused, start_draft, submit
from communities.requests.tables import Request
from communities.roster.directory import PersonProfile
from dialogs.card_values import as_id
from dialogs.requests.form import answers
from dialogs.requests.form.answers import REVIEW
from dialogs.requests.form.live_card import share_form_state
from dialogs.requests.form.names import triagers_told, where_from
from dialogs.requests.form.replies import (
    CLOSED_FORM_KEPT,
    COMMANDS_HINT,
    NO_DRAFT,
    note,
    section_card_for,
    send_card,
    told_text,
)
from dialogs.requests.form.saving import NotSaved, editable_or_why, store_section
from dialogs.requests.form.steps import FormSteps
from dialogs.requests.form.turns import (
    CHECKED,
    LEAVE_WORDS,
    OPEN,
    SCHOOL,
    carry,
    is_form_submit,
    options_of,
    read_turn,
)

log = logging.getLogger(__name__)

Step = Callable[[WaterfallStepContext], Awaitable[DialogTurnResult]]


async def continue_request_form(dialog_context: DialogContext, value: Any, word: str) -> bool:
    """Give the request form the turns that are its own; True if it took this one.

    While the form is active it gets every typed message (so `cancel`, `back` and `help` mean
    what they mean at this step) and its own card submits; a menu button is left to the
    handler. A form card pressed when no form is active reopens that request, if allowed.
    """
    active = dialog_context.active_dialog
    own = is_form_submit(value)
    if active is not None and active.id == RequestFormDialog.ID:
        if own or (value is None and word not in LEAVE_WORDS):
            await dialog_context.continue_dialog()
            return True
        return False
    if own:
        if active is not None:
            await dialog_context.cancel_all_dialogs()
        await dialog_context.begin_dialog(RequestFormDialog.ID, {"card": value})
        return True
    return False


class RequestFormDialog(FormSteps, ComponentDialog):  # type: ignore[misc]
    ID = "request_form"

    def __init__(
        self, database: Database, clock: Clock, outbox: Outbox, *, max_open: int = DEFAULT_MAX_OPEN
    ) -> None:
        super().__init__(self.ID)
        self._db = database
        self._clock = clock
        self._outbox = outbox
        self._max_open = max_open
        self.add_dialog(WaterfallDialog(OPEN, [self._open]))
        self.add_dialog(WaterfallDialog(SCHOOL, [self._ask_school, self._school_answer]))
        for section in SECTIONS:
            self.add_dialog(WaterfallDialog(section.name, [self._asker(section), self._answerer(section)]))
        self.add_dialog(WaterfallDialog(REVIEW, [self._ask_review, self._review_answer]))
        self.initial_dialog_id = OPEN

    async def begin_dialog(self, dialog_context: DialogContext, options: object = None) -> DialogTurnResult:
        share_form_state(dialog_context)
        return await super().begin_dialog(dialog_context, options)

    async def continue_dialog(self, dialog_context: DialogContext) -> DialogTurnResult:
        share_form_state(dialog_context)
        return await super().continue_dialog(dialog_context)

    # ---- opening: a new request, a draft to continue, or a card from a closed form ---------------

    async def _open(self, step: WaterfallStepContext) -> DialogTurnResult:
        options = options_of(step)
        profile = await self._profile(step)
        if profile is None:
            return await step.end_dialog()
        card = options.get("card")
        if isinstance(card, dict):
            return await self._open_from_card(step, profile, card)
        if isinstance(options.get("request_id"), int):
            return await self._resume(step, profile, options["request_id"])
        if options.get("start") == "continue":
            async with self._db.session() as session:
                draft = await latest_draft(session, profile)
            if draft is None or draft.id is None:
                return await self._refuse(step, NO_DRAFT)
            return await self._resume(step, profile, draft.id)
        return await self._new(step, profile, ask_about_draft=True)

    async def _open_from_card(
        self, step: WaterfallStepContext, profile: PersonProfile, card: Mapping[str, Any]
    ) -> DialogTurnResult:
        command = card.get("command")
        if card.get("section") == "start" and command == "new":
            return await self._new(step, profile, ask_about_draft=False)
        request_id = as_id(card.get("request_id"))
        if request_id is None:
            return await self._refuse(step, "That card is out of date. Write `help` to see the menu.")
        if command == "cancel":
            return await self._cancel(step, request_id)
        chosen = card.get("section") == "start" and command == "continue"
        intro = "" if chosen else "That card is from a form that is no longer open, so I have not used it. "
        return await self._resume(step, profile, request_id, intro, card=None if chosen else card)

    async def _new(
        self, step: WaterfallStepContext, profile: PersonProfile, *, ask_about_draft: bool
    ) -> DialogTurnResult:
        schools = staff_schools(profile)
        if not schools:
            return await self._refuse(
                step,
                "Only a school leader or SENCO of a school can raise its requests. If your school "
                "needs support, ask one of them to raise a request.",
            )
        if ask_about_draft:
            async with self._db.session() as session:
                draft = await latest_draft(session, profile)
                where = await where_from(session, draft) if draft else None
            if draft is not None and draft.id is not None and where is not None:
                await send_card(step.context, draft_choice_card(draft.ref, draft.id, where.school))
                return await step.end_dialog()
        if len(schools) == 1:
            return await self._start(step, profile, schools[0].id)
        return await step.replace_dialog(SCHOOL, {})

    async def _start(
        self, step: WaterfallStepContext, profile: PersonProfile, school_id: int
    ) -> DialogTurnResult:
        refusal = ""
        async with self._db.session() as session:
            try:
                request = await start_draft(session, self._clock, profile, school_id)
                where = await where_from(session, request, step.context)
                await session.commit()
            except RequestRefused as refused:
                refusal = str(refused)
        if refusal:
            return await self._refuse(step, f"Sorry: {refusal}")
        assert request.id is not None
        log.info("request %s: draft started", request.ref)
        step.context.turn_state[CHECKED] = request
        note(
            step.context,
            f"I've started request **{request.ref}** for {where.school}. It is saved as a draft after "
            f"every step; write `continue` (or choose **Continue my draft**) to pick it up later. "
            + COMMANDS_HINT,
        )
        return await step.replace_dialog(TYPE.name, {"request_id": request.id})

    async def _resume(
        self,
        step: WaterfallStepContext,
        profile: PersonProfile,
        request_id: int,
        intro: str = "",
        *,
        card: Mapping[str, Any] | None = None,
    ) -> DialogTurnResult:
        """Carry on with a draft where it was left; from an old card with answers on it, at that
        card's step with what was typed kept (not saved until the person saves it)."""
        async with self._db.session() as session:
            request = await editable_or_why(session, self._clock, profile, request_id, reopening=True)
            where = await where_from(session, request, step.context) if isinstance(request, Request) else None
            await session.commit()  # the read of its answers
        if isinstance(request, NotEditable) or where is None:
            return await self._refuse(step, f"{intro}Sorry: {request}")
        step.context.turn_state[CHECKED] = request
        if card is not None and card.get("command") is None:
            kept = await self._keep_typed(step, request, str(card.get("section")), card, CLOSED_FORM_KEPT)
            if kept is not None:
                return kept
        target = answers.first_step_to_answer(request.details)
        where_to = (
            "everything is answered, so here it is to check and submit."
            if target == REVIEW
            else "here is where you left off."
        )
        note(step.context, f"{intro}Request **{request.ref}** for {where.school}: {where_to}")
        return await step.replace_dialog(target, {"request_id": request_id})

    # ---- which school ------------------------------------------------------------------------------

    async def _ask_school(self, step: WaterfallStepContext) -> DialogTurnResult:
        if not options_of(step).get("quiet"):
            await self._show(step.context, SCHOOL, None)
        return Dialog.end_of_turn

    async def _school_answer(self, step: WaterfallStepContext) -> DialogTurnResult:
        profile = await self._profile(step)
        if profile is None:
            return await step.end_dialog()
        incoming = read_turn(step.context, SCHOOL, None)
        if incoming.kind != "answer":
            return await self._common(step, SCHOOL, None, incoming)
        school_id = as_id(incoming.value.get("school_id"))
        if school_id is None or school_id not in {s.id for s in staff_schools(profile)}:
            return await self._again(step, SCHOOL, None, "Choose one of your schools from the list.")
        return await self._start(step, profile, school_id)

    # ---- the sections ------------------------------------------------------------------------------

    def _asker(self, section: Section) -> Step:
        async def ask(step: WaterfallStepContext) -> DialogTurnResult:
            options = options_of(step)
            if options.get("quiet"):
                return Dialog.end_of_turn
            request_id = as_id(options.get("request_id"))
            request = await self._request(step, request_id)
            if request is None:
                return await step.end_dialog()
            if section not in sections_for(request.details):
                return await step.replace_dialog(
                    answers.next_step(section.name, request.details), carry(options, request.id)
                )
            await send_card(step.context, section_card_for(section, request, request.details))
            return Dialog.end_of_turn

        ask.__qualname__ = f"ask_{section.name}"
        return ask

    def _answerer(self, section: Section) -> Step:
        async def answer(step: WaterfallStepContext) -> DialogTurnResult:
            options = options_of(step)
            request_id = as_id(options.get("request_id"))
            incoming = read_turn(step.context, section.name, request_id)
            if incoming.kind != "answer":
                return await self._common(step, section.name, request_id, incoming)
            return await self._save(step, section, request_id, incoming.value)

        answer.__qualname__ = f"answer_{section.name}"
        return answer

    async def _save(
        self, step: WaterfallStepContext, section: Section, request_id: int | None, submitted: dict[str, Any]
    ) -> DialogTurnResult:
        profile = await self._profile(step)
        if profile is None or request_id is None:
            return await step.end_dialog()
        options = options_of(step)
        async with self._db.session() as session:  # one session, and the answer after it closes
            outcome = await store_section(
                session, self._clock, profile, section, request_id, submitted, step.context
            )
        if isinstance(outcome, NotEditable):
            return await self._refuse(step, f"Sorry: {outcome}")
        if isinstance(outcome, NotSaved):
            return await self._again(
                step, section.name, request_id, f"Sorry, I couldn't save that: {outcome}"
            )
        if isinstance(outcome, dict):  # the section's card again, with what to fix
            await send_card(step.context, outcome)
            return await step.replace_dialog(section.name, carry(options, request_id, quiet=True))
        request = outcome
        step.context.turn_state[CHECKED] = request
        if options.get("review"):
            target = answers.first_step_to_answer(request.details)
            return await step.replace_dialog(target, {"request_id": request_id, "review": target != REVIEW})
        target = answers.next_step(section.name, request.details)
        return await step.replace_dialog(target, {"request_id": request_id})

    # ---- review and submit ----------------------------------------------------------------------

    async def _ask_review(self, step: WaterfallStepContext) -> DialogTurnResult:
        options = options_of(step)
        if options.get("quiet"):
            return Dialog.end_of_turn
        request = await self._request(step, as_id(options.get("request_id")))
        if request is None:
            return await step.end_dialog()
        missing = answers.first_step_to_answer(request.details)
        if missing != REVIEW:
            note(
                step.context,
                f"Some answers are still missing in “{section_title(missing, request.details)}”.",
            )
            return await step.replace_dialog(missing, {"request_id": request.id, "review": True})
        await self._show(step.context, REVIEW, request)
        return Dialog.end_of_turn

    async def _review_answer(self, step: WaterfallStepContext) -> DialogTurnResult:
        request_id = as_id(options_of(step).get("request_id"))
        incoming = read_turn(step.context, REVIEW, request_id)
        if incoming.kind in ("edit", "back", "submit"):
            kept = await self._take_answer(
                step, request_id, incoming.value, submitting=incoming.kind == "submit"
            )
            if kept is not None:
                return kept
        if incoming.kind == "edit":
            section = BY_NAME.get(str(incoming.value.get("edit")))
            if section is not None:
                return await step.replace_dialog(section.name, {"request_id": request_id, "review": True})
            return await self._again(step, REVIEW, request_id, "That Edit button is not one I know.")
        if incoming.kind == "submit":
            return await self._submit(step, request_id)
        if incoming.kind == "answer":
            return await self._again(
                step, REVIEW, request_id, "Press **Submit request** or an **Edit** button."
            )
        return await self._common(step, REVIEW, request_id, incoming)

    async def _submit(self, step: WaterfallStepContext, request_id: int | None) -> DialogTurnResult:
        profile = await self._profile(step)
        if profile is None or request_id is None:
            return await step.end_dialog()
        request = await self._request(step, request_id)
        if request is None:
            return await step.end_dialog()
        missing = answers.first_step_to_answer(request.details)
        if missing != REVIEW:
            title = section_title(missing, request.details)
            note(step.context, f"Not submitted yet: some answers are missing in “{title}”.")
            return await step.replace_dialog(missing, {"request_id": request_id, "review": True})
        refusal = ""
        async with self._db.session() as session:
            try:
                notices = await submit(
                    session, self._clock, self._outbox, profile, request_id, max_open=self._max_open
                )
                submitted = await session.get(Request, request_id)  # as submit left it: no second read
                assert submitted is not None
                request = submitted
                told = await triagers_told(session, request, {n.person_id for n in notices})
                where = await where_from(session, request)
                await session.commit()
            except (RequestRefused, IllegalTransition) as refused:
                await session.rollback()
                refusal = str(refused)
        if refusal:
            log.info("request %s: submit refused", request.ref)
            note(step.context, f"Request {request.ref} was not submitted. {refusal}")
            return await step.replace_dialog(REVIEW, {"request_id": request_id})
        self._outbox.wake()
        log.info("request %s: submitted, %d told", request.ref, len(notices))
        status = RequestStatus(request.status)
        await send_card(
            step.context,
            confirmation_card(
                ref=request.ref,
                school=where.school,
                community=where.community,
                status=status.label,
                next_step=next_step(status),
                told=told_text(told, bool(notices)),
            ),
        )
        return await step.end_dialog(request_id)
