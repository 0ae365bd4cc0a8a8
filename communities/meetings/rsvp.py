"""RSVPs to a community meeting, and whether the meeting will be quorate.

Members answer from the meeting-reminder card in the community's channel: attending, apologies,
or sending a colleague in their place. One answer per person and meeting; a new answer replaces
the old one. Who may answer, and who counts, is read from the roster at the time (not from a
cached profile): the chair and vice chair of the meeting's community, and the school leaders and
SENCOs of its schools.

Quorum (domain.md §2.3, a default of ours, configurable): the chair or vice chair attending,
plus at least half of the community's schools represented. A school is represented when one of
its leaders or SENCOs attends or sends a colleague. (Excluding conflicted members per agenda
item is the agenda's business, not the meeting's.)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from fractions import Fraction
from typing import Any

from sqlalchemy import Column, ColumnElement, String, UniqueConstraint, and_, exists, func, or_
from sqlalchemy.orm import Mapped, aliased
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from communities.clock import Clock
from communities.db import upsert_into
from communities.meetings.tables import Meeting, MeetingStatus, when_text, where_text
from communities.messaging.teams_links import PersonalChat
from communities.roster.directory import PersonProfile
from communities.roster.roles import COMMUNITY_ROLES, SCHOOL_ROLES
from communities.roster.tables import Community, Membership, Person, School
from communities.sqltypes import UtcDateTime


class RsvpAnswer(StrEnum):
    ATTENDING = "attending"
    APOLOGIES = "apologies"
    #: Sending a colleague: the person will not come, but their school is represented.
    COLLEAGUE = "colleague"

    @property
    def label(self) -> str:
        return _ANSWER_LABELS[self]


_ANSWER_LABELS = {
    RsvpAnswer.ATTENDING: "Attending",
    RsvpAnswer.APOLOGIES: "Apologies",
    RsvpAnswer.COLLEAGUE: "Sending a colleague",
}

#: Answers that represent the person's school at the meeting.
REPRESENTING = (RsvpAnswer.ATTENDING, RsvpAnswer.COLLEAGUE)


class Rsvp(SQLModel, table=True):
    __tablename__ = "rsvp"
    __table_args__ = (UniqueConstraint("meeting_id", "person_id", name="uq_rsvp_meeting_person"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    answer: RsvpAnswer = Field(sa_type=String(16))
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


class RsvpRefused(Exception):
    """The answer cannot be recorded; the message says why, in words that name nobody."""


NOT_A_MEMBER = (
    "Sorry: only the chair, vice chair, school leaders and SENCOs of this community's schools can "
    "answer for its meetings."
)
NO_SUCH_MEETING = "Sorry: I cannot find that meeting (the card may be out of date)."


# ---- the quorum rule ---------------------------------------------------------------------------


@dataclass(frozen=True)
class QuorumRule:
    """When a meeting is quorate. Shares are exact: 1/2 of 9 schools needs 5."""

    #: The share of the community's schools that must be represented (0 to 1).
    school_share: Fraction | float = Fraction(1, 2)
    #: Whether the chair or the vice chair must attend.
    chair_or_vice_required: bool = True

    def __post_init__(self) -> None:
        if not 0 <= self.share <= 1:
            raise ValueError("the share of schools must be between 0 and 1")

    @property
    def share(self) -> Fraction:
        return Fraction(self.school_share).limit_denominator(10_000)

    def schools_needed(self, schools: int) -> int:
        return math.ceil(self.share * schools)


DEFAULT_QUORUM = QuorumRule()


@dataclass(frozen=True)
class RsvpTally:
    """The answers to a meeting, counted, and where they leave the quorum. Names nobody."""

    meeting_id: int
    attending: int
    apologies: int
    colleague: int
    #: The community's active schools, and how many of them are represented.
    schools_total: int
    schools_represented: int
    chair_or_vice_attending: bool
    rule: QuorumRule
    #: Names of the schools not represented yet (for the chair's DM; not for the channel card).
    unrepresented: tuple[str, ...] = ()

    @property
    def answered(self) -> int:
        return self.attending + self.apologies + self.colleague

    @property
    def schools_needed(self) -> int:
        return self.rule.schools_needed(self.schools_total)

    @property
    def chair_missing(self) -> bool:
        return self.rule.chair_or_vice_required and not self.chair_or_vice_attending

    @property
    def quorate(self) -> bool:
        return not self.chair_missing and self.schools_represented >= self.schools_needed

    def needs(self) -> str:
        """What quorum needs, whether met or not: 'the chair or vice chair and 5 of 9 schools'."""
        parts = ["the chair or vice chair"] if self.rule.chair_or_vice_required else []
        if self.schools_needed:
            parts.append(f"{self.schools_needed} of {self.schools_total} schools")
        return " and ".join(parts) or "nothing"

    def count(self, answer: RsvpAnswer) -> int:
        return {
            RsvpAnswer.ATTENDING: self.attending,
            RsvpAnswer.APOLOGIES: self.apologies,
            RsvpAnswer.COLLEAGUE: self.colleague,
        }[answer]


# ---- answering ---------------------------------------------------------------------------------


async def answer(
    session: AsyncSession, clock: Clock, meeting_id: int, profile: PersonProfile, answer: RsvpAnswer
) -> RsvpAnswer:
    """Record ``profile``'s answer to the meeting, replacing an earlier one (the caller commits).

    Concurrent answers are safe: the upsert never collides on the (meeting, person) key, and on
    PostgreSQL the meeting row is locked for the rest of the transaction, so that answers to one
    meeting (and the card updates queued after them in the same transaction) go one at a time,
    each seeing the ones before it. SQLite lets one writer in at a time, which does the same.
    """
    answer = RsvpAnswer(answer)
    meeting = (
        await session.exec(
            select(Meeting)
            .where(col(Meeting.id) == meeting_id)
            .with_for_update(key_share=True)
            .execution_options(populate_existing=True)
        )
    ).first()
    if meeting is None:
        raise RsvpRefused(NO_SUCH_MEETING)
    if meeting.status == MeetingStatus.CANCELLED:
        raise RsvpRefused("That meeting has been cancelled, so there is nothing to answer.")
    if meeting.status == MeetingStatus.HELD or meeting.ends_at <= clock.now():
        raise RsvpRefused("That meeting has already taken place.")
    if not await is_member(session, profile.person_id, meeting.community_id):
        raise RsvpRefused(NOT_A_MEMBER)
    now = clock.now()
    statement = upsert_into(session, Rsvp).values(
        meeting_id=meeting_id,
        person_id=profile.person_id,
        answer=answer.value,
        created_at=now,
        updated_at=now,
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["meeting_id", "person_id"],
            set_={"answer": statement.excluded.answer, "updated_at": statement.excluded.updated_at},
        )
    )
    return answer


async def is_member(session: AsyncSession, person_id: int, community_id: int) -> bool:
    """Whether the person (active) is the community's chair or vice chair, or leads or is SENCO of
    one of its schools."""
    found = await session.exec(
        select(Person.id).where(
            col(Person.id) == person_id, col(Person.active), _member_of(col(Person.id), community_id)
        )
    )
    return found.first() is not None


def _member_of(person_id: Mapped[Any], community_id: int) -> ColumnElement[bool]:
    membership = aliased(Membership)
    schools = select(School.id).where(col(School.community_id) == community_id, col(School.active))
    return exists().where(
        col(membership.person_id) == person_id,
        col(membership.active),
        or_(
            and_(
                col(membership.role).in_([r.value for r in COMMUNITY_ROLES]),
                col(membership.community_id) == community_id,
            ),
            and_(
                col(membership.role).in_([r.value for r in SCHOOL_ROLES]),
                col(membership.school_id).in_(schools),
            ),
        ),
    )


async def answer_of(session: AsyncSession, meeting_id: int, person_id: int) -> RsvpAnswer | None:
    row = (
        await session.exec(
            select(Rsvp.answer).where(col(Rsvp.meeting_id) == meeting_id, col(Rsvp.person_id) == person_id)
        )
    ).first()
    return RsvpAnswer(row) if row is not None else None


# ---- counting ----------------------------------------------------------------------------------


async def tally(session: AsyncSession, meeting_id: int, rule: QuorumRule = DEFAULT_QUORUM) -> RsvpTally:
    """The answers of the community's current members, and the quorum status.

    An answer from someone who has since left the community (or whose school left it) stops
    counting, for the counts as for the quorum, so the two always agree.
    """
    meeting = await session.get(Meeting, meeting_id)
    if meeting is None:
        raise RsvpRefused(NO_SUCH_MEETING)
    community_id = meeting.community_id
    members = and_(
        col(Rsvp.meeting_id) == meeting_id,
        col(Person.active),
        _member_of(col(Rsvp.person_id), community_id),
    )
    counts: dict[str, int] = {
        str(answer): int(number)
        for answer, number in (
            await session.exec(
                select(Rsvp.answer, func.count())
                .join(Person, col(Person.id) == col(Rsvp.person_id))
                .where(members)
                .group_by(col(Rsvp.answer))
            )
        ).all()
    }
    schools = (
        await session.exec(
            select(School.id, School.name)
            .where(col(School.community_id) == community_id, col(School.active))
            .order_by(col(School.name))
        )
    ).all()
    represented = set(
        (
            await session.exec(
                select(Membership.school_id)
                .join(Rsvp, col(Rsvp.person_id) == col(Membership.person_id))
                .join(Person, col(Person.id) == col(Rsvp.person_id))
                .where(
                    members,
                    col(Rsvp.answer).in_([a.value for a in REPRESENTING]),
                    col(Membership.active),
                    col(Membership.role).in_([r.value for r in SCHOOL_ROLES]),
                    col(Membership.school_id).in_([school_id for school_id, _ in schools]),
                )
                .distinct()
            )
        ).all()
    )
    chair_attending = (
        await session.exec(
            select(Rsvp.id)
            .join(Person, col(Person.id) == col(Rsvp.person_id))
            .join(Membership, col(Membership.person_id) == col(Rsvp.person_id))
            .where(
                members,
                col(Rsvp.answer) == RsvpAnswer.ATTENDING.value,
                col(Membership.active),
                col(Membership.role).in_([r.value for r in COMMUNITY_ROLES]),
                col(Membership.community_id) == community_id,
            )
            .limit(1)
        )
    ).first() is not None
    return RsvpTally(
        meeting_id=meeting_id,
        attending=counts.get(RsvpAnswer.ATTENDING.value, 0),
        apologies=counts.get(RsvpAnswer.APOLOGIES.value, 0),
        colleague=counts.get(RsvpAnswer.COLLEAGUE.value, 0),
        schools_total=len(schools),
        schools_represented=len(represented),
        chair_or_vice_attending=chair_attending,
        rule=rule,
        unrepresented=tuple(name for school_id, name in schools if school_id not in represented),
    )


# ---- what the reminder card says about the meeting ---------------------------------------------


@dataclass(frozen=True)
class ReminderFacts:
    """A meeting as its reminder card in the channel shows it: no one's name."""

    meeting_id: int
    community_code: str
    community_name: str
    starts_at: datetime
    when: str
    where: str
    join_url: str | None
    status: MeetingStatus
    #: Bumped on every change of the meeting (its time, place or status).
    sequence: int
    #: How many people may answer (the community's members), and the Teams ids of those the bot
    #: knows (for the card's per-user refresh; ids, never names).
    members: int = 0
    member_user_ids: tuple[str, ...] = ()


