"""The term dates table: one row per term or INSET day of an academic year, as imported."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from communities.sqltypes import UtcDateTime

#: The ``term`` value of an INSET day's row.
INSET = "inset"


class TermDate(SQLModel, table=True):
    """A term (``kind`` "term", its name as written, e.g. "Term 3") or an INSET day (``kind``
    "inset", possibly several days in a row) of the academic year starting in ``academic_year``."""

    __tablename__ = "term_date"
    __table_args__ = (UniqueConstraint("academic_year", "kind", "starts_on", name="uq_term_date"),)

    id: int | None = Field(default=None, primary_key=True)
    #: 2026 for 2026-27.
    academic_year: int = Field(index=True)
    kind: str = Field(sa_column=Column(String(8), nullable=False))
    name: str = Field(max_length=40)
    starts_on: date
    ends_on: date
    imported_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
