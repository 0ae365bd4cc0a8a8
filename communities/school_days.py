"""School days: what the dispute route's deadlines are counted in.

Until term dates arrive (issue 14), a school day is a Monday to Friday that is not a bank holiday
in England (from the maintained ``holidays`` package). Issue 14 extends :func:`is_school_day` with
the terms; :func:`add_school_days` and :func:`school_days_between` follow it.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def is_school_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def add_school_days(start: date, count: int) -> date:
    """The ``count``-th school day after ``start`` (before it, when negative); 0 gives ``start``.

    "Within 20 school days of Friday 2 October" ends on the 20th school day after it.
    """
    day, step, left = start, (1 if count >= 0 else -1), abs(count)
    while left:
        day += timedelta(days=step)
        if is_school_day(day):
            left -= 1
    return day


def school_days_between(start: date, end: date) -> int:
    """How many school days after ``start`` up to and including ``end`` (negative when ``end`` is
    earlier): a dispute raised on Monday is 1 school day old on Tuesday."""
    if end < start:
        return -school_days_between(end, start)
    return sum(1 for n in range(1, (end - start).days + 1) if is_school_day(start + timedelta(days=n)))