async def reminder_facts(session: AsyncSession, meeting_id: int) -> ReminderFacts | None:
    meeting = await session.get(Meeting, meeting_id)
    community = await session.get(Community, meeting.community_id) if meeting else None
    if meeting is None or community is None:
        return None
    return ReminderFacts(
        meeting_id=meeting_id,
        community_code=community.code,
        community_name=community.name,
        starts_at=meeting.starts_at,
        when=when_text(meeting),
        where=where_text(meeting.location, meeting.online),
        join_url=meeting.join_url,
        status=MeetingStatus(meeting.status),
        sequence=meeting.sequence,
        members=len(members := await member_ids(session, meeting.community_id)),
        member_user_ids=await teams_user_ids(session, members),
    )


async def member_ids(session: AsyncSession, community_id: int) -> list[int]:
    """The active people who may answer for the community's meetings, by id."""
    rows = await session.exec(
        select(Person.id)
        .where(col(Person.active), _member_of(col(Person.id), community_id))
        .order_by(col(Person.id))
    )
    return [person_id for person_id in rows.all() if person_id is not None]


async def teams_user_ids(session: AsyncSession, person_ids: list[int]) -> tuple[str, ...]:
    """The Teams user ids of those people the bot has met (their first personal chat each)."""
    if not person_ids:
        return ()
    rows = await session.exec(
        select(PersonalChat.person_id, PersonalChat.teams_user_id)
        .where(col(PersonalChat.person_id).in_(person_ids))
        .order_by(col(PersonalChat.id))
    )
    first: dict[int, str] = {}
    for person_id, user_id in rows.all():
        if person_id is not None:
            first.setdefault(person_id, user_id)
    return tuple(first[p] for p in person_ids if p in first)
