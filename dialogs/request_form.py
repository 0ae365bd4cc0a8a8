"""'Raise a request': the Request Form as a guided dialog in personal chat.

A ComponentDialog of small waterfalls, one per step: ``school`` (only for someone on the staff
of several schools), the six sections of :data:`cards.request_cards.SECTIONS`, and ``review``.
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
from dataclasses import dataclass
from typing import Any

from botbuilder.core import CardFactory, MessageFactory, TurnContext
from botbuilder.dialogs import (
    ComponentDialog,
    Dialog,
    DialogContext,
    DialogTurnResult,
    WaterfallDialog,
    WaterfallStepContext,
)
from sqlmodel.ext.asyncio.session import AsyncSession

from cards.elements import Card
from cards.request_cards import (
    FORM,
    REVIEW_HELP,
    SCHOOL_HELP,
    confirmation_card,
    draft_choice_card,
    review_card,
    school_card,
    section_card,
)
from communities.clock import Clock
from communities.db import Database
from communities.identifying_text import Finding, warning_for
from communities.messaging.outbox import Outbox
from communities.requests import identifying_answers
from communities.requests.drafts import NotEditable, editable_request, latest_draft, staff_schools
from communities.requests.form import BY_NAME, SECTIONS, TYPE, Section, sections_for
from communities.requests.identifying_answers import ACKNOWLEDGED
from communities.requests.lifecycle import IllegalTransition, RequestStatus, next_step
from communities.requests.service import DEFAULT_MAX_OPEN, RequestRefused, save_answers, start_draft, submit
from communities.requests.tables import Request
from communities.roster.directory import PersonProfile
from dialogs import request_answers as answers
from dialogs.request_answers import REVIEW
from dialogs.request_names import triagers_told, where_from
from dialogs.turn_profile import turn_profile

log = logging.getLogger(__name__)

_NOTES = "cosbot.request_form.notes"
#: The request this turn has just loaded and checked, for the next step's card (no second read).
_CHECKED = "cosbot.request_form.checked"
OPEN = "open"
SCHOOL = "school"
CANCEL_WORDS = frozenset({"cancel", "stop", "quit"})
HELP_WORDS = frozenset({"help", "?"})
#: Typed words that leave the form for the handler (which shows the menu); the draft stays.
LEAVE_WORDS = frozenset({"menu"})
COMMANDS_HINT = (
    "Write `back` for the previous step, `cancel` to stop (the draft stays saved), or `help` at any time."
)
NO_DRAFT = "You have no draft request. Write `request` (or choose **Raise a request**) to start one."
STALE_CARD = (
    "That card is from an earlier step or another request, so I have not used it. Here is where we are:"
)
FIELD_LABELS = {
    "needs_summary": "The needs in brief",
    "graduated_response": "What was tried",
    "what_worked": "What worked",
    "hoped_outcome": "The outcome you hope for",
    "specialist_other": "The other specialist",
    "support_other": "The other support",
    "urgency_reason": "Why it is urgent",
}

Step = Callable[[WaterfallStepContext], Awaitable[DialogTurnResult]]


class _NotSaved(str):
    """Why the service refused to save answers that were fine in themselves."""


def is_form_submit(value: Any) -> bool:
    """Whether an activity's value is a submit from one of the Request Form's cards."""
    return isinstance(value, dict) and value.get("form") == FORM


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


@dataclass(frozen=True)
class _Input:
    """What arrived at a step: a command, this step's own card, anything else typed, or a stale card."""

    kind: str  # cancel | back | help | submit | edit | answer | text | stale
    value: dict[str, Any]


