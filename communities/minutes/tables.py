"""The minutes table: one per meeting, a draft until the chair approves it (domain.md §4.3).

What the minutes say of attendance, declarations, outcomes and any other business is read from
the meeting's record each time they are shown; the table keeps what only the chair can add (a
text per section), the status, and who approved them when. Members are told once: the time they
were told is kept, and the outbox's keys make a second telling queue nothing.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Column, String
from sqlmodel import Field, SQLModel

from communities.sqltypes import UtcDateTime

#: The longest text the chair may write for one section.
MAX_SECTION_TEXT = 2000


class MinutesStatus(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class MinutesSection(StrEnum):
    """The sections of the minutes, in order; the chair may add text to each."""

    ATTENDANCE = "attendance"
    DECLARATIONS = "declarations"
    OUTCOMES = "outcomes"
    AOB = "aob"
    NOTES = "notes"

    @property
    def label(self) -> str:
        return _TITLES[self]


_TITLES = {
    MinutesSection.ATTENDANCE: "Attendance and apologies",
    MinutesSection.DECLARATIONS: "Declarations of interest",
    MinutesSection.OUTCOMES: "Requests from schools: outcomes and actions",
    MinutesSection.AOB: "Any other business",
    MinutesSection.NOTES: "Other notes",
}


class Minutes(SQLModel, table=True):
    __tablename__ = "minutes"

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", unique=True)
    status: MinutesStatus = Field(default=MinutesStatus.DRAFT, sa_type=String(16))
    #: The chair's text per section: ``{"attendance": "...", "aob": "..."}`` (no pupil detail: checked).
    sections: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    #: Optimistic concurrency: bumped by every edit and by approval; cards carry it.
    version: int = 1
    approved_by_person_id: int | None = Field(default=None, foreign_key="person.id")
    approved_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    #: When the full minutes were queued for the members (once).
    members_told_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
