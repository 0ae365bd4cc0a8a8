"""The budget's lock on PostgreSQL: allocations at the same moment cannot overspend between them."""

from __future__ import annotations

import pytest

from communities.clock import FixedClock
from communities.db import Database
from tests.communities.budget.test_service import ten_at_once

pytestmark = pytest.mark.postgres


async def test_ten_allocations_at_once_on_postgresql(
    pg_demo_db: Database, clock: FixedClock, pg_url: str
) -> None:
    await ten_at_once(pg_demo_db, clock, pg_url)