class RequestFormDialog(ComponentDialog):  # type: ignore[misc]
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

    # ---- opening: a new request, a draft to continue, or a card from a closed form ---------------

    async def _open(self, step: WaterfallStepContext) -> DialogTurnResult:
        options = _options(step)
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
        request_id = _as_id(card.get("request_id"))
        if request_id is None:
            return await self._refuse(step, "That card is out of date. Write `help` to see the menu.")
        chosen = card.get("section") == "start" and command == "continue"
        intro = "" if chosen else "That card is from a form that is no longer open, so I have not used it. "
        return await self._resume(step, profile, request_id, intro)

    async def _new(
        self, step: WaterfallStepContext, profile: PersonProfile, *, ask_about_draft: bool
    ) -> DialogTurnResult:
        schools = staff_schools(profile)
        if not schools:
            return await self._refuse(
                step, "Only a school leader or SENCO of a school can raise its requests."
            )
        if ask_about_draft:
            async with self._db.session() as session:
                draft = await latest_draft(session, profile)
                where = await where_from(session, draft) if draft else None
            if draft is not None and draft.id is not None and where is not None:
                await _send_card(step.context, draft_choice_card(draft.ref, draft.id, where.school))
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
                where = await where_from(session, request)
                await session.commit()
            except RequestRefused as refused:
                refusal = str(refused)
        if refusal:
            return await self._refuse(step, f"Sorry: {refusal}")
        assert request.id is not None
        log.info("request %s: draft started", request.ref)
        step.context.turn_state[_CHECKED] = request
        _note(
            step.context,
            f"I've started request **{request.ref}** for {where.school}. It is saved as a draft after "
            f"every step; write `continue` (or choose **Continue my draft**) to pick it up later. "
            + COMMANDS_HINT,
        )
        return await step.replace_dialog(TYPE.name, {"request_id": request.id})

    async def _resume(
        self, step: WaterfallStepContext, profile: PersonProfile, request_id: int, intro: str = ""
    ) -> DialogTurnResult:
        async with self._db.session() as session:
            request = await _editable(session, self._clock, profile, request_id)
            where = await where_from(session, request) if isinstance(request, Request) else None
        if isinstance(request, NotEditable) or where is None:
            return await self._refuse(step, f"{intro}Sorry: {request}")
        step.context.turn_state[_CHECKED] = request
        target = answers.first_step_to_answer(request.details)
        where_to = (
            "everything is answered, so here it is to check and submit."
            if target == REVIEW
            else "here is where you left off."
        )
        _note(step.context, f"{intro}Request **{request.ref}** for {where.school}: {where_to}")
        return await step.replace_dialog(target, {"request_id": request_id})

    # ---- which school ------------------------------------------------------------------------------

    async def _ask_school(self, step: WaterfallStepContext) -> DialogTurnResult:
        if not _options(step).get("quiet"):
            await self._show(step.context, SCHOOL, None)
        return Dialog.end_of_turn

    async def _school_answer(self, step: WaterfallStepContext) -> DialogTurnResult:
        profile = await self._profile(step)
        if profile is None:
            return await step.end_dialog()
        incoming = _read(step.context, SCHOOL, None)
        if incoming.kind != "answer":
            return await self._common(step, SCHOOL, None, incoming)
        school_id = _as_id(incoming.value.get("school_id"))
        if school_id is None or school_id not in {s.id for s in staff_schools(profile)}:
            return await self._again(step, SCHOOL, None, "Choose one of your schools from the list.")
        return await self._start(step, profile, school_id)

    # ---- the sections ------------------------------------------------------------------------------

    def _asker(self, section: Section) -> Step:
        async def ask(step: WaterfallStepContext) -> DialogTurnResult:
            options = _options(step)
            if options.get("quiet"):
                return Dialog.end_of_turn
            request_id = _as_id(options.get("request_id"))
            request = await self._request(step, request_id)
            if request is None:
                return await step.end_dialog()
            if section not in sections_for(request.details):
                return await step.replace_dialog(
                    answers.next_step(section.name, request.details), _carry(options, request.id)
                )
            await _send_card(step.context, _section_card(section, request, request.details))
            return Dialog.end_of_turn

        ask.__qualname__ = f"ask_{section.name}"
        return ask

    def _answerer(self, section: Section) -> Step:
        async def answer(step: WaterfallStepContext) -> DialogTurnResult:
            options = _options(step)
            request_id = _as_id(options.get("request_id"))
            incoming = _read(step.context, section.name, request_id)
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
        options = _options(step)
        async with self._db.session() as session:  # one session, and the answer after it closes
            outcome = await self._store(session, profile, section, request_id, submitted)
        if isinstance(outcome, NotEditable):
            return await self._refuse(step, f"Sorry: {outcome}")
        if isinstance(outcome, _NotSaved):
            return await self._again(
                step, section.name, request_id, f"Sorry, I couldn't save that: {outcome}"
            )
        if isinstance(outcome, dict):  # the section's card again, with what to fix
            await _send_card(step.context, outcome)
            return await step.replace_dialog(section.name, _carry(options, request_id, quiet=True))
        request = outcome
        step.context.turn_state[_CHECKED] = request
        if options.get("review"):
            target = answers.first_step_to_answer(request.details)
            return await step.replace_dialog(target, {"request_id": request_id, "review": target != REVIEW})
        target = answers.next_step(section.name, request.details)
        return await step.replace_dialog(target, {"request_id": request_id})

    async def _store(
        self,
        session: AsyncSession,
        profile: PersonProfile,
        section: Section,
        request_id: int,
        submitted: dict[str, Any],
    ) -> Request | NotEditable | _NotSaved | Card:
        """Check and save one section's answers: the saved request, why not, or the card to show again."""
        request = await _editable(session, self._clock, profile, request_id)
        if isinstance(request, NotEditable):
            return request
        read = answers.read_section(section, submitted, request.details)
        shown = {**request.details, **read.values}
        if read.problems:
            return _section_card(section, request, shown, problems=read.problems)
        found: dict[str, list[Finding]] = {}
        if any(read.values.get(name) for name in identifying_answers.FREE_TEXT):
            staff = await identifying_answers.staff_names(session, request.community_id)
            found = identifying_answers.identifying(
                read.values, allowed_names=[profile.display_name, *staff], today=self._clock.now().date()
            )
        if found and submitted.get("keep_wording") is not True:
            warning = " ".join(f"{FIELD_LABELS[name]}: {warning_for(f)}" for name, f in found.items())
            return _section_card(section, request, shown, warning=warning)
        # None clears an answer that no longer applies; one never given needs no key.
        values = {k: v for k, v in read.values.items() if v is not None or k in request.details}
        if any(name in section.fields for name in identifying_answers.FREE_TEXT):
            values[ACKNOWLEDGED] = identifying_answers.acknowledgements(
                request.details,
                read.values,
                found,
                person_id=profile.person_id,
                at=self._clock.now().isoformat(),
            )
        try:
            request = await save_answers(session, self._clock, profile, request_id, values)
            await session.commit()
        except (RequestRefused, IllegalTransition) as refused:
            return _NotSaved(str(refused))
        log.info("request %s: %s saved%s", request.ref, section.name, " (wording kept)" if found else "")
        return request

    # ---- review and submit ----------------------------------------------------------------------

    async def _ask_review(self, step: WaterfallStepContext) -> DialogTurnResult:
        options = _options(step)
        if options.get("quiet"):
            return Dialog.end_of_turn
        request = await self._request(step, _as_id(options.get("request_id")))
        if request is None:
            return await step.end_dialog()
        missing = answers.first_step_to_answer(request.details)
        if missing != REVIEW:
            _note(step.context, f"Some answers are still missing in “{BY_NAME[missing].title}”.")
            return await step.replace_dialog(missing, {"request_id": request.id, "review": True})
        await self._show(step.context, REVIEW, request)
        return Dialog.end_of_turn

    async def _review_answer(self, step: WaterfallStepContext) -> DialogTurnResult:
        request_id = _as_id(_options(step).get("request_id"))
        incoming = _read(step.context, REVIEW, request_id)
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
            _note(step.context, f"Not submitted yet: some answers are missing in “{BY_NAME[missing].title}”.")
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
            _note(step.context, f"Request {request.ref} was not submitted. {refusal}")
            return await step.replace_dialog(REVIEW, {"request_id": request_id})
        self._outbox.wake()
        log.info("request %s: submitted, %d told", request.ref, len(notices))
        status = RequestStatus(request.status)
        await _send_card(
            step.context,
            confirmation_card(
                ref=request.ref,
                school=where.school,
                community=where.community,
                status=status.label,
                next_step=next_step(status),
                told=_told(told, bool(notices)),
            ),
        )
        return await step.end_dialog(request_id)

    # ---- what every step understands -------------------------------------------------------------

    async def _common(
        self, step: WaterfallStepContext, name: str, request_id: int | None, incoming: _Input
    ) -> DialogTurnResult:
        if incoming.kind == "cancel":
            return await self._cancel(step, request_id)
        if incoming.kind == "help":
            await _say(step.context, _help(name) + "\n\n" + COMMANDS_HINT)
            return await step.replace_dialog(name, _carry(_options(step), request_id, quiet=True))
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
        await _say(
            step.context,
            f"Stopped. Your draft **{ref}** is saved: write `continue` (or choose **Continue my draft** "
            "on the menu) to finish it. Write `help` to see the menu.",
        )
        return await step.end_dialog()

    async def _back(self, step: WaterfallStepContext, name: str, request_id: int | None) -> DialogTurnResult:
        if request_id is None:
            return await self._again(step, name, None, "This is the first step.")
        if _options(step).get("review") and name != REVIEW:
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
        other = _as_id(value.get("request_id"))
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
            _note(step.context, message)
        request = None
        if request_id is not None:
            request = await self._request(step, request_id)
            if request is None:
                return await step.end_dialog()
        if not await self._show(step.context, name, request):
            return await step.end_dialog()
        return await step.replace_dialog(name, _carry(_options(step), request_id, quiet=True))

    async def _show(self, context: TurnContext, name: str, request: Request | None) -> bool:
        """Send the card of step ``name``; False if there is nothing to show."""
        if name == SCHOOL:
            profile = turn_profile(context)
            schools = staff_schools(profile) if profile else []
            await _send_card(context, school_card([(s.id, s.name) for s in schools]))
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
            await _send_card(context, card)
            return True
        await _send_card(context, _section_card(BY_NAME[name], request, request.details))
        return True

    async def _request(self, step: WaterfallStepContext, request_id: int | None) -> Request | None:
        """The request, if this person may still edit it; otherwise they are told why (None)."""
        profile = await self._profile(step)
        if profile is None or request_id is None:
            return None
        checked = step.context.turn_state.get(_CHECKED)
        if isinstance(checked, Request) and checked.id == request_id:
            return checked
        async with self._db.session() as session:
            request = await _editable(session, self._clock, profile, request_id)
        if isinstance(request, NotEditable):
            await _say(step.context, f"Sorry: {request}")
            return None
        return request

    async def _refuse(self, step: WaterfallStepContext, message: str) -> DialogTurnResult:
        """Say why, and leave the form."""
        await _say(step.context, message)
        return await step.end_dialog()

    async def _profile(self, step: WaterfallStepContext) -> PersonProfile | None:
        profile = turn_profile(step.context)
        if profile is None:
            await _say(step.context, "Sorry, I couldn't tell who you are. Write `help` to start again.")
        return profile


