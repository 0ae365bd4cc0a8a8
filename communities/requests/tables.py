"""The Request table: a school's request to its community (the Request Form).

The answers of the form live in ``details`` (plain JSON, validated by
:mod:`communities.requests.form`); the columns are what lists, limits and the
state machine need. ``details`` holds pupil-level data (SCD): it is only shown to
the requesting school, the community's chair and vice chair, and officers, and it
never goes into a channel post or a log line.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, String, Table, UniqueConstraint
from sqlmodel import Field, SQLModel

from communities.requests.lifecycle import RequestStatus
from communities.sqltypes import UtcDateTime


class RequestType(StrEnum):
    ONE_PUPIL = "one_pupil"
    GROUP_OF_PUPILS = "group_of_pupils"
    WHOLE_SCHOOL = "whole_school"
    COMMUNITY_WIDE = "community_wide"

    @property
    def label(self) -> str:
        return {
            RequestType.ONE_PUPIL: "One pupil",
            RequestType.GROUP_OF_PUPILS: "A group of pupils",
            RequestType.WHOLE_SCHOOL: "Whole-school capacity",
            RequestType.COMMUNITY_WIDE: "Community-wide",
        }[self]

    @property
    def about_pupils(self) -> bool:
        return self in (RequestType.ONE_PUPIL, RequestType.GROUP_OF_PUPILS)


class Urgency(StrEnum):
    STANDARD = "standard"
    URGENT = "urgent"


class Request(SQLModel, table=True):
    __tablename__ = "request"

    id: int | None = Field(default=None, primary_key=True)
    #: ``COS-<COMMUNITY>-<YY>-<NNN>``: what channels, lists and people use to name it.
    ref: str = Field(max_length=40, unique=True, index=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    created_by_person_id: int = Field(foreign_key="person.id")
    status: RequestStatus = Field(default=RequestStatus.DRAFT, sa_type=String(24), index=True)
    request_type: RequestType | None = Field(default=None, sa_type=String(24))
    urgency: Urgency = Field(default=Urgency.STANDARD, sa_type=String(12))
    #: The form's answers (see request_form.py). Pupil-level: never logged or posted.
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    #: The chair's note when returning it for information.
    return_note: str | None = Field(default=None, max_length=2000)
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    submitted_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    #: The meeting an accepted request goes to: the next one whose submission deadline it met.
    meeting_id: int | None = Field(default=None, foreign_key="meeting.id", index=True)
    #: When the support agreed at its meeting is next reviewed (while in delivery).
    review_date: date | None = None
    #: Optimistic concurrency: two edits of one request never silently overwrite each other.
    version: int = 1
    #: Retention (communities.retention): when the pupil-level answers were removed, and when the
    #: remaining outcome free text was. Views show "detail removed under the retention policy".
    detail_removed_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    outcome_text_removed_at: datetime | None = Field(
        default=None, sa_column=Column(UtcDateTime(), nullable=True)
    )


class RequestSequence(SQLModel, table=True):
    """The last request number used per community and year (for the reference)."""

    __tablename__ = "request_sequence"
    __table_args__ = (UniqueConstraint("community_id", "year", name="uq_request_sequence"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id")
    year: int
    last: int = 0


def table_of(model: type[SQLModel]) -> Table:
    """The Core table of a model, for statements built once (no ORM step when they run)."""
    table: Table = model.__table__  # type: ignore[attr-defined]
    return table
