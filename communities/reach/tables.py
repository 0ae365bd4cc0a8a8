"""Team members seen by the bot, matched to the roster, and why a chat could not be started.

A :class:`TeamMember` row is what a 1:1 chat with someone needs (their Teams id, tenant and
service url), read from a team the bot is installed in. It is a cache of Teams' list: a later
read of the same team replaces it. A :class:`ReachProblem` is what Teams answered when the bot
tried to start a chat (the app blocked, the person gone), kept until the person can be reached.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from communities.sqltypes import UtcDateTime


class Unreachable(StrEnum):
    """Why the bot cannot reach a person (the words are in :mod:`communities.reach.wording`)."""

    #: In no team the bot is installed in, and the bot may not install itself for them.
    NOT_IN_TEAM = "not_in_team"
    #: Teams refused the chat (403): the app is blocked for them, or not allowed in their tenant.
    BLOCKED = "blocked"
    #: Teams does not know them any more (404): they left the organisation.
    LEFT = "left"
    #: Installing the app for them through Microsoft Graph failed.
    INSTALL_FAILED = "install_failed"


class TeamMember(SQLModel, table=True):
    """One member of a team the bot is in, and the roster person they are (when matched)."""

    __tablename__ = "team_member"
    __table_args__ = (UniqueConstraint("team_id", "teams_user_id", name="uq_team_member_team_user"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=255, index=True)
    teams_user_id: str = Field(max_length=255, index=True)
    aad_object_id: str | None = Field(default=None, max_length=64, index=True)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    tenant_id: str | None = Field(default=None, max_length=64)
    service_url: str = Field(max_length=1024)
    seen_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


class ReachProblem(SQLModel, table=True):
    """The last reason a chat with a person could not be started (one row per person)."""

    __tablename__ = "reach_problem"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", unique=True, index=True)
    reason: Unreachable = Field(sa_type=String(32))
    detail: str | None = Field(default=None, max_length=1000)
    recorded_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
