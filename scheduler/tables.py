"""The scheduler's two tables: APScheduler's job store, and the record of every step that ran.

``apscheduler_jobs`` is the table APScheduler 3's ``SQLAlchemyJobStore`` reads and writes (the
same columns; the store creates it itself when it is missing). It is declared here as well so
that the Alembic migrations create it and an autogenerate does not propose to drop it.

``timeline_run`` is what makes a step run once in effect: a job records ``(job_id, due_at)`` in
the same transaction as the outbox rows it adds, under a unique constraint. A restart, a job
store that lost its update, or a second replica running the same step finds the row (or fails
on it and rolls back), so nothing is sent twice.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Float, LargeBinary, Table, Unicode, UniqueConstraint
from sqlmodel import Field, SQLModel

from communities.sqltypes import UtcDateTime

JOBS_TABLE = "apscheduler_jobs"

#: APScheduler's job table (``SQLAlchemyJobStore.__init__``: 191 = the longest MySQL key, and
#: a precision of 25 gives an 8-byte float). Keep in step with the installed APScheduler 3.
apscheduler_jobs = Table(
    JOBS_TABLE,
    SQLModel.metadata,
    Column("id", Unicode(191), primary_key=True),
    Column("next_run_time", Float(25), index=True),
    Column("job_state", LargeBinary, nullable=False),
)


class TimelineRun(SQLModel, table=True):
    """One run of a scheduled step: a meeting step, or one week's declarations renewal."""

    __tablename__ = "timeline_run"
    __table_args__ = (UniqueConstraint("job_id", "due_at", name="uq_timeline_run_job_due"),)

    id: int | None = Field(default=None, primary_key=True)
    #: ``meeting:12:cut_off`` or ``declarations:renewal:2026``.
    job_id: str = Field(max_length=191)
    #: When the step fell (not when it ran): the same step after a restart has the same.
    due_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    meeting_id: int | None = Field(default=None, foreign_key="meeting.id", index=True)
    #: The meeting's ``sequence`` when it ran (the outbox keys carry it too).
    sequence: int | None = None
    #: How many messages it queued (0: nobody to tell, no channel, already published...).
    messages: int = 0
    #: Which process ran it (host:pid), to see which replica was the leader.
    runner: str = Field(max_length=200)
    ran_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
