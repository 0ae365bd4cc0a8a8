"""The RSVP buttons of the meeting-reminder card in a community's channel.

A button pressed on a card in a channel reaches the bot as a message in that channel's thread,
with ``value`` set and no text (see :mod:`bot.channel_commands`). The sender is identified from
the roster, the domain records the answer (or refuses it, in words that name nobody, as a reply
in the thread) and, in the same transaction, an in-place update of every reminder card of the
meeting is queued (:func:`scheduler.rsvp_reminders.refresh_reminder_cards`, which the scheduler's
posts share). On a successful answer the bot posts nothing: the card itself changes.
"""

from __future__ import annotations

from typing import Any

from botbuilder.core import TurnContext
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services import Services
from bot.teams.turn_sender import Senders
from cards.rsvp_cards import RSVP
from communities.db import in_transaction
from communities.meetings import rsvp
from communities.meetings.rsvp import RsvpAnswer, RsvpRefused
from scheduler.rsvp_reminders import refresh_reminder_cards

UNREADABLE = "Sorry: I could not read that button. The card may be out of date."


def is_rsvp_submit(value: Any) -> bool:
    return isinstance(value, dict) and value.get("action") == RSVP


# ---- the button ------------------------------------------------------------------------------


async def press(services: Services, senders: Senders, ctx: TurnContext) -> None:
    """Record the sender's answer and queue the card updates; refuse in the thread otherwise."""
    meeting_id, choice = _read(ctx.activity.value)
    if meeting_id is None or choice is None:
        await ctx.send_activity(UNREADABLE)
        return
    sender = await senders.identify(ctx)
    profile = sender.profile
    if profile is None:
        # Not in the roster: the same words as for anyone else who may not answer.
        await ctx.send_activity(rsvp.NOT_A_MEMBER)
        return
    clock, outbox = services.clock, services.outbox

    async def work(session: AsyncSession) -> int:
        await rsvp.answer(session, clock, meeting_id, profile, choice)
        return await refresh_reminder_cards(session, clock, outbox, meeting_id, services.settings.quorum_rule)

    try:
        queued = await in_transaction(services.database, work)
    except RsvpRefused as refused:
        await ctx.send_activity(str(refused))
        return
    if queued:
        outbox.wake()


def _read(value: Any) -> tuple[int | None, RsvpAnswer | None]:
    if not isinstance(value, dict):
        return None, None
    try:
        meeting_id = int(value.get("meeting_id"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        meeting_id = None
    if meeting_id is not None and not 0 < meeting_id < 2**31:  # an id the database can hold
        meeting_id = None
    try:
        choice = RsvpAnswer(str(value.get("answer")))
    except ValueError:
        choice = None
    return meeting_id, choice
