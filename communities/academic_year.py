"""The academic year: from 1 September to 31 August, in English local time.

An academic year is named by the calendar year it starts in: 2026 is 1 September 2026 to
31 August 2027, shown as "2026/27". The boundary is midnight in Europe/London (BST in
September), so 31 August 23:30 London time is still the old year although it is
22:30 UTC, and 1 September 00:30 London time is the new year although it is still
31 August in UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")

#: The month the academic year starts in (September).
FIRST_MONTH = 9


def academic_year_of(instant: datetime, zone: tzinfo = LONDON) -> int:
    """The academic year an aware instant falls in, by the local calendar of ``zone``."""
    if instant.tzinfo is None:
        raise ValueError("academic_year_of needs an aware datetime")
    local = instant.astimezone(zone)
    return local.year if local.month >= FIRST_MONTH else local.year - 1


def academic_year_label(year: int) -> str:
    """ "2026/27" for 2026."""
    return f"{year}/{(year + 1) % 100:02d}"


def academic_year_start(year: int, zone: tzinfo = LONDON) -> datetime:
    """The instant (in UTC) the academic year starts: 1 September, 00:00 local time."""
    return datetime(year, FIRST_MONTH, 1, tzinfo=zone).astimezone(UTC)


def academic_year_bounds(year: int, zone: tzinfo = LONDON) -> tuple[datetime, datetime]:
    """[start, end) of the academic year, in UTC: the end is the next year's start."""
    return academic_year_start(year, zone), academic_year_start(year + 1, zone)
