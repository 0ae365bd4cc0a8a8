"""Everything the bot says of its own accord goes through here: who hears it, and who is told instead.

A :class:`Notice` is a message (or the parts of a long card) with an audience of ordered
:class:`Tier` s. The first tier in which somebody can be reached is told; a later tier only when
nobody before it could be (the chair, then the vice chair, then the council's officers). A
fallback tier may have words of its own ("its chair cannot be reached: please pass this on").

Who can be reached: an active person with a personal chat with the bot (their first one), or
whom a team with the bot lists (:mod:`communities.reach.members`: the outbox sender starts the
chat, and if Teams refuses it, queues the next tier's rows then: ``cosbotStartChat.fallback``), a
community with a linked channel, or a conversation given outright (a reply in a thread, a new
thread in a team's General channel). Inactive people are never told, nor listed as unreachable.

Every row is queued through :class:`~communities.messaging.outbox.Outbox` (the one writer of outbox
rows) under the notice's idempotency key: ``{key}:{person}{tier's suffix}``, and ``:part{n}`` after
that for the second part on; a conversation's rows (and a notice not keyed by person) are keyed
``{key}`` (``:part{n}``). Telling again
queues nothing new. The caller commits, then wakes the outbox.

The notices there are, where each is declared, and its tiers (→ a fallback; * its own words):

- a request submitted, resubmitted or withdrawn (``communities.requests.service``): the chair and
  vice chair → the officers* (not for a withdrawal); decided or withdrawn: the requester;
- a request deferred (``communities.agendas.changes``): the requester;
- the timeline (``scheduler.steps``): requests open and the RSVP reminders to the community's
  channel; the deadline reminder to each school's staff; the cut-off's draft agenda and the agenda
  nudge to the meeting's chair → the officers* (``communities.meetings.audiences``); the overdue
  agenda to the officers; the declarations renewal to each member who has not confirmed;
- quorum not met (``communities.meetings.quorum``): the chair → the vice chair → the officers*;
- the daily follow-up after meetings (``scheduler.followup``): a review due, to the requester and the
  school's leaders and SENCOs; an agreed action due soon, to its owner (the person, or the owner
  school's leaders and SENCOs);
- the Raise-a-request prompt from a channel, the link confirmation, the team welcome, and an
  agenda's first channel post: the one person or conversation;
- a meeting's minutes approved (``communities.minutes.approving``): the full minutes to each member of
  the community, and a new thread in its channel saying only that they are approved;
- a broadcast of meeting dates (``communities.broadcasts.service``): a new thread in each community
  channel it reaches, and the officer's delivery report in the chat it was sent from.

Edits in place of a card posted earlier (the agenda republished, RSVP counts, a broadcast's card
and its report) are not new notices: they go to ``Outbox.update`` with the row they replace.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from communities.messaging.outbox import Outbox, OutboxMessage, OutgoingMessage
from communities.messaging.teams_links import ChannelLink, PersonalChat
from communities.reach.members import START_CHAT_KEY, chat_starts, is_start_chat
from communities.roster.directory import people_with_role
from communities.roster.roles import Role
from communities.roster.tables import Person

# ---- audiences -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    """Somewhere a notice can land: a person's chat, or a conversation (``person_id`` None)."""

    person_id: int | None
    reference: dict[str, Any]
    #: Start a new thread in the channel of ``reference`` rather than send into the conversation.
    new_thread: bool = False


@dataclass(frozen=True)
class Reach:
    """An audience looked up: who can be told, and the people who cannot (no chat with the bot)."""

    recipients: tuple[Recipient, ...]
    unreachable: tuple[int, ...] = ()


class Audience(Protocol):
    async def reach(self, session: AsyncSession) -> Reach: ...


@dataclass(frozen=True)
class People:
    """These people, by person id (told in that order, lowest first)."""

    person_ids: tuple[int, ...]

    @classmethod
    def of(cls, *person_ids: int | None) -> People:
        return cls(tuple(sorted({p for p in person_ids if p is not None})))

    async def reach(self, session: AsyncSession) -> Reach:
        return await reach_people(session, self.person_ids)


