"""What one person sees on a meeting's channel cards: their own answer, and the chair's extras.

Teams asks for each person's own view of the meeting-reminder card (and the agenda card) with a
Universal Action; the bot answers with that person's view. A member sees their own answer. The
community's chair and vice chair also see who has not answered yet (names of staff only: never
a pupil), and may nudge them: a personal reminder to each, through the notices owner, at most once
a day per meeting (the key names the London day, so a second press queues nothing new).

Who is chair is read from the roster now, not from the card: a forged or stale card grants nothing.
A nudge is audited (``rsvp_nudged``), and so is a refused one (``rsvp_nudge_refused``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from communities import audit
from communities.agendas.tables import Agenda
from communities.clock import Clock
from communities.meetings import rsvp
from communities.meetings.rsvp import NO_SUCH_MEETING, RsvpAnswer, RsvpRefused
from communities.meetings.tables import LONDON, Meeting, MeetingStatus
from communities.messaging.notices import Notice, People, tell
from communities.messaging.outbox import Outbox, OutboxMessage, OutgoingMessage
from communities.roster.directory import PersonProfile
from communities.roster.roles import COMMUNITY_ROLES
from communities.roster.tables import Person

NOT_CHAIR = "Sorry: only the community's chair or vice chair can see who has not answered, or nudge them."
NOBODY_TO_NUDGE = "Everyone has answered: there is nobody to nudge."
NUDGED_TODAY = "They have been nudged today already: you can nudge them again tomorrow."
CLOSED = "That meeting is no longer open for answers, so there is nobody to nudge."


@dataclass(frozen=True)
class ChairView:
    """Who has not answered yet (for the chair's and vice chair's view only)."""

    not_answered: tuple[str, ...]


@dataclass(frozen=True)
class PersonalView:
    """One person's view of a meeting's cards."""

    #: Whether the person may answer at all (a member of the community).
    member: bool
    #: Their answer so far.
    mine: RsvpAnswer | None
    #: The chair's extras, for the chair and vice chair of the meeting's community.
    chair: ChairView | None
    #: Whether answers are still taken (not cancelled, not over).
    open: bool


@dataclass(frozen=True)
class Nudged:
    told: int
    unreachable: int


def chairs(profile: PersonProfile, community_id: int) -> bool:
    """Whether ``profile`` is the chair or vice chair of the community."""
    return any(profile.has_role(role, community_id) for role in COMMUNITY_ROLES)


async def _meeting(session: AsyncSession, meeting_id: int) -> Meeting:
    meeting = await session.get(Meeting, meeting_id)
    if meeting is None:
        raise RsvpRefused(NO_SUCH_MEETING)
    return meeting


def _open(meeting: Meeting, clock: Clock) -> bool:
    closed = (MeetingStatus.CANCELLED, MeetingStatus.HELD)
    return meeting.status not in closed and meeting.ends_at > clock.now()


async def not_answered(session: AsyncSession, meeting: Meeting) -> list[tuple[int, str]]:
    """The community's members with no answer to the meeting, as (person id, name), by name."""
    ids = await rsvp.member_ids(session, meeting.community_id)
    answered = set(
        (await session.exec(select(rsvp.Rsvp.person_id).where(col(rsvp.Rsvp.meeting_id) == meeting.id))).all()
    )
    waiting = [p for p in ids if p not in answered]
    if not waiting:
        return []
    rows = await session.exec(
        select(Person.id, Person.display_name)
        .where(col(Person.id).in_(waiting))
        .order_by(col(Person.display_name))
    )
    return [(person_id, name) for person_id, name in rows.all() if person_id is not None]


async def personal_view(
    session: AsyncSession, clock: Clock, meeting_id: int, profile: PersonProfile | None
) -> PersonalView:
    """``profile``'s view of the meeting (None: someone not in the roster sees the shared view)."""
    meeting = await _meeting(session, meeting_id)
    is_open = _open(meeting, clock)
    if profile is None or not await rsvp.is_member(session, profile.person_id, meeting.community_id):
        return PersonalView(member=False, mine=None, chair=None, open=is_open)
    mine = await rsvp.answer_of(session, meeting_id, profile.person_id)
    chair = None
    if chairs(profile, meeting.community_id):
        chair = ChairView(tuple(name for _, name in await not_answered(session, meeting)))
    return PersonalView(member=True, mine=mine, chair=chair, open=is_open)


async def nudge(
    session: AsyncSession,
    clock: Clock,
    outbox: Outbox,
    profile: PersonProfile,
    meeting_id: int,
    message: OutgoingMessage,
) -> Nudged:
    """Remind each member who has not answered, in a personal chat (the caller commits and wakes the
    outbox). Refused, changing nothing, for anyone but the community's chair or vice chair."""
    meeting = await _meeting(session, meeting_id)
    if not chairs(profile, meeting.community_id):
        await audit.keep_only_refusal(
            session,
            clock,
            actor_person_id=profile.person_id,
            action="rsvp_nudge_refused",
            entity="meeting",
            entity_id=str(meeting_id),
            detail={"reason": "not the chair or vice chair"},
        )
        raise RsvpRefused(NOT_CHAIR)
    if not _open(meeting, clock):
        raise RsvpRefused(CLOSED)
    waiting = [person_id for person_id, _ in await not_answered(session, meeting)]
    if not waiting:
        raise RsvpRefused(NOBODY_TO_NUDGE)
    day = clock.now().astimezone(LONDON).date().isoformat()
    key = f"rsvp_nudge:{meeting_id}:{day}"
    earlier = await session.exec(
        select(OutboxMessage.id).where(col(OutboxMessage.idempotency_key).startswith(key, autoescape=True))
    )
    if earlier.first() is not None:
        raise RsvpRefused(NUDGED_TODAY)
    notice = Notice.to(People.of(*waiting), key, message)
    told = await tell(session, outbox, notice)
    audit.record(
        session,
        clock,
        actor_person_id=profile.person_id,
        action="rsvp_nudged",
        entity="meeting",
        entity_id=str(meeting_id),
        detail={"told": len(told.people), "unreachable": len(told.unreachable)},
    )
    return Nudged(told=len(told.people), unreachable=len(told.unreachable))


async def agenda_as_posted(session: AsyncSession, meeting_id: int) -> dict[str, Any] | None:
    """The first card of the meeting's agenda as the channel shows it now (its latest edit), or None
    when it has not been posted. The personal view is built on it, so nobody sees unpublished changes."""
    agenda = (await session.exec(select(Agenda).where(col(Agenda.meeting_id) == meeting_id))).first()
    if agenda is None or agenda.channel_message_id is None:
        return None
    latest = (
        await session.exec(
            select(OutboxMessage)
            .where(col(OutboxMessage.update_of_id) == agenda.channel_message_id)
            .order_by(col(OutboxMessage.id).desc())
            .limit(1)
        )
    ).first() or await session.get(OutboxMessage, agenda.channel_message_id)
    if latest is None:
        return None
    for attachment in latest.payload.get("attachments", []):
        content = attachment.get("content")
        if isinstance(content, dict):
            return content
    return None
