"""The officers' report on PostgreSQL: the same figures, suppressed the same way, as on SQLite."""

from __future__ import annotations

import pytest

from communities.clock import FixedClock
from communities.db import Database
from communities.reporting.grid import area_key
from tests.communities.reporting.test_report import cells, made

pytestmark = pytest.mark.postgres


async def test_the_report_counts_and_suppresses_on_postgresql(
    pg_demo_db: Database, clock: FixedClock
) -> None:
    report = await made(pg_demo_db, clock)
    assert cells(report, "by_need", "CANT1") == {
        "communication_interaction": "6",
        "cognition_learning": "fewer than 5",
        "semh": "not shown",
        "sensory_physical": "0",
        "not_recorded": "0",
        "total": "16",
    }
    assert cells(report, "by_status", area_key("West"))["in_delivery"] == "not shown"
    assert str(report.median["THAN2"]) == "14 days"
    assert cells(report, "overdue", "THAN2") == {"actions": "6", "reviews": "0", "disputes": "fewer than 5"}
    assert report.funding["CANT1"].budget_pence == 4_800_000
