"""The RSVP buttons of the meeting-reminder card in a community's channel.

A button pressed on a card in a channel reaches the bot as a message in that channel's thread,
with ``value`` set and no text. The route is open to anyone: the domain records the answer (or
refuses it, in words that name nobody, as a reply in the thread; someone not in the roster gets
the same words) and, in the same transaction, an in-place update of every reminder card of the
meeting is queued (:func:`communities.meetings.reminder_posts.refresh_reminder_cards`, which the
scheduler's posts share). On a successful answer the bot posts nothing: the card itself changes.
"""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from cards.meetings.rsvp import reminder_post
from communities.db import in_transaction
from communities.meetings import rsvp
from communities.meetings.reminder_posts import refresh_reminder_cards
from communities.meetings.rsvp import RsvpAnswer, RsvpRefused
from communities.roster.directory import PersonProfile
from dialogs.routing import Turn
from dialogs.services import ChatServices

UNREADABLE = "Sorry: I could not read that button. The card may be out of date."


# ---- the button ------------------------------------------------------------------------------


async def press(chat: ChatServices, turn: Turn) -> None:
    """Record the sender's answer and queue the card updates; refuse in the thread otherwise."""
    ctx = turn.context
    meeting_id, choice = read_button(turn.value)
    if meeting_id is None or choice is None:
        await ctx.send_activity(UNREADABLE)
        return
    profile = turn.sender
    if profile is None:
        # Not in the roster: the same words as for anyone else who may not answer.
        await ctx.send_activity(rsvp.NOT_A_MEMBER)
        return
    refused = await record_answer(chat, meeting_id, profile, choice)
    if refused is not None:
        await ctx.send_activity(refused)


async def record_answer(
    chat: ChatServices, meeting_id: int, profile: PersonProfile, choice: RsvpAnswer
) -> str | None:
    """Record the answer and queue the reminder cards' updates; the refusal's words when it is
    refused (nothing changed). A button or an ``Action.Execute``, the same answer."""
    clock, outbox = chat.clock, chat.outbox

    async def work(session: AsyncSession) -> int:
        await rsvp.answer(session, clock, meeting_id, profile, choice)
        return await refresh_reminder_cards(
            session, clock, outbox, meeting_id, reminder_post, chat.quorum_rule
        )

    try:
        queued = await in_transaction(chat.database, work)
    except RsvpRefused as refused:
        return str(refused)
    if queued:
        outbox.wake()
    return None


def read_button(value: Any) -> tuple[int | None, RsvpAnswer | None]:
    """The meeting id and the answer a button's data names (None for either that it does not)."""
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
