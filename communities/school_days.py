"""School days: what deadlines, reminders and the dispute route's windows are counted in.

A school day is a Monday to Friday that is not a bank holiday in England (from the maintained
``holidays`` package). When term dates are loaded for the academic year (``cosbot import terms``,
:mod:`communities.terms`), it must also fall inside one of that year's terms and not be an INSET
day. A year without term dates falls back to weekdays without bank holidays
(:meth:`SchoolCalendar.has_terms` says which).

Pure: the calendar is loaded from the database by :func:`communities.terms.calendar.load_calendar`
and passed in. The module functions take it as an optional last argument (None: no term dates).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from functools import lru_cache

import holidays

#: The academic year starts on 1 September (see :mod:`communities.academic_year`).
_FIRST_MONTH = 9
#: How far :meth:`SchoolCalendar.previous_school_day` looks back (a summer holiday is ~6 weeks).
_LONGEST_BREAK = 120


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def is_bank_holiday(day: date) -> bool:
    return day in _bank_holidays(day.year)


def academic_year_of_day(day: date) -> int:
    """2026 for any day from 1 September 2026 to 31 August 2027."""
    return day.year if day.month >= _FIRST_MONTH else day.year - 1


def year_label(year: int) -> str:
    """ "2026-27" for 2026: how the term dates file and the term names write a year."""
    return f"{year}-{(year + 1) % 100:02d}"


@dataclass(frozen=True)
class Term:
    academic_year: int
    name: str
    starts_on: date
    ends_on: date

    @property
    def label(self) -> str:
        """ "Term 3, 2026-27"."""
        return f"{self.name}, {year_label(self.academic_year)}"

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.starts_on <= day <= self.ends_on


@dataclass(frozen=True)
class SchoolCalendar:
    """The loaded term dates and INSET days (empty: weekdays without bank holidays only)."""

    terms: tuple[Term, ...] = ()
    inset_days: frozenset[date] = frozenset()
    #: Each day's answer, once worked out: deriving 10,000 timeline steps asks about 50,000 times.
    _answers: dict[date, bool] = field(default_factory=dict, init=False, repr=False, compare=False)

    def has_terms(self, day: date) -> bool:
        """True when term dates are loaded for ``day``'s academic year."""
        year = academic_year_of_day(day)
        return any(term.academic_year == year for term in self.terms)

    def term_of(self, day: date) -> Term | None:
        return next((term for term in self.terms if day in term), None)

    def is_school_day(self, day: date) -> bool:
        answer = self._answers.get(day)
        if answer is None:
            answer = self._answers[day] = self._is_school_day(day)
        return answer

    def _is_school_day(self, day: date) -> bool:
        if day.weekday() >= 5 or is_bank_holiday(day):
            return False
        if not self.has_terms(day):
            return True
        return day not in self.inset_days and self.term_of(day) is not None

    def why_not(self, day: date) -> str | None:
        """Why ``day`` is not a school day ("a Saturday", "Christmas Day, a bank holiday", ...),
        or None when it is one."""
        if day.weekday() >= 5:
            return f"a {day:%A}"
        names = holidays.country_holidays("GB", subdiv="ENG", years=day.year)
        if day in names:
            return f"{names.get(day)}, a bank holiday"
        if not self.has_terms(day):
            return None
        if day in self.inset_days:
            return "an INSET day"
        if self.term_of(day) is None:
            return "in the school holidays"
        return None

    def previous_school_day(self, day: date) -> date:
        """``day`` if it is a school day, else the school day before it."""
        for back in range(_LONGEST_BREAK):
            candidate = day - timedelta(days=back)
            if self.is_school_day(candidate):
                return candidate
        return day  # no school day for months: a calendar without terms loaded for a long stretch

    def next_school_day(self, day: date) -> date:
        """``day`` if it is a school day, else the school day after it."""
        for ahead in range(_LONGEST_BREAK):
            candidate = day + timedelta(days=ahead)
            if self.is_school_day(candidate):
                return candidate
        return day

    def on_school_day(self, moment: datetime, zone: tzinfo) -> datetime:
        """An aware moment moved to the previous school day at the same local wall-clock time."""
        local = moment.astimezone(zone)
        day = self.previous_school_day(local.date())
        if day == local.date():
            return moment
        naive = datetime.combine(day, local.time().replace(tzinfo=None))
        return naive.replace(tzinfo=zone).astimezone(moment.tzinfo)

    def add_school_days(self, start: date, count: int) -> date:
        """The ``count``-th school day after ``start`` (before it, when negative); 0 gives ``start``."""
        day, step, left = start, (1 if count >= 0 else -1), abs(count)
        while left:
            day += timedelta(days=step)
            if self.is_school_day(day):
                left -= 1
        return day

    def school_days_between(self, start: date, end: date) -> int:
        """How many school days after ``start`` up to and including ``end`` (negative when ``end``
        is earlier)."""
        if end < start:
            return -self.school_days_between(end, start)
        return sum(
            1 for n in range(1, (end - start).days + 1) if self.is_school_day(start + timedelta(days=n))
        )

    def term_label(self, day: date) -> str | None:
        """ "Term 3, 2026-27" for a day in that term; the term before it for a day in a holiday
        ("Term 2, 2026-27" over Christmas is not said: None); None without term dates."""
        term = self.term_of(day)
        return term.label if term is not None else None


#: No term dates: weekdays without bank holidays.
NO_TERMS = SchoolCalendar()


def is_school_day(day: date, calendar: SchoolCalendar | None = None) -> bool:
    return (calendar or NO_TERMS).is_school_day(day)


def add_school_days(start: date, count: int, calendar: SchoolCalendar | None = None) -> date:
    """The ``count``-th school day after ``start`` (before it, when negative); 0 gives ``start``.

    "Within 20 school days of Friday 2 October" ends on the 20th school day after it.
    """
    return (calendar or NO_TERMS).add_school_days(start, count)


def school_days_between(start: date, end: date, calendar: SchoolCalendar | None = None) -> int:
    """How many school days after ``start`` up to and including ``end`` (negative when ``end`` is
    earlier): a dispute raised on Monday is 1 school day old on Tuesday."""
    return (calendar or NO_TERMS).school_days_between(start, end)


def not_a_school_day_text(day: date, calendar: SchoolCalendar | None = None) -> str | None:
    """ "Saturday 6 March 2027 is not a school day (a Saturday)", or None on a school day.

    The warning a meeting on an odd date gets (the meeting is still accepted). Our wording.
    """
    why = (calendar or NO_TERMS).why_not(day)
    if why is None:
        return None
    return f"{day:%A} {day.day} {day:%B %Y} is not a school day ({why})"


def no_terms_text(day: date) -> str:
    """Said where it matters that no term dates are loaded for ``day``'s academic year."""
    return (
        f"No term dates are loaded for {year_label(academic_year_of_day(day))}: school days are weekdays "
        "without bank holidays (cosbot import terms FILE.csv loads them)"
    )