# ---- helpers ------------------------------------------------------------------------------------


def _read(context: TurnContext, name: str, request_id: int | None) -> _Input:
    activity = context.activity
    value = activity.value if isinstance(activity.value, dict) else None
    if value is None:
        word = " ".join((activity.text or "").split()).lower()
        if word in CANCEL_WORDS:
            return _Input("cancel", {})
        if word in HELP_WORDS:
            return _Input("help", {})
        if word == "back":
            return _Input("back", {})
        if word == "submit" and name == REVIEW:
            return _Input("submit", {})
        return _Input("text", {})
    if not (
        is_form_submit(value)
        and value.get("section") == name
        and _as_id(value.get("request_id")) == request_id
    ):
        return _Input("stale", value)
    command = value.get("command")
    if command in ("cancel", "help", "back"):
        return _Input(str(command), value)
    if name == REVIEW and command in ("submit", "edit"):
        return _Input(str(command), value)
    if command is not None:
        return _Input("text", value)
    return _Input("answer", value)


async def _editable(
    session: AsyncSession, clock: Clock, profile: PersonProfile, request_id: int
) -> Request | NotEditable:
    """The request if the person may still edit it, else why not: the caller says so after the
    session closes, since a reply must never hold the database connection."""
    try:
        return await editable_request(session, clock, profile, request_id)
    except NotEditable as reason:
        return reason


