"""'Declare an interest': the person's register of interests for this academic year, in personal chat.

One small waterfall: show a card (the register, the form, a confirmation), then read the next
submit from a declarations card and act on it. Every card carries what it needs (the command
and, for Update and End, the interest id), so a card pressed after the dialog has closed, or
after a restart, still works: :func:`continue_declarations` reopens the dialog with it. The
domain re-checks every interest id against the person's own register; an id that is not
theirs is refused (and audited there).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.dialogs import (
    ComponentDialog,
    Dialog,
    DialogContext,
    DialogTurnResult,
    WaterfallDialog,
    WaterfallStepContext,
)

from cards.declaration_cards import (
    FORM,
    KIND_TITLES,
    day,
    end_confirm_card,
    interest_form_card,
    register_card,
)
from communities.academic_year import academic_year_of
from communities.clock import Clock
from communities.db import Database
from communities.declarations.conflict_rules import InterestKind
from communities.declarations.register import (
    InterestDetails,
    Refusal,
    confirm_current,
    declare_interest,
    end_interest,
    nothing_to_declare,
    update_interest,
)
from communities.declarations.year_register import active_interests, register_for_year
from communities.roster.directory import PersonProfile, school_by_urn
from dialogs.card_values import as_id
from dialogs.replies import send_card
from dialogs.turn_profile import turn_profile

WAIT = "declarations_wait"
CANCEL_WORDS = frozenset({"cancel", "stop", "quit"})
NOT_UNDERSTOOD = "I didn't understand that card. Here is your register:"


def is_declarations_submit(value: Any) -> bool:
    return isinstance(value, dict) and value.get("form") == FORM


async def continue_declarations(dialog_context: DialogContext, value: Any, word: str = "") -> bool:
    """Give the declarations dialog its own card submits; True if it took this turn.

    Anything else (typed text, a menu button) closes the dialog and is left to the handler:
    the register is always one button away, so nothing is lost. `cancel` is left to the
    handler with the dialog open, so that it can say what it cancelled.
    """
    active = dialog_context.active_dialog
    mine = active is not None and active.id == DeclarationsDialog.ID
    if is_declarations_submit(value):
        if mine:
            await dialog_context.continue_dialog()
        else:
            if active is not None:
                await dialog_context.cancel_all_dialogs()
            await dialog_context.begin_dialog(DeclarationsDialog.ID, {"card": value})
        return True
    if mine and word not in CANCEL_WORDS:
        await dialog_context.cancel_all_dialogs()
    return False


class DeclarationsDialog(ComponentDialog):  # type: ignore[misc]
    ID = "declarations"

    def __init__(self, database: Database, clock: Clock) -> None:
        super().__init__(self.ID)
        self._db = database
        self._clock = clock
        self.add_dialog(WaterfallDialog(WAIT, [self._show, self._act]))
        self.initial_dialog_id = WAIT

    async def _show(self, step: WaterfallStepContext) -> DialogTurnResult:
        options = step.options if isinstance(step.options, dict) else {}
        card = options.get("card")
        if isinstance(card, dict):
            return await self._handle(step, card)
        if not options.get("quiet"):
            profile = await _profile(step.context)
            if profile is None:
                return await step.end_dialog()
            await self._send_register(step.context, profile)
        return Dialog.end_of_turn

    async def _act(self, step: WaterfallStepContext) -> DialogTurnResult:
        value = step.context.activity.value
        if is_declarations_submit(value):
            return await self._handle(step, value)
        return await step.end_dialog()

    async def _handle(self, step: WaterfallStepContext, submitted: Mapping[str, Any]) -> DialogTurnResult:
        ctx = step.context
        profile = await _profile(ctx)
        if profile is None:
            return await step.end_dialog()
        command = submitted.get("command")
        interest_id = as_id(submitted.get("interest_id"))
        if command == "done":
            await ctx.send_activity(
                "Done. Write `declare` to open your register again, or `help` for the menu."
            )
            return await step.end_dialog()
        if command == "register":
            await self._send_register(ctx, profile)
        elif command == "add":
            await send_card(ctx, interest_form_card({}))
        elif command == "edit" and interest_id is not None:
            await self._edit(ctx, profile, interest_id)
        elif command == "save":
            await self._save(ctx, profile, submitted, interest_id)
        elif command == "end" and interest_id is not None:
            await self._ask_end(ctx, profile, interest_id)
        elif command == "end_confirmed" and interest_id is not None:
            await self._end(ctx, profile, interest_id)
        elif command == "nothing":
            await self._nothing(ctx, profile)
        elif command == "confirm":
            await self._confirm(ctx, profile)
        else:
            await self._send_register(ctx, profile, NOT_UNDERSTOOD)
        return await step.replace_dialog(WAIT, {"quiet": True})

    # ---- the commands ---------------------------------------------------------------------------

    async def _edit(self, ctx: TurnContext, profile: PersonProfile, interest_id: int) -> None:
        async with self._db.session() as session:
            found = next(
                (i for i in await active_interests(session, profile.person_id) if i.id == interest_id), None
            )
        if found is None:
            await self._send_register(
                ctx, profile, "Sorry: I can't find that interest in force on your register."
            )
            return
        values = {
            "kind": str(found.kind),
            "school_urn": found.school_urn,
            "trust": found.trust,
            "provider": found.provider,
            "pecuniary": found.pecuniary,
            "description": found.description,
        }
        school = await self._school(found.school_urn)
        await send_card(ctx, interest_form_card(values, interest_id=interest_id, school=school))

    async def _school(self, urn: Any) -> tuple[str, str] | None:
        """The school a form names, as (URN, name), to show it chosen again in the school picker."""
        if not isinstance(urn, str) or not urn.strip():
            return None
        async with self._db.session() as session:
            school = await school_by_urn(session, urn)
        return (school.urn, school.name) if school is not None else None

    async def _ask_end(self, ctx: TurnContext, profile: PersonProfile, interest_id: int) -> None:
        async with self._db.session() as session:
            found = next(
                (i for i in await active_interests(session, profile.person_id) if i.id == interest_id), None
            )
        if found is None:
            await self._end(ctx, profile, interest_id)  # the domain refuses it, and audits the attempt
            return
        await send_card(ctx, end_confirm_card(found))

    async def _save(
        self, ctx: TurnContext, profile: PersonProfile, submitted: Mapping[str, Any], interest_id: int | None
    ) -> None:
        details = _details(submitted)
        if isinstance(details, Refusal):
            school = await self._school(submitted.get("school_urn"))
            await send_card(
                ctx,
                interest_form_card(submitted, interest_id=interest_id, problem=details.reason, school=school),
            )
            return
        async with self._db.session() as session:
            if interest_id is None:
                result = await declare_interest(session, self._clock, profile.person_id, details)
            else:
                result = await update_interest(session, self._clock, profile.person_id, interest_id, details)
            await session.commit()
        if isinstance(result, Refusal):
            school = await self._school(submitted.get("school_urn"))
            await send_card(
                ctx,
                interest_form_card(submitted, interest_id=interest_id, problem=result.reason, school=school),
            )
            return
        kind = KIND_TITLES[str(result.kind)].lower()
        done = "updated" if interest_id is not None else "declared"
        await self._send_register(
            ctx, profile, f"Recorded: you {done} {kind} on {day(result.declared_at)}. It is on your register."
        )

    async def _end(self, ctx: TurnContext, profile: PersonProfile, interest_id: int) -> None:
        async with self._db.session() as session:
            result = await end_interest(session, self._clock, profile.person_id, interest_id)
            await session.commit()
        if isinstance(result, Refusal):
            await self._send_register(ctx, profile, f"Sorry: {result.reason}")
            return
        when = day(result.ended_at) if result.ended_at else ""
        await self._send_register(
            ctx, profile, f"Recorded: that interest ended on {when}. It stays in your register, marked ended."
        )

    async def _nothing(self, ctx: TurnContext, profile: PersonProfile) -> None:
        async with self._db.session() as session:
            result = await nothing_to_declare(session, self._clock, profile.person_id)
            await session.commit()
        if isinstance(result, Refusal):
            await self._send_register(ctx, profile, f"Sorry: {result.reason}")
            return
        await self._send_register(
            ctx, profile, f"Recorded: nothing to declare, on {day(result.confirmed_at)}. Thank you."
        )

    async def _confirm(self, ctx: TurnContext, profile: PersonProfile) -> None:
        async with self._db.session() as session:
            result = await confirm_current(session, self._clock, profile.person_id)
            await session.commit()
        if isinstance(result, Refusal):
            await self._send_register(ctx, profile, f"Sorry: {result.reason}")
            return
        await self._send_register(
            ctx,
            profile,
            f"Recorded: your interests are still current, confirmed on {day(result.confirmed_at)}.",
        )

    async def _send_register(self, ctx: TurnContext, profile: PersonProfile, note: str = "") -> None:
        async with self._db.session() as session:
            year = academic_year_of(self._clock.now())
            register = await register_for_year(session, profile.person_id, year)
        await send_card(ctx, register_card(register), note)


# ---- helpers --------------------------------------------------------------------------------------


def _details(submitted: Mapping[str, Any]) -> InterestDetails | Refusal:
    try:
        kind = InterestKind(str(submitted.get("kind") or ""))
    except ValueError:
        return Refusal("Choose what kind of interest it is.")
    pecuniary = submitted.get("pecuniary")
    if pecuniary not in ("yes", "no", True, False):
        return Refusal("Say whether the interest is pecuniary (yes or no).")
    return InterestDetails(
        kind=kind,
        description=_text(submitted.get("description")),
        pecuniary=pecuniary in ("yes", True),
        school_urn=_text(submitted.get("school_urn")) or None,
        trust=_text(submitted.get("trust")) or None,
        provider=_text(submitted.get("provider")) or None,
    )


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


async def _profile(ctx: TurnContext) -> PersonProfile | None:
    profile = turn_profile(ctx)
    if profile is None:
        await ctx.send_activity("Sorry, I couldn't tell who you are. Write `help` to start again.")
    return profile
