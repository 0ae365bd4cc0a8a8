"""The calendar backend the settings ask for: Microsoft Graph when configured, else the local one."""

from __future__ import annotations

from bot.config import Settings
from communities.meetings.calendar import Calendar
from scheduler.calendars.local import LocalCalendar


def calendar_for(settings: Settings) -> Calendar:
    if settings.graph is None:
        return LocalCalendar()
    from scheduler.calendars.graph import GraphCalendar  # msgraph is slow to import; only when used

    return GraphCalendar.from_settings(settings.graph)
