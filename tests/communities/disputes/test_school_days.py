"""School days: Monday to Friday, not a bank holiday in England (until term dates, issue 14)."""

from __future__ import annotations

from datetime import date

import pytest

from communities.school_days import add_school_days, is_school_day, school_days_between


@pytest.mark.parametrize(
    ("day", "school"),
    [
        (date(2026, 12, 18), True),  # Friday
        (date(2026, 12, 19), False),  # Saturday
        (date(2026, 12, 25), False),  # Christmas Day
        (date(2026, 12, 28), False),  # Boxing Day, observed on the Monday
        (date(2027, 1, 1), False),  # New Year's Day
        (date(2027, 3, 26), False),  # Good Friday 2027
        (date(2027, 5, 31), False),  # Spring bank holiday
        (date(2027, 1, 4), True),
    ],
)
def test_a_school_day(day: date, school: bool) -> None:
    assert is_school_day(day) is school


def test_adding_school_days_skips_weekends_and_bank_holidays() -> None:
    assert add_school_days(date(2026, 12, 11), 20) == date(2027, 1, 13)
    assert add_school_days(date(2026, 12, 17), 5) == date(2026, 12, 24)
    assert add_school_days(date(2026, 12, 24), 1) == date(2026, 12, 29)
    assert add_school_days(date(2026, 12, 29), -1) == date(2026, 12, 24)
    assert add_school_days(date(2026, 12, 19), 0) == date(2026, 12, 19)


def test_school_days_between_counts_the_days_after_the_first() -> None:
    assert school_days_between(date(2026, 12, 14), date(2026, 12, 14)) == 0
    assert school_days_between(date(2026, 12, 14), date(2026, 12, 15)) == 1
    assert school_days_between(date(2026, 12, 18), date(2026, 12, 31)) == 7
    assert school_days_between(date(2026, 12, 31), date(2026, 12, 18)) == -7
    for start in (date(2026, 12, 11), date(2027, 3, 24)):
        for count in (1, 5, 20):
            assert school_days_between(start, add_school_days(start, count)) == count
