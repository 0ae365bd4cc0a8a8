"""The broadcast tables: one row per broadcast of meeting dates, and one per community channel it targets."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from communities.sqltypes import UtcDateTime


class TargetState(StrEnum):
    #: Queued in the outbox (a new thread, or an edit of the earlier card).
    QUEUED = "queued"
    #: The community's dates are what its channel already shows: nothing sent.
    UNCHANGED = "unchanged"
    #: Could not be queued (no channel linked); ``problem`` says why.
    NOT_SENT = "not_sent"


class Broadcast(SQLModel, table=True):
    __tablename__ = "broadcast"

    id: int | None = Field(default=None, primary_key=True)
    #: None when an officer ran it from the command line.
    created_by_person_id: int | None = Field(default=None, foreign_key="person.id")
    #: What was chosen, in words, for the report ("1 Jan – 31 Mar 2027, East Kent").
    description: str = Field(max_length=300)
    #: The selection as plain JSON (dates, area, community codes), to show and to repeat.
    selection: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    #: From the preview card that was confirmed: pressing Send twice makes one broadcast.
    confirm_key: str | None = Field(default=None, max_length=64, unique=True)
    #: The officer's personal-chat report card (its outbox row), updated in place.
    report_message_id: int | None = Field(default=None, foreign_key="outbox_message.id")
    #: Set when every target is settled (sent, failed or not sent); the report stops updating.
    settled_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))


class BroadcastTarget(SQLModel, table=True):
    __tablename__ = "broadcast_target"
    __table_args__ = (UniqueConstraint("broadcast_id", "community_id", name="uq_broadcast_target"),)

    id: int | None = Field(default=None, primary_key=True)
    broadcast_id: int = Field(foreign_key="broadcast.id", index=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    state: TargetState = Field(sa_type=String(16))
    #: The outbox row that carries this community's card (QUEUED).
    message_id: int | None = Field(default=None, foreign_key="outbox_message.id", index=True)
    #: True when the card edits the one an earlier broadcast posted, False for a new thread.
    edits_earlier: bool = False
    problem: str | None = Field(default=None, max_length=500)
    #: The card as sent, to tell later whether the community's dates changed.
    card_digest: str | None = Field(default=None, max_length=64)
