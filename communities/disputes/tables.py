"""A dispute of a confirmed outcome, and its history.

One dispute per outcome: it moves through up to three stages (the chair, the council's locality
team, the Area Board). At each stage it is waiting to be acknowledged, then acknowledged (waiting
for a decision), then decided (waiting for the school: escalate or let it rest). A dispute decided
at the last stage, or whose escalation window passed, is closed. Every step is a
:class:`DisputeEvent` row: who, when, the reasons. Free text is about the decision, never a pupil,
and gets the identifying-text checks.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import IntEnum, StrEnum
from typing import Any

from sqlalchemy import JSON, Column, String
from sqlmodel import Field, SQLModel

from communities.sqltypes import UtcDateTime


class Grounds(StrEnum):
    OUTCOME = "outcome"
    ALLOCATION = "allocation"
    PROCESS = "process"
    CONDUCT = "conduct"

    @property
    def label(self) -> str:
        return _GROUNDS[self]


_GROUNDS = {
    Grounds.OUTCOME: "The outcome itself",
    Grounds.ALLOCATION: "The fairness of the allocation",
    Grounds.PROCESS: "The process followed",
    Grounds.CONDUCT: "Someone's conduct",
}


class Stage(IntEnum):
    CHAIR = 1
    OFFICERS = 2
    AREA_BOARD = 3

    @property
    def label(self) -> str:
        return _STAGES[self]

    @property
    def next(self) -> Stage | None:
        return Stage(self + 1) if self < Stage.AREA_BOARD else None


_STAGES = {
    Stage.CHAIR: "Stage 1: informal resolution with the chair",
    Stage.OFFICERS: "Stage 2: the council's locality team",
    Stage.AREA_BOARD: "Stage 3: the Area Board",
}


class DisputeStatus(StrEnum):
    AWAITING_ACKNOWLEDGEMENT = "awaiting_acknowledgement"
    ACKNOWLEDGED = "acknowledged"
    DECIDED = "decided"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return _STATUSES[self]


_STATUSES = {
    DisputeStatus.AWAITING_ACKNOWLEDGEMENT: "Waiting to be acknowledged",
    DisputeStatus.ACKNOWLEDGED: "Acknowledged: waiting for a decision",
    DisputeStatus.DECIDED: "Decided: the school may escalate",
    DisputeStatus.CLOSED: "Closed",
}


class Finding(StrEnum):
    """A stage's decision on the dispute."""

    UPHELD = "upheld"
    VARIED = "varied"
    NOT_UPHELD = "not_upheld"

    @property
    def label(self) -> str:
        return {"upheld": "Upheld", "varied": "Varied", "not_upheld": "Not upheld"}[self.value]

    @property
    def changes_outcome(self) -> bool:
        return self is not Finding.NOT_UPHELD


class EventKind(StrEnum):
    RAISED = "raised"
    ACKNOWLEDGED = "acknowledged"
    DECIDED = "decided"
    ESCALATED = "escalated"
    CLOSED = "closed"


class Dispute(SQLModel, table=True):
    __tablename__ = "dispute"

    id: int | None = Field(default=None, primary_key=True)
    outcome_id: int = Field(foreign_key="outcome.id", unique=True, index=True)
    request_id: int = Field(foreign_key="request.id", index=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    raised_by_person_id: int = Field(foreign_key="person.id")
    grounds: Grounds = Field(sa_type=String(16))
    reasons: str = Field(max_length=4000)
    stage: int = Field(default=Stage.CHAIR)
    status: DisputeStatus = Field(default=DisputeStatus.AWAITING_ACKNOWLEDGEMENT, sa_type=String(32))
    #: The day the current stage began (raised, or escalated to it), London.
    stage_started_on: date
    acknowledge_by: date
    decide_by: date
    #: Set once the stage decides: the school may escalate until this day.
    escalate_by: date | None = None
    #: The current stage's decision.
    finding: Finding | None = Field(default=None, sa_type=String(16))
    #: Warnings about text that may identify a child, overridden: the kinds found, never the text.
    identifying_text_acknowledged: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    raised_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    #: Optimistic concurrency: a button from an earlier step is stale.
    version: int = 1


class DisputeEvent(SQLModel, table=True):
    """One step of a dispute: raised, acknowledged, decided (with the finding), escalated, closed."""

    __tablename__ = "dispute_event"

    id: int | None = Field(default=None, primary_key=True)
    dispute_id: int = Field(foreign_key="dispute.id", index=True)
    stage: int
    kind: EventKind = Field(sa_type=String(16))
    finding: Finding | None = Field(default=None, sa_type=String(16))
    reasons: str | None = Field(default=None, max_length=4000)
    #: None: the scheduler (an escalation window passed).
    by_person_id: int | None = Field(default=None, foreign_key="person.id")
    at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
