"""RSVPs from the meeting-reminder card in a community's channel, and the chair's quorum DM.

A button pressed on a card in a channel reaches the bot as a message in that channel's thread,
with ``value`` set and no text (see :mod:`bot.channel_commands`). The sender is identified from
the roster, the domain records the answer (or refuses it, in words that name nobody, as a reply
in the thread) and, in the same transaction, an in-place update of every reminder card of the
meeting is queued in the outbox. On a successful answer the bot posts nothing: the card itself
changes.

The reminder cards are the outbox rows the scheduler posted with keys that start with
``timeline:{meeting_id}:meeting_reminder`` (the day before, and the morning of). Each update is
keyed by the card it replaces, the update before it and a digest of the new card, so a repeated
click (or a retried turn) with the same result queues nothing, while a count that goes back to an
earlier value is still shown.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from botbuilder.core import TurnContext
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services import Services
from bot.teams.turn_sender import Senders
from cards.rsvp_cards import RSVP, day_label, meeting_reminder_card
from communities.clock import Clock
from communities.db import in_transaction
from communities.meetings import rsvp
from communities.meetings.rsvp import DEFAULT_QUORUM, QuorumRule, RsvpAnswer, RsvpRefused, RsvpTally
from communities.meetings.tables import UPCOMING, Meeting
from communities.messaging.outbox import DeliveryKind, Outbox, OutboxMessage, OutboxStatus, OutgoingMessage
from communities.messaging.teams_links import PersonalChat
from communities.roster.directory import people_with_role
from communities.roster.roles import Role
from communities.roster.tables import Community
from scheduler.jobs import StepContext

UNREADABLE = "Sorry: I could not read that button. The card may be out of date."


def is_rsvp_submit(value: Any) -> bool:
    return isinstance(value, dict) and value.get("action") == RSVP


def reminder_key_prefix(meeting_id: int) -> str:
    """How the scheduler's meeting-reminder posts of a meeting are keyed in the outbox."""
    return f"timeline:{meeting_id}:meeting_reminder"


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


# ---- the cards -------------------------------------------------------------------------------


async def reminder_message(
    session: AsyncSession, clock: Clock, meeting_id: int, rule: QuorumRule = DEFAULT_QUORUM
) -> OutgoingMessage | None:
    """The reminder card as it should look now (for the first post, and for every update)."""
    return await _reminder_message(session, clock.now(), meeting_id, rule)


class ReminderStep(Protocol):
    @property
    def at(self) -> datetime: ...


class ReminderContext(Protocol):
    """What the card needs of the scheduler's ``scheduler.jobs.StepContext``."""

    @property
    def meeting(self) -> Meeting: ...

    @property
    def step(self) -> ReminderStep: ...


async def render_meeting_reminder(
    session: AsyncSession, ctx: ReminderContext, rule: QuorumRule = DEFAULT_QUORUM
) -> OutgoingMessage:
    """The scheduler's ``Renderers.meeting_reminder``: the RSVP card, with the answers so far.

    "Tomorrow" or "Today" is told from the time the step runs.
    """
    assert ctx.meeting.id is not None
    message = await _reminder_message(session, ctx.step.at, ctx.meeting.id, rule)
    if message is None:
        raise LookupError(f"meeting {ctx.meeting.id} is gone")
    return message


async def _reminder_message(
    session: AsyncSession, now: datetime, meeting_id: int, rule: QuorumRule
) -> OutgoingMessage | None:
    meeting = await rsvp.reminder_facts(session, meeting_id)
    if meeting is None:
        return None
    label = day_label(meeting.starts_at, now)
    return OutgoingMessage(
        card=meeting_reminder_card(meeting, await rsvp.tally(session, meeting_id, rule), label),
        summary=f"{label}: {meeting.community_code} meeting, {meeting.when}",
    )


async def reminder_messages(session: AsyncSession, meeting_id: int) -> list[OutboxMessage]:
    """The meeting's reminder cards the outbox has posted or will post (not failed ones)."""
    rows = await session.exec(
        select(OutboxMessage)
        .where(
            col(OutboxMessage.idempotency_key).startswith(reminder_key_prefix(meeting_id), autoescape=True),
            col(OutboxMessage.kind).in_([DeliveryKind.NEW_THREAD.value, DeliveryKind.SEND.value]),
            col(OutboxMessage.status) != OutboxStatus.FAILED.value,
        )
        .order_by(col(OutboxMessage.id))
    )
    return list(rows.all())


