"""Funding at the meeting on PostgreSQL: an overspend refused at confirmation rolls everything back,
and an officer's approval is given once (its version-checked write)."""

from __future__ import annotations

import pytest

from communities.clock import FixedClock
from communities.db import Database
from tests.communities.budget import test_funding

pytestmark = pytest.mark.postgres


async def test_an_overspend_at_confirmation_confirms_nothing_on_postgresql(
    pg_demo_db: Database, clock: FixedClock
) -> None:
    await test_funding.test_an_overspend_at_confirmation_confirms_nothing(pg_demo_db, clock)


async def test_an_officer_approves_an_overspend_once_on_postgresql(
    pg_demo_db: Database, clock: FixedClock
) -> None:
    await test_funding.test_an_officer_approves_an_overspend_once(pg_demo_db, clock)