@dataclass(frozen=True)
class RoleHolders:
    """The active holders of any of ``roles`` (in a community, or council-wide when None)."""

    roles: tuple[Role, ...]
    community_id: int | None = None

    async def reach(self, session: AsyncSession) -> Reach:
        ids: set[int] = set()
        for role in self.roles:
            ids.update(p.id for p in await people_with_role(session, role, self.community_id) if p.id)
        return await reach_people(session, sorted(ids))


#: The council's officers: the usual last tier.
OFFICERS = RoleHolders((Role.OFFICER,))


@dataclass(frozen=True)
class CommunityChannel:
    """A new thread in the community's linked channel (nobody, when it has none)."""

    community_id: int

    async def reach(self, session: AsyncSession) -> Reach:
        link = (
            await session.exec(select(ChannelLink).where(ChannelLink.community_id == self.community_id))
        ).first()
        return Reach(() if link is None else (Recipient(None, link.reference, new_thread=True),))


@dataclass(frozen=True)
class Conversation:
    """A conversation given by its reference: a reply in a thread, or a new thread in a channel."""

    reference: dict[str, Any]
    new_thread: bool = False

    async def reach(self, session: AsyncSession) -> Reach:
        return Reach((Recipient(None, self.reference, self.new_thread),))


async def reach_people(session: AsyncSession, person_ids: Iterable[int]) -> Reach:
    """The active people among ``person_ids``: their first personal chat, or unreachable."""
    wanted = sorted(set(person_ids))
    if not wanted:
        return Reach(())
    active = set(
        (await session.exec(select(Person.id).where(col(Person.id).in_(wanted), col(Person.active)))).all()
    )
    chats: dict[int, PersonalChat] = {}
    rows = await session.exec(
        select(PersonalChat).where(col(PersonalChat.person_id).in_(active)).order_by(col(PersonalChat.id))
    )
    for chat in rows.all():
        if chat.person_id is not None:
            chats.setdefault(chat.person_id, chat)
    people = [p for p in wanted if p in active]
    # Without a chat yet: a member of a team with the bot gets one started by the outbox sender.
    starts = await chat_starts(session, [p for p in people if p not in chats])
    references = {**starts, **{p: chat.reference for p, chat in chats.items()}}
    return Reach(
        tuple(Recipient(p, references[p]) for p in people if p in references),
        tuple(p for p in people if p not in references),
    )


# ---- notices ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tier:
    audience: Audience
    #: This tier's own words (a fallback's); None: the notice's messages.
    messages: tuple[OutgoingMessage, ...] | None = None
    #: Appended to a person's key, to tell a fallback's rows from the first tier's.
    key_suffix: str = ""


@dataclass(frozen=True)
class Notice:
    """What to say, to whom in which order, under which idempotency key."""

    key: str
    messages: tuple[OutgoingMessage, ...]
    tiers: tuple[Tier, ...]
    #: The outbox's report group (new threads in a channel).
    batch_key: str | None = None
    #: Append the person to the key (``{key}:{person}``); False when the key already names the one
    #: occasion (a button press) and so the one person.
    keyed_by_person: bool = True

    @classmethod
    def to(
        cls,
        audience: Audience,
        key: str,
        *messages: OutgoingMessage,
        fallbacks: Sequence[Tier] = (),
        batch_key: str | None = None,
        keyed_by_person: bool = True,
    ) -> Notice:
        """A notice to ``audience``, and if nobody there can be reached, to each of ``fallbacks`` in turn."""
        if not messages:
            raise ValueError("a notice needs a message")
        return cls(key, tuple(messages), (Tier(audience), *fallbacks), batch_key, keyed_by_person)