async def refresh_reminder_cards(
    session: AsyncSession, clock: Clock, outbox: Outbox, meeting_id: int, rule: QuorumRule = DEFAULT_QUORUM
) -> int:
    """Queue an in-place update of each reminder card whose last version differs from now's.

    Returns how many updates were queued (the caller commits, then wakes the outbox).
    """
    originals = await reminder_messages(session, meeting_id)
    if not originals:
        return 0
    message = await reminder_message(session, clock, meeting_id, rule)
    if message is None:
        return 0
    payload = message.to_payload()
    digest = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]
    queued = 0
    for original in originals:
        latest = (
            await session.exec(
                select(OutboxMessage)
                .where(col(OutboxMessage.update_of_id) == original.id)
                .order_by(col(OutboxMessage.id).desc())
                .limit(1)
            )
        ).first()
        if (latest or original).payload == payload:
            continue
        key = f"rsvp:{meeting_id}:{original.id}:{latest.id if latest else 0}:{digest}"
        await outbox.update(session, key=key, original=original, message=message)
        queued += 1
    return queued


# ---- the chair's DM the day before -----------------------------------------------------------


@dataclass(frozen=True)
class QuorumCheck:
    tally: RsvpTally
    #: The people sent a DM (none when the meeting is quorate).
    told: tuple[int, ...] = ()
    #: Not quorate, and neither the chair, the vice chair nor an officer can be reached.
    unreachable: bool = False


async def notify_if_not_quorate(
    session: AsyncSession, clock: Clock, outbox: Outbox, meeting_id: int, rule: QuorumRule = DEFAULT_QUORUM
) -> QuorumCheck | None:
    """DM the chair when the coming meeting is not quorate yet (the caller commits and wakes).

    The chair(s) of the community are told; if none has a chat with the bot, the vice chair(s);
    failing them, the officers. Keys are ``quorum:{meeting_id}:{sequence}:{person_id}``, so a
    job run twice tells nobody twice, and a moved meeting is checked afresh. None when the
    meeting does not exist or is not coming up any more.
    """
    meeting = await session.get(Meeting, meeting_id)
    if meeting is None or meeting.status not in UPCOMING or meeting.starts_at <= clock.now():
        return None
    community = await session.get(Community, meeting.community_id)
    facts = await rsvp.reminder_facts(session, meeting_id)
    assert community is not None and facts is not None
    counted = await rsvp.tally(session, meeting_id, rule)
    if counted.quorate:
        return QuorumCheck(counted)
    where = f"{community.name} ({community.code})"
    so_far = (
        f"So far: {counted.attending} attending, {counted.apologies} apologies, {counted.colleague} "
        f"sending a colleague; {counted.schools_represented} of {counted.schools_total} schools represented."
    )
    missing = f" Not represented yet: {', '.join(counted.unrepresented)}." if counted.unrepresented else ""
    not_met = f"Quorum is not met yet for the {where} meeting on {facts.when}: it needs {counted.needs()}."
    chair_text = (
        f"{not_met} {so_far}{missing} "
        "You may want to remind members to answer on the reminder card in the channel."
    )
    officer_text = (
        f"{not_met} Its chair and vice chair cannot be reached by the bot (they have not opened a chat "
        f"with it). {so_far}{missing}"
    )
    for role, words in (
        (Role.CHAIR, chair_text),
        (Role.VICE_CHAIR, chair_text),
        (Role.OFFICER, officer_text),
    ):
        people = await people_with_role(session, role, None if role is Role.OFFICER else community.id)
        ids = {p.id for p in people if p.id is not None}
        chats = (
            (await session.exec(select(PersonalChat).where(col(PersonalChat.person_id).in_(ids)))).all()
            if ids
            else []
        )
        told: list[int] = []
        for chat in sorted(chats, key=lambda c: c.person_id or 0):
            assert chat.person_id is not None
            if chat.person_id in told:
                continue
            await outbox.send(
                session,
                key=f"quorum:{meeting_id}:{meeting.sequence}:{chat.person_id}",
                reference=chat.reference,
                message=OutgoingMessage(text=words),
            )
            told.append(chat.person_id)
        if told:
            return QuorumCheck(counted, told=tuple(told))
    return QuorumCheck(counted, unreachable=True)


async def quorum_check(session: AsyncSession, ctx: StepContext, rule: QuorumRule = DEFAULT_QUORUM) -> int:
    """The scheduler's day-before step: DM the chair when quorum is not met; how many were told."""
    assert ctx.meeting.id is not None
    check = await notify_if_not_quorate(session, ctx.clock, ctx.outbox, ctx.meeting.id, rule)
    return len(check.told) if check else 0
