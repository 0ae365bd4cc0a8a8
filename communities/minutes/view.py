"""The minutes as cards and the Word export show them, read from the meeting's record.

Attendance (present, apologies, absent), the chair's rulings on the members flagged for a conflict
per item (a summary only: who, and the ruling, domain.md §4.2), each confirmed outcome (the
reference, the school, the decision, the funding, the review date and the actions with their owners
and dates: never the pupil detail of the request or the outcome's free text), the money the outcomes
allocated (each allocation, and the budget's position after them), the lines of any other
business from the agenda, and the chair's text per section. The minutes are for the community's
members: they may name schools and members, never a pupil.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from communities import audit
from communities.agendas.access import agenda_of
from communities.budget.since import BudgetSince, allocated_by
from communities.clock import Clock
from communities.meetings.tables import Meeting, local
from communities.minutes.tables import Minutes, MinutesSection, MinutesStatus
from communities.outcomes.attendance import attendance, attendance_tally
from communities.outcomes.decisions import ConflictRuling, OutcomeDecision
from communities.outcomes.tables import AttendanceStatus, Outcome, OutcomeStatus
from communities.outcomes.validation import pounds
from communities.outcomes.views import ActionView, outcome_view
from communities.requests.tables import Request
from communities.roster.tables import Community, Person, School


@dataclass(frozen=True)
class AttendanceRow:
    name: str
    status: AttendanceStatus
    sent_colleague: bool = False

    @property
    def status_text(self) -> str:
        if self.sent_colleague:
            return "Apologies (a colleague came for the school)"
        return self.status.label


@dataclass(frozen=True)
class DeclarationRow:
    ref: str
    name: str
    ruling: str


@dataclass(frozen=True)
class OutcomeRow:
    ref: str
    school: str
    decision: str
    funding: str | None
    review_date: date | None
    actions: tuple[ActionView, ...]


@dataclass(frozen=True)
class MinutesView:
    minutes_id: int
    meeting_id: int
    community_code: str
    community_name: str
    #: The meeting's day, as people say it: "Thursday 10 December 2026".
    when: str
    day: date
    status: MinutesStatus
    version: int
    approved_by: str | None
    approved_at: datetime | None
    attendance: tuple[AttendanceRow, ...]
    quorate: bool
    declarations: tuple[DeclarationRow, ...]
    outcomes: tuple[OutcomeRow, ...]
    aob: tuple[str, ...]
    #: The chair's text per section (only the sections with text).
    notes: dict[str, str]
    #: The allocations the meeting's outcomes made and the position after them (None: none made).
    money: BudgetSince | None = None

    @property
    def title(self) -> str:
        return f"{self.community_name} ({self.community_code}), {self.when}"

    @property
    def approved(self) -> bool:
        return self.status is MinutesStatus.APPROVED

    def note(self, section: MinutesSection) -> str:
        return self.notes.get(section.value, "")

    def with_status(self, status: AttendanceStatus) -> tuple[AttendanceRow, ...]:
        return tuple(row for row in self.attendance if row.status is status)


def day_text(moment: datetime) -> str:
    """'Thursday 10 December 2026' in London time."""
    at = local(moment)
    return f"{at:%A} {at.day} {at:%B %Y}"


async def minutes_of(session: AsyncSession, meeting_id: int) -> Minutes | None:
    return (await session.exec(select(Minutes).where(Minutes.meeting_id == meeting_id))).first()


async def exported(session: AsyncSession, clock: Clock, minutes: Minutes) -> MinutesView:
    """The minutes as a document carries them; the export is audited (the caller commits)."""
    shown = await view(session, minutes)
    audit.record_read(
        session,
        clock,
        audit.Read.MINUTES_EXPORT,
        actor_person_id=None,  # the command line: whoever runs it on the server
        entity="meeting",
        entity_id=str(minutes.meeting_id),
        detail={"requests": [row.ref for row in shown.outcomes], "approved": shown.approved},
    )
    return shown


async def view(session: AsyncSession, minutes: Minutes) -> MinutesView:
    """The minutes as shown. Not permission-checked: the callers let people in first."""
    assert minutes.id is not None
    meeting = await session.get(Meeting, minutes.meeting_id)
    community = await session.get(Community, meeting.community_id) if meeting else None
    assert meeting is not None and community is not None and meeting.id is not None
    lines = await attendance(session, meeting.id)
    approver = (
        await session.get(Person, minutes.approved_by_person_id) if minutes.approved_by_person_id else None
    )
    agenda = await agenda_of(session, meeting.id)
    declarations, outcomes, outcome_ids = await _outcomes(session, meeting.id)
    return MinutesView(
        minutes_id=minutes.id,
        meeting_id=meeting.id,
        community_code=community.code,
        community_name=community.name,
        when=day_text(meeting.starts_at),
        day=local(meeting.starts_at).date(),
        status=MinutesStatus(minutes.status),
        version=minutes.version,
        approved_by=approver.display_name if approver else None,
        approved_at=minutes.approved_at,
        attendance=tuple(AttendanceRow(line.name, line.status, line.sent_colleague) for line in lines),
        quorate=(await attendance_tally(session, meeting.id)).quorate,
        declarations=declarations,
        outcomes=outcomes,
        aob=tuple(agenda.aob) if agenda else (),
        notes={k: v for k, v in minutes.sections.items() if v and k in set(MinutesSection)},
        money=await allocated_by(session, outcome_ids),
    )


async def _outcomes(
    session: AsyncSession, meeting_id: int
) -> tuple[tuple[DeclarationRow, ...], tuple[OutcomeRow, ...], list[int]]:
    rows = (
        await session.exec(
            select(Outcome, Request)
            .join(Request, col(Request.id) == col(Outcome.request_id))
            .where(Outcome.meeting_id == meeting_id, Outcome.status == OutcomeStatus.CONFIRMED)
            .order_by(col(Outcome.confirmed_at), col(Outcome.id))
        )
    ).all()
    declarations: list[DeclarationRow] = []
    outcomes: list[OutcomeRow] = []
    ids: list[int] = []
    for outcome, request in rows:
        assert outcome.id is not None
        ids.append(outcome.id)
        school = await session.get(School, request.school_id)
        for person_id, ruling in sorted(outcome.rulings.items()):
            person = await session.get(Person, int(person_id))
            name = person.display_name if person else "A member no longer in the roster"
            declarations.append(DeclarationRow(request.ref, name, ConflictRuling(ruling).label))
        shown = await outcome_view(session, outcome)
        outcomes.append(
            OutcomeRow(
                ref=request.ref,
                school=school.name if school else "?",
                decision=OutcomeDecision(outcome.decision).label,
                funding=pounds(outcome.funding_pence) if outcome.funding_pence else None,
                review_date=outcome.review_date,
                actions=shown.actions,
            )
        )
    return tuple(declarations), tuple(outcomes), ids
