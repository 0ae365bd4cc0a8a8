"""Where the bot is installed and where it may post: teams, community channels, personal chats.

Conversation references are stored as plain Bot Framework JSON (camelCase, as
``ConversationReference.serialize()`` gives them) so that rows survive an SDK change.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from communities.sqltypes import UtcDateTime


class TeamInstallation(SQLModel, table=True):
    """A team the bot has been added to. Its General channel id is the team id."""

    __tablename__ = "team_installation"

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=255, unique=True, index=True)
    name: str | None = Field(default=None, max_length=255)
    aad_group_id: str | None = Field(default=None, max_length=64)
    tenant_id: str | None = Field(default=None, max_length=64)
    service_url: str = Field(max_length=1024)
    general_reference: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    installed: bool = True
    # Counts installs, so that a re-install after removal is greeted again, once.
    generation: int = 1
    installed_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    removed_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))


class ChannelLink(SQLModel, table=True):
    """The Teams channel that is a community's channel (at most one per community)."""

    __tablename__ = "channel_link"

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", unique=True)
    team_id: str = Field(max_length=255, index=True)
    channel_id: str = Field(max_length=255, unique=True, index=True)
    channel_name: str | None = Field(default=None, max_length=255)
    service_url: str = Field(max_length=1024)
    tenant_id: str | None = Field(default=None, max_length=64)
    reference: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    linked_by_person_id: int = Field(foreign_key="person.id")
    linked_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


class PersonalChat(SQLModel, table=True):
    """A person's 1:1 chat with the bot, for direct messages the bot starts."""

    __tablename__ = "personal_chat"

    id: int | None = Field(default=None, primary_key=True)
    teams_user_id: str = Field(max_length=255, unique=True, index=True)
    aad_object_id: str | None = Field(default=None, max_length=64, index=True)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    tenant_id: str | None = Field(default=None, max_length=64)
    service_url: str = Field(max_length=1024)
    reference: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
