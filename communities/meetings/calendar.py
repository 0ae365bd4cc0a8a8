"""The calendar port: where a community meeting lives outside the bot.

Two backends implement it (``scheduler/calendars``): Microsoft Graph (an app-only scheduling
mailbox whose events invite the members) and a local one (the database plus an iCalendar
feed per community). The domain speaks only these types, so a meeting service never knows
which one is configured.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

#: Meetings are shown, and sent to calendars, in Kent's local time.
LONDON = "Europe/London"


@dataclass(frozen=True)
class Attendee:
    """A member invited to a meeting (chair, vice chair, school leaders, SENCOs)."""

    email: str
    name: str


@dataclass(frozen=True)
class EventSpec:
    """What a calendar event should say. ``key`` is stable for the meeting's life.

    ``key`` doubles as Graph's ``transactionId`` (a retried create makes no duplicate) and as the
    iCalendar UID. Times are timezone-aware UTC; backends render them in ``timezone``.
    """

    key: str
    subject: str
    starts_at: datetime
    ends_at: datetime
    body: str
    location: str | None
    online: bool
    attendees: tuple[Attendee, ...]
    timezone: str = LONDON


@dataclass(frozen=True)
class CalendarEntry:
    """What the backend gave back, stored on the meeting."""

    event_id: str
    ical_uid: str | None
    join_url: str | None


class CalendarError(Exception):
    """A calendar call failed; ``str(error)`` is a sentence for an officer.

    ``permanent`` is true for failures a retry will not fix (403, 404, a bad request), false for
    throttling or an outage that outlived the retries.
    """

    def __init__(self, message: str, *, permanent: bool, status: int | None = None) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.status = status


class Calendar(Protocol):
    """A place where meetings are created, moved, cancelled and their attendees kept current."""

    async def create(self, spec: EventSpec) -> CalendarEntry:
        """Create the event (idempotent on ``spec.key``)."""
        ...

    async def update(self, event_id: str, spec: EventSpec) -> CalendarEntry:
        """Change time, place, subject or body of an existing event (the same event, not a new one)."""
        ...

    async def set_attendees(self, event_id: str, attendees: tuple[Attendee, ...]) -> None:
        """Replace the attendee list only; members already invited are not invited again."""
        ...

    async def cancel(self, event_id: str, message: str) -> None:
        """Cancel the event; attendees get ``message`` with the cancellation."""
        ...

    async def close(self) -> None:
        """Release clients and credentials."""
        ...
