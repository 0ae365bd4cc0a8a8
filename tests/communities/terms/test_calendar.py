"""School days with term dates: inside a term, not an INSET day, not a weekend or bank holiday;
a due moment on any other day moves to the school day before it, at the same London time.

Dates written out by hand (Kent-like 2026-27 terms as in communities/demo/terms.csv).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from communities.meetings.tables import LONDON
from communities.school_days import (
    NO_TERMS,
    SchoolCalendar,
    Term,
    add_school_days,
    no_terms_text,
    not_a_school_day_text,
    school_days_between,
)

TERMS = SchoolCalendar(
    terms=(
        Term(2026, "Term 1", date(2026, 9, 2), date(2026, 10, 23)),
        Term(2026, "Term 2", date(2026, 11, 2), date(2026, 12, 18)),
        Term(2026, "Term 3", date(2027, 1, 4), date(2027, 2, 12)),
        Term(2026, "Term 4", date(2027, 2, 22), date(2027, 4, 1)),
    ),
    inset_days=frozenset({date(2027, 2, 22)}),
)


def test_without_term_dates_a_school_day_is_a_weekday_that_is_not_a_bank_holiday() -> None:
    assert NO_TERMS.is_school_day(date(2026, 10, 28))  # Wednesday of half term: no terms loaded
    assert not NO_TERMS.is_school_day(date(2026, 10, 31))  # Saturday
    assert not NO_TERMS.is_school_day(date(2026, 12, 25))  # Christmas Day, a Friday
    assert not NO_TERMS.is_school_day(date(2027, 3, 29))  # Easter Monday
    assert NO_TERMS.has_terms(date(2026, 10, 28)) is False
    assert "No term dates are loaded for 2026-27" in no_terms_text(date(2026, 10, 28))


def test_with_term_dates_holidays_and_inset_days_are_not_school_days() -> None:
    assert TERMS.is_school_day(date(2026, 10, 23))  # the last day of Term 1
    assert not TERMS.is_school_day(date(2026, 10, 28))  # half term
    assert not TERMS.is_school_day(date(2026, 12, 21))  # Christmas holidays, a Monday
    assert not TERMS.is_school_day(date(2027, 2, 22))  # INSET day, the first of Term 4
    assert TERMS.is_school_day(date(2027, 2, 23))
    assert not TERMS.is_school_day(date(2027, 3, 26))  # Good Friday, inside Term 4
    # A year without terms loaded falls back to weekdays without bank holidays.
    assert TERMS.is_school_day(date(2027, 10, 27))


def test_a_due_moment_moves_to_the_previous_school_day_at_the_same_london_time() -> None:
    sunday = datetime(2026, 11, 1, 16, 0, tzinfo=UTC)  # Sunday 1 November, 16:00 GMT
    assert TERMS.on_school_day(sunday, LONDON) == datetime(2026, 10, 23, 15, 0, tzinfo=UTC)  # 16:00 BST
    easter_monday = datetime(2027, 3, 29, 8, 0, tzinfo=UTC)  # 09:00 BST
    assert TERMS.on_school_day(easter_monday, LONDON) == datetime(2027, 3, 25, 9, 0, tzinfo=UTC)  # 09:00 GMT
    inset = datetime(2027, 2, 22, 9, 0, tzinfo=UTC)
    assert TERMS.on_school_day(inset, LONDON) == datetime(2027, 2, 12, 9, 0, tzinfo=UTC)  # end of Term 3
    tuesday = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)
    assert TERMS.on_school_day(tuesday, LONDON) == tuesday


def test_counting_school_days_skips_holidays_inset_days_and_bank_holidays() -> None:
    # 3 school days after Thursday 22 October: Friday 23, then half term, Monday 2 and Tuesday 3 Nov.
    assert add_school_days(date(2026, 10, 22), 3, TERMS) == date(2026, 11, 3)
    assert add_school_days(date(2026, 10, 22), 3) == date(2026, 10, 27)  # without terms
    # Back over Christmas and an INSET day.
    assert add_school_days(date(2027, 1, 5), -2, TERMS) == date(2026, 12, 18)
    assert add_school_days(date(2027, 2, 23), -1, TERMS) == date(2027, 2, 12)
    assert school_days_between(date(2026, 10, 23), date(2026, 11, 2), TERMS) == 1
    assert school_days_between(date(2026, 11, 2), date(2026, 10, 23), TERMS) == -1


def test_term_names_and_why_a_day_is_not_a_school_day() -> None:
    assert TERMS.term_label(date(2027, 1, 20)) == "Term 3, 2026-27"
    assert TERMS.term_label(date(2026, 12, 24)) is None
    assert not_a_school_day_text(date(2026, 10, 31), TERMS) == (
        "Saturday 31 October 2026 is not a school day (a Saturday)"
    )
    assert not_a_school_day_text(date(2026, 12, 25), TERMS) == (
        "Friday 25 December 2026 is not a school day (Christmas Day, a bank holiday)"
    )
    assert not_a_school_day_text(date(2026, 10, 28), TERMS) == (
        "Wednesday 28 October 2026 is not a school day (in the school holidays)"
    )
    assert not_a_school_day_text(date(2027, 2, 22), TERMS) == (
        "Monday 22 February 2027 is not a school day (an INSET day)"
    )
    assert not_a_school_day_text(date(2026, 10, 28)) is None  # no terms: a weekday


def test_the_dispute_window_counts_with_the_term_calendar() -> None:
    from communities.disputes.raising import raise_by
    from communities.disputes.windows import DisputeWindows
    from communities.outcomes.tables import Outcome

    told = Outcome(confirmed_at=datetime(2026, 10, 20, 12, 0, tzinfo=UTC))  # Tuesday before half term
    # 20 school days: 3 before half term, then 17 from Monday 2 November.
    assert raise_by(told, DisputeWindows(raise_days=20), TERMS) == date(2026, 11, 24)
    assert raise_by(told, DisputeWindows(raise_days=20)) == date(2026, 11, 17)  # without term dates