def _options(step: WaterfallStepContext) -> dict[str, Any]:
    options = step.options
    return options if isinstance(options, dict) else {}


def _carry(options: Mapping[str, Any], request_id: int | None, *, quiet: bool = False) -> dict[str, Any]:
    """The options to stay at a step: the request, whether to return to the review, and quiet."""
    carried: dict[str, Any] = {"request_id": request_id}
    if options.get("review"):
        carried["review"] = True
    if quiet:
        carried["quiet"] = True
    return carried


def _as_id(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    if isinstance(value, str) and value.isdigit() and len(value) < 12:
        return int(value)
    return None


def _section_card(
    section: Section,
    request: Request,
    values: Mapping[str, Any],
    *,
    problems: Mapping[str, str] | None = None,
    warning: str | None = None,
) -> Card:
    assert request.id is not None
    return section_card(
        section, ref=request.ref, request_id=request.id, values=values, problems=problems, warning=warning
    )


def _help(name: str) -> str:
    if name == SCHOOL:
        return SCHOOL_HELP
    if name == REVIEW:
        return REVIEW_HELP
    return BY_NAME[name].help


def _told(names: list[str], anyone: bool) -> str:
    if names:
        return f"I have sent a message about it to {', '.join(names)}."
    if anyone:
        return (
            "Your community's chair and vice chair can't be reached by the bot yet, so I have asked the "
            "council officers to pass it on."
        )
    return "I couldn't message anyone about it yet: please let your community's chair know."


def _note(context: TurnContext, text: str) -> None:
    """Say ``text`` with the next card (one message, not two: Teams counts messages per chat)."""
    context.turn_state.setdefault(_NOTES, []).append(text)


def _notes(context: TurnContext) -> list[str]:
    notes: list[str] = context.turn_state.pop(_NOTES, None) or []
    return notes


async def _say(context: TurnContext, text: str) -> None:
    await context.send_activity("\n\n".join([*_notes(context), text]))


async def _send_card(context: TurnContext, card: Card) -> None:
    activity = MessageFactory.attachment(CardFactory.adaptive_card(card))
    notes = _notes(context)
    if notes:
        activity.text = "\n\n".join(notes)
    await context.send_activity(activity)
