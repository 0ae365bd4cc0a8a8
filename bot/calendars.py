"""The calendar backend the settings ask for: Microsoft Graph when configured, else the local one."""

from __future__ import annotations

from bot.config import Settings
from communities.meetings.calendar import Calendar
from scheduler.calendars.local import LocalCalendar

#: One calendar per process and settings (Graph keeps a signed-in client); built on first use.
_CALENDARS: dict[Settings, Calendar] = {}


def calendar_for(settings: Settings) -> Calendar:
    if settings.graph is None:
        return LocalCalendar()
    from scheduler.calendars.graph import GraphCalendar  # msgraph is slow to import; only when used

    return GraphCalendar.from_settings(settings.graph)


def shared_calendar(settings: Settings) -> Calendar:
    """The process's calendar for ``settings``, built on first use."""
    calendar = _CALENDARS.get(settings)
    if calendar is None:
        calendar = _CALENDARS[settings] = calendar_for(settings)
    return calendar


async def close_calendars() -> None:
    """Close the calendars built here (Graph holds an HTTP client); the app calls it on shutdown."""
    calendars = list(_CALENDARS.values())
    _CALENDARS.clear()
    for calendar in calendars:
        await calendar.close()
