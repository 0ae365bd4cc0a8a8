"""What the chat handlers use, handed to them by the composition root (``bot``).

The handlers in :mod:`dialogs` never import ``bot``: the bot builds one :class:`ChatServices`
from its settings and services, and every route is called with it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from communities.clock import Clock
from communities.db import Database
from communities.disputes.windows import DisputeWindows
from communities.meetings.calendar import Calendar
from communities.meetings.rsvp import QuorumRule
from communities.meetings.tables import MeetingOffsets
from communities.messaging.outbox import Outbox


class MeetingTimelines(Protocol):
    """The meeting timeline's scheduler, as far as a changed meeting needs it."""

    async def sync_meeting(self, meeting_id: int) -> object: ...


@dataclass(frozen=True)
class ChatServices:
    database: Database
    clock: Clock
    outbox: Outbox
    #: The bot's name as people see it in Teams (in help texts).
    bot_name: str
    #: The service's public https URL (calendar feed links), or "" when not set.
    public_url: str
    #: Whether meetings are in a Graph calendar that sends invitations.
    invitations: bool
    #: When requests close and the agenda is due, before each meeting.
    meeting_offsets: MeetingOffsets
    #: The calendar meetings are kept in, built on first use and shared by the process.
    calendar: Callable[[], Calendar]
    #: When a meeting is quorate (the RSVP card's counts).
    quorum_rule: QuorumRule
    #: The meeting timeline, when this process runs it.
    timelines: MeetingTimelines | None = None
    #: The dispute route's windows, in school days.
    disputes: DisputeWindows = field(default_factory=DisputeWindows)
