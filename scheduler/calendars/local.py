"""The local calendar backend: meetings live in the bot's database and reach members as a feed.

Deployments without Microsoft Graph give each community an iCalendar (RFC 5545) feed at an
unguessable URL; members subscribe to it once in Outlook and see every meeting, move and
cancellation on the client's next refresh. Nothing is sent to anyone, so the backend does no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

import icalendar

from communities.meetings.calendar import LONDON, Attendee, CalendarEntry, EventSpec
from communities.meetings.tables import feed_path, feed_token  # noqa: F401  (the feed's names, here too)

PRODID = "-//Kent Communities of Schools//cosbot//EN"
FEED_CONTENT_TYPE = "text/calendar; charset=utf-8"
DEFAULT_UID_DOMAIN = "cosbot.invalid"

_LONDON = ZoneInfo(LONDON)


class LocalCalendar:
    """``Calendar`` for deployments without Graph: the database is the calendar.

    The meeting row already holds everything the feed renders, so creating or moving an event only
    hands back stable identifiers, and attendee changes and cancellations need no call at all: the
    feed shows them (a cancelled meeting stays in it with ``STATUS:CANCELLED``).
    """

    def __init__(self, uid_domain: str = DEFAULT_UID_DOMAIN) -> None:
        self._uid_domain = uid_domain

    async def create(self, spec: EventSpec) -> CalendarEntry:
        """Return ids derived from ``spec.key``, so a retried create is the same event."""
        return self._entry(spec)

    async def update(self, event_id: str, spec: EventSpec) -> CalendarEntry:
        """Return the same ids as ``create``: the UID must not change or clients see a new event."""
        return self._entry(spec)

    async def set_attendees(self, event_id: str, attendees: tuple[Attendee, ...]) -> None:
        """Nothing to do: the feed carries no attendees, and members subscribe themselves."""

    async def cancel(self, event_id: str, message: str) -> None:
        """Nothing to do: the feed marks the meeting cancelled."""

    async def close(self) -> None:
        """Nothing to release."""

    def _entry(self, spec: EventSpec) -> CalendarEntry:
        return CalendarEntry(event_id=spec.key, ical_uid=f"{spec.key}@{self._uid_domain}", join_url=None)


class FeedStatus(StrEnum):
    """RFC 5545 ``STATUS`` values for a VEVENT."""

    CONFIRMED = "CONFIRMED"
    CANCELLED = "CANCELLED"
    TENTATIVE = "TENTATIVE"


@dataclass(frozen=True)
class FeedEvent:
    """One meeting as the feed shows it. Deliberately has no attendees: the feed is not private.

    ``sequence`` is bumped by the app on every change so clients replace their copy; times are
    timezone-aware (UTC) and rendered in London local time.
    """

    uid: str
    summary: str
    description: str
    starts_at: datetime
    ends_at: datetime
    location: str | None
    url: str | None
    status: FeedStatus
    sequence: int
    last_modified: datetime

    def __post_init__(self) -> None:
        for name in ("starts_at", "ends_at", "last_modified"):
            if getattr(self, name).utcoffset() is None:
                raise ValueError(f"FeedEvent.{name} must be timezone-aware")
        if self.ends_at <= self.starts_at:
            raise ValueError("FeedEvent.ends_at must be after starts_at")
        if self.sequence < 0:
            raise ValueError("FeedEvent.sequence must not be negative")


def render_feed(calendar_name: str, events: Sequence[FeedEvent], *, now: datetime) -> bytes:
    """Render a community's meetings as an iCalendar feed (CRLF, folded at 75 octets)."""
    stamp = _utc(now)
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", calendar_name)
    calendar.add("x-wr-timezone", LONDON)
    calendar.add_component(_london_timezone(events, stamp))
    for event in events:
        calendar.add_component(_vevent(event, stamp))
    return calendar.to_ical()


def _vevent(event: FeedEvent, stamp: datetime) -> icalendar.Event:
    vevent = icalendar.Event()
    vevent.add("uid", event.uid)
    vevent.add("dtstamp", stamp)
    vevent.add("last-modified", _utc(event.last_modified))
    vevent.add("sequence", event.sequence)
    vevent.add("status", event.status.value)
    vevent.add("dtstart", event.starts_at.astimezone(_LONDON))
    vevent.add("dtend", event.ends_at.astimezone(_LONDON))
    vevent.add("summary", event.summary)
    vevent.add("description", event.description)
    if event.location:
        vevent.add("location", event.location)
    if event.url:
        vevent.add("url", event.url)
    return vevent


def _london_timezone(events: Sequence[FeedEvent], now: datetime) -> icalendar.Timezone:
    """A VTIMEZONE covering whole years around the events, so it has both GMT and BST rules.

    Generated from zoneinfo rather than hand-written so future rule changes come with tzdata; the
    range is kept to the years in use because the full default range adds decades of RDATEs.
    """
    years = [now.year, *(e.starts_at.astimezone(_LONDON).year for e in events)]
    years += [e.ends_at.astimezone(_LONDON).year for e in events]
    first, last = date(min(years), 1, 1), date(max(years) + 1, 1, 1)
    return icalendar.Timezone.from_tzid(LONDON, first_date=first, last_date=last)


def _utc(moment: datetime) -> datetime:
    """UTC, so DTSTAMP and LAST-MODIFIED are written with a ``Z`` as RFC 5545 requires."""
    if moment.utcoffset() is None:
        raise ValueError("timestamps must be timezone-aware")
    return moment.astimezone(UTC)
