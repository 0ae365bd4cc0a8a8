"""Who was at a meeting: started from the answers to the reminder card, corrected by the chair.

Until the chair saves it, each member's attendance is read from their answer (attending is
present; apologies, or sending a colleague, is apologies, with the school still represented by
the colleague; no answer is absent). Saving writes every member's line, so that what the minutes
say no longer changes with a late answer. Quorum is counted the way the reminder cards count it
(:class:`communities.meetings.rsvp.QuorumRule`): the chair or vice chair present, and enough of
the community's schools represented.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from communities import audit
from communities.clock import Clock
from communities.db import upsert_into
from communities.meetings.rsvp import DEFAULT_QUORUM, QuorumRule, Rsvp, RsvpAnswer, RsvpTally
from communities.outcomes.access import OutcomeRefused, check_may_record, load_meeting
from communities.outcomes.tables import AttendanceStatus, MeetingAttendance
from communities.roster.directory import PersonProfile
from communities.roster.roles import COMMUNITY_ROLES, SCHOOL_ROLES
from communities.roster.tables import Membership, Person, School


@dataclass(frozen=True)
class AttendanceLine:
    person_id: int
    name: str
    status: AttendanceStatus
    sent_colleague: bool
    #: The member chairs or vice-chairs the community.
    chairs: bool
    school_ids: frozenset[int] = field(default_factory=frozenset)
    #: Saved by the chair (False: read from the answer to the reminder card).
    saved: bool = False


@dataclass(frozen=True)
class Mark:
    """The chair's correction for one member."""

    status: AttendanceStatus
    sent_colleague: bool = False


async def attendance(session: AsyncSession, meeting_id: int) -> list[AttendanceLine]:
    """Every current member of the meeting's community, with their attendance, by name."""
    meeting, _ = await load_meeting(session, meeting_id)
    members = await _members(session, meeting.community_id)
    saved = {
        row.person_id: row
        for row in (
            await session.exec(select(MeetingAttendance).where(MeetingAttendance.meeting_id == meeting_id))
        ).all()
    }
    answers = {
        row.person_id: RsvpAnswer(row.answer)
        for row in (await session.exec(select(Rsvp).where(Rsvp.meeting_id == meeting_id))).all()
    }
    lines = []
    for person_id, (name, chairs, schools) in members.items():
        row = saved.get(person_id)
        if row is not None:
            status, colleague = AttendanceStatus(row.status), row.sent_colleague
        else:
            status, colleague = _from_answer(answers.get(person_id))
        lines.append(AttendanceLine(person_id, name, status, colleague, chairs, schools, row is not None))
    return sorted(lines, key=lambda line: (line.name.lower(), line.person_id))


async def save_attendance(
    session: AsyncSession,
    clock: Clock,
    actor: PersonProfile,
    meeting_id: int,
    marks: Mapping[int, Mark],
) -> list[AttendanceLine]:
    """Save every member's attendance, with the chair's ``marks`` over what the answers said."""
    meeting, community = await load_meeting(session, meeting_id)
    await check_may_record(session, clock, actor, meeting, community, "attendance")
    lines = await attendance(session, meeting_id)
    known = {line.person_id for line in lines}
    strangers = set(marks) - known
    if strangers:
        raise OutcomeRefused(
            "Attendance is recorded for the community's members only (its chair, vice chair, and the "
            "school leaders and SENCOs of its schools). Check who was there and save again."
        )
    now = clock.now()
    for line in lines:
        mark = marks.get(line.person_id, Mark(line.status, line.sent_colleague))
        colleague = mark.sent_colleague and AttendanceStatus(mark.status) is not AttendanceStatus.PRESENT
        statement = upsert_into(session, MeetingAttendance).values(
            meeting_id=meeting_id,
            person_id=line.person_id,
            status=AttendanceStatus(mark.status).value,
            sent_colleague=colleague,
            recorded_by_person_id=actor.person_id,
            updated_at=now,
        )
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=["meeting_id", "person_id"],
                set_={
                    "status": statement.excluded.status,
                    "sent_colleague": statement.excluded.sent_colleague,
                    "recorded_by_person_id": statement.excluded.recorded_by_person_id,
                    "updated_at": statement.excluded.updated_at,
                },
            )
        )
    audit.record(
        session,
        clock,
        actor_person_id=actor.person_id,
        action="attendance_saved",
        entity="meeting",
        entity_id=str(meeting_id),
        detail={"changed": sorted(marks)},
    )
    return await attendance(session, meeting_id)


async def attendance_tally(
    session: AsyncSession, meeting_id: int, rule: QuorumRule = DEFAULT_QUORUM
) -> RsvpTally:
    """The attendance counted as the reminder cards count answers, with the quorum it gives."""
    meeting, _ = await load_meeting(session, meeting_id)
    lines = await attendance(session, meeting_id)
    schools = (
        await session.exec(
            select(School.id, School.name)
            .where(col(School.community_id) == meeting.community_id, col(School.active))
            .order_by(col(School.name))
        )
    ).all()
    represented = {
        school_id
        for line in lines
        if line.status is AttendanceStatus.PRESENT or line.sent_colleague
        for school_id in line.school_ids
    }
    return RsvpTally(
        meeting_id=meeting_id,
        attending=sum(line.status is AttendanceStatus.PRESENT for line in lines),
        apologies=sum(
            line.status is AttendanceStatus.APOLOGIES and not line.sent_colleague for line in lines
        ),
        colleague=sum(line.sent_colleague for line in lines),
        schools_total=len(schools),
        schools_represented=len({s for s, _ in schools} & represented),
        chair_or_vice_attending=any(
            line.chairs and line.status is AttendanceStatus.PRESENT for line in lines
        ),
        rule=rule,
        unrepresented=tuple(name for school_id, name in schools if school_id not in represented),
    )


def _from_answer(answer: RsvpAnswer | None) -> tuple[AttendanceStatus, bool]:
    if answer is RsvpAnswer.ATTENDING:
        return AttendanceStatus.PRESENT, False
    if answer is RsvpAnswer.COLLEAGUE:
        return AttendanceStatus.APOLOGIES, True
    if answer is RsvpAnswer.APOLOGIES:
        return AttendanceStatus.APOLOGIES, False
    return AttendanceStatus.ABSENT, False


async def _members(session: AsyncSession, community_id: int) -> dict[int, tuple[str, bool, frozenset[int]]]:
    """person id -> (name, chairs or vice-chairs, their schools in the community)."""
    schools = select(School.id).where(col(School.community_id) == community_id, col(School.active))
    rows = await session.exec(
        select(Membership, Person)
        .join(Person, col(Person.id) == col(Membership.person_id))
        .where(
            col(Membership.active),
            col(Person.active),
            (
                col(Membership.role).in_([r.value for r in COMMUNITY_ROLES])
                & (col(Membership.community_id) == community_id)
            )
            | (
                col(Membership.role).in_([r.value for r in SCHOOL_ROLES])
                & col(Membership.school_id).in_(schools)
            ),
        )
    )
    found: dict[int, tuple[str, bool, frozenset[int]]] = {}
    for membership, person in rows.all():
        assert person.id is not None
        name, chairs, held = found.get(person.id, (person.display_name, False, frozenset()))
        if membership.role in COMMUNITY_ROLES:
            chairs = True
        elif membership.school_id is not None:
            held = held | {membership.school_id}
        found[person.id] = (name, chairs, held)
    return found