@dataclass(frozen=True)
class Told:
    """What :func:`tell` did."""

    #: The people told, in order (none for a conversation).
    people: tuple[int, ...] = ()
    #: The people of the tiers tried who have no chat with the bot.
    unreachable: tuple[int, ...] = ()
    #: The tier that was told (0 is the first), or None when nobody could be reached.
    tier: int | None = None
    #: The messages that tier got.
    messages: tuple[OutgoingMessage, ...] = ()
    #: The outbox rows, one per recipient and part (an earlier one when queued before).
    rows: tuple[OutboxMessage, ...] = ()

    @property
    def anyone(self) -> bool:
        return self.tier is not None

    @property
    def fell_back(self) -> bool:
        return self.tier is not None and self.tier > 0

    @property
    def text(self) -> str:
        """The first message's text (what a confirmation quotes)."""
        return (self.messages[0].text or "") if self.messages else ""


async def tell(session: AsyncSession, outbox: Outbox, notice: Notice) -> Told:
    """Queue ``notice`` for the first tier with someone who can be reached (the caller commits)."""
    unreachable: list[int] = []
    for number, tier in enumerate(notice.tiers):
        reach = await tier.audience.reach(session)
        unreachable += [p for p in reach.unreachable if p not in unreachable]
        if not reach.recipients:
            continue
        messages = tier.messages or notice.messages
        rows: list[OutboxMessage] = []
        told: list[int] = []
        fallback: list[dict[str, Any]] | None = None
        for recipient in reach.recipients:
            if is_start_chat(recipient.reference):
                # The chat is started when sent; should Teams refuse it, the sender queues these.
                if fallback is None:
                    fallback = await _fallback_rows(session, notice, number + 1)
                recipient = _with_fallback(recipient, fallback)
            rows += await _queue(session, outbox, notice, tier, recipient, messages)
            if recipient.person_id is not None:
                told.append(recipient.person_id)
        return Told(tuple(told), tuple(unreachable), number, messages, tuple(rows))
    return Told(unreachable=tuple(unreachable))


async def _fallback_rows(session: AsyncSession, notice: Notice, start: int) -> list[dict[str, Any]]:
    """The rows of the first tier from ``start`` with someone to tell, as plain JSON for the sender.

    Only people and conversations: a fallback to a new channel thread would post words no channel
    check has seen (no notice falls back to a channel today), so such a tier is passed over.
    """
    for tier in notice.tiers[start:]:
        reach = await tier.audience.reach(session)
        recipients = [r for r in reach.recipients if not r.new_thread]
        if not recipients:
            continue
        messages = tier.messages or notice.messages
        return [
            {
                "key": key_for(notice, tier, recipient.person_id, part),
                "reference": recipient.reference,
                "payload": message.to_payload(),
                "batchKey": notice.batch_key,
            }
            for recipient in recipients
            for part, message in enumerate(messages, start=1)
        ]
    return []


def _with_fallback(recipient: Recipient, fallback: list[dict[str, Any]]) -> Recipient:
    start = dict(recipient.reference[START_CHAT_KEY])
    start["fallback"] = fallback
    return Recipient(
        recipient.person_id, {**recipient.reference, START_CHAT_KEY: start}, recipient.new_thread
    )


def key_for(notice: Notice, tier: Tier, person_id: int | None, part: int = 1) -> str:
    if person_id is None or not notice.keyed_by_person:
        key = notice.key
    else:
        key = f"{notice.key}:{person_id}{tier.key_suffix}"
    return key + (f":part{part}" if part > 1 else "")


async def _queue(
    session: AsyncSession,
    outbox: Outbox,
    notice: Notice,
    tier: Tier,
    recipient: Recipient,
    messages: Sequence[OutgoingMessage],
) -> list[OutboxMessage]:
    rows = []
    for part, message in enumerate(messages, start=1):
        key = key_for(notice, tier, recipient.person_id, part)
        if recipient.new_thread:
            row = await outbox.new_thread(
                session,
                key=key,
                channel_reference=recipient.reference,
                message=message,
                batch_key=notice.batch_key,
            )
        else:
            row = await outbox.send(
                session, key=key, reference=recipient.reference, message=message, batch_key=notice.batch_key
            )
        rows.append(row)
    return rows
