"""The money on the agenda and in the minutes, read on PostgreSQL: the same window and position."""

from __future__ import annotations

import pytest

from communities.clock import FixedClock
from communities.db import Database
from tests.communities.budget.test_since import (
    test_the_agenda_of_the_next_meeting_reports_the_money_since_the_last_one as agenda_money,
)
from tests.communities.minutes.test_minutes_money import (
    test_the_minutes_show_each_allocation_the_meeting_made_and_the_position_after as minutes_money,
)

pytestmark = pytest.mark.postgres


async def test_the_agenda_reports_the_money_since_the_last_meeting_on_postgresql(
    pg_demo_db: Database, clock: FixedClock
) -> None:
    await agenda_money(pg_demo_db, clock)


async def test_the_minutes_show_the_meetings_allocations_on_postgresql(
    pg_demo_db: Database, clock: FixedClock
) -> None:
    await minutes_money(pg_demo_db, clock)
