"""The register's tables: interests declared, and each year's confirmation (domain.md §3.3)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Index, String, text
from sqlmodel import Field, SQLModel

from communities.declarations.conflict_rules import InterestKind
from communities.sqltypes import UtcDateTime

DESCRIPTION_MAX = 1000

NAME_MAX = 200


class EndReason(StrEnum):
    UPDATED = "updated"  # replaced by a newer version
    ENDED = "ended"  # no longer held


class Answer(StrEnum):
    INTERESTS = "interests"
    NOTHING_TO_DECLARE = "nothing_to_declare"


class InterestDeclaration(SQLModel, table=True):
    """One version of one declared interest."""

    __tablename__ = "interest_declaration"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    kind: InterestKind = Field(sa_type=String(32))
    school_urn: str | None = Field(default=None, max_length=6)
    trust: str | None = Field(default=None, max_length=NAME_MAX)
    provider: str | None = Field(default=None, max_length=NAME_MAX)
    pecuniary: bool = False
    description: str = Field(max_length=DESCRIPTION_MAX)
    declared_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    ended_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    end_reason: EndReason | None = Field(default=None, sa_type=String(16))
    #: The version this one replaced, when it came from an update.
    previous_id: int | None = Field(default=None, foreign_key="interest_declaration.id")

    @property
    def active(self) -> bool:
        return self.ended_at is None


class DeclarationConfirmation(SQLModel, table=True):
    """A person's answer for an academic year. Superseded answers stay, with ``superseded_at``."""

    __tablename__ = "declaration_confirmation"
    __table_args__ = (
        # One live answer per person and year, even if two submits race.
        Index(
            "uq_declaration_confirmation_live",
            "person_id",
            "academic_year",
            unique=True,
            sqlite_where=text("superseded_at IS NULL"),
            postgresql_where=text("superseded_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    academic_year: int = Field(index=True)
    answer: Answer = Field(sa_type=String(32))
    confirmed_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    superseded_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
