"""The tables of a meeting's outcomes: one outcome per request item, its agreed actions, who
attended, and the reviews of outcomes in delivery (domain.md §3.4, §3.5).

An outcome is saved as a draft every time the chair saves an item, so a restart in the middle of
recording loses nothing already entered; confirming the meeting's outcomes makes them final once.
Money is in whole pence. Free text here is about the support, never a pupil: it is checked for
text that may identify a child as the Request Form's answers are.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from communities.outcomes.decisions import OutcomeDecision, ReviewResult
from communities.sqltypes import UtcDateTime


class OutcomeStatus(StrEnum):
    DRAFT = "draft"
    CONFIRMED = "confirmed"


class ActionStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class AttendanceStatus(StrEnum):
    PRESENT = "present"
    APOLOGIES = "apologies"
    ABSENT = "absent"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Outcome(SQLModel, table=True):
    __tablename__ = "outcome"
    __table_args__ = (UniqueConstraint("meeting_id", "request_id", name="uq_outcome_meeting_request"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    request_id: int = Field(foreign_key="request.id", index=True)
    status: OutcomeStatus = Field(default=OutcomeStatus.DRAFT, sa_type=String(16))
    decision: OutcomeDecision = Field(sa_type=String(40))
    what_is_working: str | None = Field(default=None, max_length=2000)
    #: Ideas and offers: ``[{"school_urn": "990102" or None, "school": "St Dunstan's", "offer": "..."}]``.
    ideas_and_offers: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    #: Funding agreed, in whole pence, and the period it covers.
    funding_pence: int | None = None
    funding_from: date | None = None
    funding_to: date | None = None
    rationale: str | None = Field(default=None, max_length=2000)
    review_date: date | None = None
    #: The chair's ruling per member flagged for a conflict: ``{"<person id>": "took_no_part"}``.
    rulings: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    #: Warnings about text that may identify a child, overridden: the kinds found, per field, never the text.
    identifying_text_acknowledged: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    #: Whether the meeting was quorate when the outcome was confirmed.
    quorate: bool | None = None
    recorded_by_person_id: int = Field(foreign_key="person.id")
    confirmed_by_person_id: int | None = Field(default=None, foreign_key="person.id")
    confirmed_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    #: When the school was told (set by whoever tells it).
    school_told_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    #: Optimistic concurrency: two people saving one item never silently overwrite each other.
    version: int = 1


class OutcomeAction(SQLModel, table=True):
    """An agreed action: what, whose (a school or a person), by when."""

    __tablename__ = "outcome_action"

    id: int | None = Field(default=None, primary_key=True)
    outcome_id: int = Field(foreign_key="outcome.id", index=True)
    position: int = 0
    description: str = Field(max_length=1000)
    owner_school_id: int | None = Field(default=None, foreign_key="school.id")
    owner_person_id: int | None = Field(default=None, foreign_key="person.id")
    due_date: date
    status: ActionStatus = Field(default=ActionStatus.OPEN, sa_type=String(16))
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


class MeetingAttendance(SQLModel, table=True):
    """Who was at a meeting: started from the answers to the reminder card, corrected by the chair."""

    __tablename__ = "meeting_attendance"
    __table_args__ = (UniqueConstraint("meeting_id", "person_id", name="uq_attendance_meeting_person"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    person_id: int = Field(foreign_key="person.id")
    status: AttendanceStatus = Field(sa_type=String(16))
    #: Not there, but a colleague came for their school (the school is represented).
    sent_colleague: bool = False
    recorded_by_person_id: int | None = Field(default=None, foreign_key="person.id")
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


class OutcomeReview(SQLModel, table=True):
    """The review of an outcome in delivery: how it went, and whether the support goes on."""

    __tablename__ = "outcome_review"

    id: int | None = Field(default=None, primary_key=True)
    outcome_id: int = Field(foreign_key="outcome.id", index=True)
    request_id: int = Field(foreign_key="request.id", index=True)
    meeting_id: int | None = Field(default=None, foreign_key="meeting.id")
    result: ReviewResult = Field(sa_type=String(24))
    note: str | None = Field(default=None, max_length=2000)
    #: The next review date when the support goes on; None when the request is closed.
    next_review_date: date | None = None
    recorded_by_person_id: int = Field(foreign_key="person.id")
    recorded_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


class SchoolReviewAnswer(SQLModel, table=True):
    """The school's own answer when a review falls due: how the support went, before the meeting
    reviews it. One per request and review date; answering again replaces it."""

    __tablename__ = "outcome_school_answer"
    __table_args__ = (UniqueConstraint("request_id", "review_date", name="uq_school_answer_request_review"),)

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="request.id", index=True)
    #: The review date the answer is for (a continued support has a later one).
    review_date: date
    result: ReviewResult = Field(sa_type=String(24))
    note: str | None = Field(default=None, max_length=2000)
    #: Warnings about text that may identify a child, overridden: the kinds found, never the text.
    identifying_text_acknowledged: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    answered_by_person_id: int = Field(foreign_key="person.id")
    answered_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
