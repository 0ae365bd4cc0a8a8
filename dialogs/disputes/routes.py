"""The dispute route in the chat, always in a personal chat.

- *Dispute this outcome* on the school's outcome card: the form (grounds and reasons) for a school
  leader of the requesting school, while the window is open; *Send the dispute* raises it, and the
  people dealing with stage 1 get the handler's card.
- On the handler's card: *Acknowledge*, then *Record the decision* (upheld, varied, not upheld,
  with reasons; when upheld or varied, the funding now agreed and the rationale). The school is
  told each time; a decision comes with the school's card and its *Escalate* button.
- *Escalate to stage N* on the school's card: the next stage's people get the handler's card.
- *Disputes* (officers; or `disputes`): every open dispute, its stage, age and next deadline;
  *Open* shows one (the read is audited).

The domain decides who may do each (:mod:`communities.disputes`); a refused, forged or stale
button changes nothing and says why. Reasons that may identify a child show the card again with
the warning and a box to confirm they do not.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from cards.disputes.dispute import (
    DECISION_FIELD,
    DISPUTE_ACKNOWLEDGE,
    DISPUTE_DECIDE,
    DISPUTE_ESCALATE,
    DISPUTE_FIELD,
    DISPUTE_OPEN,
    DISPUTE_RAISE,
    DISPUTE_START,
    FINDING_FIELD,
    FUNDING_FIELD,
    GROUNDS_FIELD,
    NOT_ABOUT_A_PUPIL,
    OVERSPEND_FIELD,
    RATIONALE_FIELD,
    REASONS_FIELD,
    REF_FIELD,
    REVIEW_FIELD,
    VERSION_FIELD,
    handler_card,
    raise_form_card,
    school_card,
)
from cards.disputes.open_list import open_disputes_card
from communities.budget.service import BudgetRefused
from communities.disputes import raising, service, telling
from communities.disputes.access import is_school_leader, may_handle
from communities.disputes.reading import open_for_reading
from communities.disputes.steps import DisputeRefused, IdentifyingReasons, today_of
from communities.disputes.tables import Dispute
from communities.disputes.varying import NewOutcome
from communities.disputes.views import DisputeView, dispute_view, open_disputes
from communities.disputes.words import day
from communities.money import parse_pence
from communities.outcomes.decisions import OutcomeDecision
from communities.permissions import DISPUTES
from dialogs.card_values import as_id
from dialogs.replies import send_card, show_card
from dialogs.routing import RouteTable, Turn
from dialogs.services import ChatServices

NO_DISPUTE = "That card has no dispute on it. Write `help` to see what you can do."
NO_REQUEST = "That card has no request on it. Write `help` to see what you can do."
BAD_FUNDING = "The funding must be an amount in pounds, such as £1,500 (0 for none)."
BAD_DECISION = "That decision is not one the bot knows: choose one from the list."
BAD_REVIEW_DATE = "The review date must be a date, such as 2027-03-01."
#: The most a dispute can make an outcome's funding (a typo guard, not a policy).
MOST_PENCE = 100_000_000


def register(table: RouteTable) -> None:
    table.button(DISPUTE_START, _start)
    table.button(DISPUTE_RAISE, _raise)
    table.button(DISPUTE_ACKNOWLEDGE, _acknowledge)
    table.button(DISPUTE_DECIDE, _decide)
    table.button(DISPUTE_ESCALATE, _escalate)
    table.button(DISPUTE_OPEN, _open)
    table.button(DISPUTES.key, _list, capability=DISPUTES)
    table.command("disputes", DISPUTES.key)


def _value(turn: Turn) -> dict[str, Any]:
    return turn.value or {}


def _text(value: dict[str, Any], field: str) -> str:
    found = value.get(field)
    return found if isinstance(found, str) else ""


def _confirmed(value: dict[str, Any]) -> bool:
    return _text(value, NOT_ABOUT_A_PUPIL).lower() == "true"


async def _sorry(turn: Turn, refused: Exception) -> None:
    await turn.context.send_activity(f"Sorry: {refused}")


# ---- the school raises one ---------------------------------------------------------------------------


async def _start(chat: ChatServices, turn: Turn) -> None:
    ref = _text(_value(turn), REF_FIELD)
    if not ref:
        await turn.context.send_activity(NO_REQUEST)
        return
    async with chat.database.session() as session:
        try:
            found = await raising.disputable(session, chat.clock, turn.profile, ref, chat.disputes)
        except DisputeRefused as refused:
            await session.rollback()  # a refusal of permission has committed its audit row already
            await _sorry(turn, refused)
            return
    await send_card(turn.context, raise_form_card(found.ref, day(found.last_day)))


async def _raise(chat: ChatServices, turn: Turn) -> None:
    value = _value(turn)
    ref = _text(value, REF_FIELD)
    if not ref:
        await turn.context.send_activity(NO_REQUEST)
        return
    grounds, reasons = _text(value, GROUNDS_FIELD), _text(value, REASONS_FIELD)
    async with chat.database.session() as session:
        try:
            found = await raising.disputable(session, chat.clock, turn.profile, ref, chat.disputes)
            dispute = await raising.raise_dispute(
                session,
                chat.clock,
                turn.profile,
                found.outcome_id,
                grounds,
                reasons,
                chat.disputes,
                not_about_a_pupil=_confirmed(value),
            )
        except IdentifyingReasons as warning:
            await session.rollback()
            form = raise_form_card(
                found.ref, day(found.last_day), grounds=grounds, reasons=reasons, warning=str(warning)
            )
            await show_card(turn.context, form)
            return
        except DisputeRefused as refused:
            await session.rollback()
            await _sorry(turn, refused)
            return
        await _to_handlers(chat, turn, session, dispute, lambda view: "Your dispute has been sent.")


# ---- the handler acknowledges and decides --------------------------------------------------------------


def _ids(turn: Turn) -> tuple[int | None, int | None]:
    value = _value(turn)
    return as_id(value.get(DISPUTE_FIELD)), as_id(value.get(VERSION_FIELD))


async def _acknowledge(chat: ChatServices, turn: Turn) -> None:
    dispute_id, version = _ids(turn)
    if dispute_id is None or version is None:
        await turn.context.send_activity(NO_DISPUTE)
        return
    async with chat.database.session() as session:
        try:
            dispute = await service.acknowledge(session, chat.clock, turn.profile, dispute_id, version)
        except DisputeRefused as refused:
            await session.rollback()
            await _sorry(turn, refused)
            return
        await _to_school(chat, turn, session, dispute, lambda view: "Acknowledged: the school has been told.")


def _new_outcome(value: dict[str, Any]) -> NewOutcome | None:
    """What the outcome becomes, when the form gives it; ValueError for a bad amount, date or decision."""
    typed = _text(value, FUNDING_FIELD).strip()
    rationale = _text(value, RATIONALE_FIELD).strip()
    chosen = _text(value, DECISION_FIELD).strip()
    review_typed = _text(value, REVIEW_FIELD).strip()
    if not (typed or rationale or chosen or review_typed):
        return None
    funding: int | None = None  # empty: the funding stays as it is
    if typed.lstrip("£").strip() in ("0", "0.00"):
        funding = 0
    elif typed:
        try:
            funding = parse_pence(typed, most=MOST_PENCE)
        except ValueError:
            raise ValueError(BAD_FUNDING) from None
    try:
        decision = OutcomeDecision(chosen) if chosen else None
    except ValueError:
        raise ValueError(BAD_DECISION) from None
    try:
        review = date.fromisoformat(review_typed) if review_typed else None
    except ValueError:
        raise ValueError(BAD_REVIEW_DATE) from None
    return NewOutcome(decision, funding, rationale, review)


async def _decide(chat: ChatServices, turn: Turn) -> None:
    dispute_id, version = _ids(turn)
    if dispute_id is None or version is None:
        await turn.context.send_activity(NO_DISPUTE)
        return
    value = _value(turn)
    try:
        new = _new_outcome(value)
    except ValueError as bad:
        await _sorry(turn, bad)
        return
    async with chat.database.session() as session:
        try:
            dispute = await service.decide(
                session,
                chat.clock,
                turn.profile,
                dispute_id,
                version,
                _text(value, FINDING_FIELD),
                _text(value, REASONS_FIELD),
                chat.disputes,
                new_outcome=new,
                approve_overspend=_text(value, OVERSPEND_FIELD).lower() == "true",
                not_about_a_pupil=_confirmed(value),
            )
        except IdentifyingReasons as warning:
            await session.rollback()
            found = await session.get(Dispute, dispute_id)
            if found is not None:
                shown = await dispute_view(session, found, today_of(chat.clock))
                await show_card(turn.context, handler_card(shown, warning=str(warning)))
            return
        except (DisputeRefused, BudgetRefused) as refused:
            await session.rollback()
            await _sorry(turn, refused)
            return
        await _to_school(
            chat,
            turn,
            session,
            dispute,
            lambda view: (
                f"Recorded: {view.finding.label.lower() if view.finding else 'decided'}. "
                "The school has been told."
            ),
        )


# ---- the school escalates ---------------------------------------------------------------------------------


async def _escalate(chat: ChatServices, turn: Turn) -> None:
    dispute_id, version = _ids(turn)
    if dispute_id is None or version is None:
        await turn.context.send_activity(NO_DISPUTE)
        return
    async with chat.database.session() as session:
        try:
            dispute = await service.escalate(
                session, chat.clock, turn.profile, dispute_id, version, chat.disputes
            )
        except DisputeRefused as refused:
            await session.rollback()
            await _sorry(turn, refused)
            return
        await _to_handlers(
            chat, turn, session, dispute, lambda view: f"Escalated to {view.stage.label.lower()}."
        )


async def _to_school(
    chat: ChatServices,
    turn: Turn,
    session: AsyncSession,
    dispute: Dispute,
    done: Callable[[DisputeView], str],
) -> None:
    """Tell the school, commit, and show the handler the dispute with what was ``done``."""
    today = today_of(chat.clock)
    await telling.tell_school(session, chat.outbox, dispute, today, school_card)
    view = await dispute_view(session, dispute, today)
    await session.commit()
    chat.outbox.wake()
    await show_card(turn.context, handler_card(view, note=done(view)))


async def _to_handlers(
    chat: ChatServices,
    turn: Turn,
    session: AsyncSession,
    dispute: Dispute,
    done: Callable[[DisputeView], str],
) -> None:
    """Tell the stage's handlers, commit, and show the school its dispute with what was ``done``."""
    today = today_of(chat.clock)
    told = await telling.tell_handlers(session, chat.outbox, dispute, today, handler_card)
    view = await dispute_view(session, dispute, today)
    await session.commit()
    chat.outbox.wake()
    who = "The people dealing with it have been told." if told.anyone else "Nobody could be told yet."
    await show_card(turn.context, school_card(view, note=f"{done(view)} {who}"))


# ---- reading: one dispute, and the officers' list ----------------------------------------------------


async def _open(chat: ChatServices, turn: Turn) -> None:
    dispute_id = as_id(_value(turn).get(DISPUTE_FIELD))
    if dispute_id is None:
        await turn.context.send_activity(NO_DISPUTE)
        return
    async with chat.database.session() as session:
        try:
            dispute = await open_for_reading(session, chat.clock, turn.profile, dispute_id)
        except DisputeRefused as refused:
            await session.rollback()
            await _sorry(turn, refused)
            return
        view = await dispute_view(session, dispute, today_of(chat.clock))
        handles = await may_handle(session, turn.profile, dispute)
        await session.commit()
    if handles:
        shown = handler_card(view)
    elif is_school_leader(turn.profile, dispute.school_id):
        shown = school_card(view)
    else:
        shown = handler_card(view, read_only=True)
    await send_card(turn.context, shown)


async def _list(chat: ChatServices, turn: Turn) -> None:
    async with chat.database.session() as session:
        lines = await open_disputes(session, chat.clock, turn.profile, today_of(chat.clock))
        await session.commit()
    await send_card(turn.context, open_disputes_card(lines))
