"""Roster tables: areas, communities, schools, people and their memberships.

Rows are never deleted: a person or membership left out of a later import is
deactivated (``active = False``), so history and audit trails keep their links.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from communities.roster.roles import Role
from communities.sqltypes import UtcDateTime


class Area(SQLModel, table=True):
    __tablename__ = "area"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)


class Community(SQLModel, table=True):
    __tablename__ = "community"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True, index=True)
    name: str = Field(max_length=200)
    area_id: int = Field(foreign_key="area.id")
    district: str = Field(max_length=100)
    active: bool = True


class School(SQLModel, table=True):
    __tablename__ = "school"

    id: int | None = Field(default=None, primary_key=True)
    urn: str = Field(max_length=6, unique=True, index=True)
    name: str = Field(max_length=200)
    phase: str = Field(max_length=50)
    trust: str | None = Field(default=None, max_length=200)
    community_id: int = Field(foreign_key="community.id", index=True)
    active: bool = True


class Person(SQLModel, table=True):
    __tablename__ = "person"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=320, unique=True, index=True)  # lower-cased email or UPN
    display_name: str = Field(max_length=200)
    aad_object_id: str | None = Field(default=None, max_length=64, unique=True, index=True)
    active: bool = True


class Membership(SQLModel, table=True):
    """One role a person holds, for a school and/or a community."""

    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("person_id", "scope_key", name="uq_membership_person_scope"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    role: Role = Field(sa_type=String(32))
    school_id: int | None = Field(default=None, foreign_key="school.id", index=True)
    community_id: int | None = Field(default=None, foreign_key="community.id", index=True)
    # "<role>|<urn>|<community code>": one unique key that NULL columns cannot give.
    scope_key: str = Field(max_length=100)
    active: bool = True
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))

    @staticmethod
    def make_scope_key(role: Role, school_urn: str | None, community_code: str | None) -> str:
        return f"{role.value}|{school_urn or ''}|{community_code or ''}"
