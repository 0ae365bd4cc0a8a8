"""The agenda table: what the chair decides about a meeting's agenda, and where the channel copy went."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Column, String
from sqlmodel import Field, SQLModel

from communities.sqltypes import UtcDateTime


class AgendaStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class Agenda(SQLModel, table=True):
    __tablename__ = "agenda"

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", unique=True)
    status: AgendaStatus = Field(default=AgendaStatus.DRAFT, sa_type=String(16))
    #: Optimistic concurrency: bumped by every change of content; cards carry it.
    version: int = 1
    #: Lines of any other business, in order (no pupil detail: checked when added).
    aob: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    #: The chair's order of the request items (request ids); see :func:`agenda_items.ordered`.
    item_order: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    published_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    #: The ``version`` the channel shows; behind ``version`` means there are changes to republish.
    published_version: int | None = None
    #: The meeting's ``sequence`` when the content was last saved: a moved meeting is a change too.
    meeting_sequence: int = 1
    #: The outbox row of the channel post (its first card): a republish edits it in place.
    channel_message_id: int | None = Field(default=None, foreign_key="outbox_message.id")
    #: The outbox rows of the later cards, when a long agenda needed several.
    channel_part_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
