"""Retention on PostgreSQL (the migrated schema): the purge, the crash part-way, and the records that
are not requests (JSON bodies compared as text, the dialog state table)."""

from __future__ import annotations

import pytest

from communities.clock import FixedClock
from communities.db import Database
from tests.communities.retention import test_crash, test_purge, test_records

pytestmark = pytest.mark.postgres


async def test_the_purge_on_postgresql(pg_demo_db: Database, clock: FixedClock) -> None:
    await test_purge.test_a_year_after_closing_the_answers_go_and_the_outcome_and_money_stay(
        pg_demo_db, clock
    )


async def test_a_crash_part_way_on_postgresql(pg_demo_db: Database, clock: FixedClock) -> None:
    await test_crash.test_a_crash_part_way_leaves_each_request_whole_or_fully_cleared_and_a_rerun_finishes(
        pg_demo_db, clock, 2
    )


async def test_outbox_bodies_on_postgresql(pg_demo_db: Database, clock: FixedClock) -> None:
    await test_records.test_message_bodies_are_cleared_90_days_after_sending_and_the_row_stays(
        pg_demo_db, clock
    )


async def test_references_on_postgresql(pg_demo_db: Database, clock: FixedClock) -> None:
    await test_records.test_references_go_90_days_after_a_person_left_or_a_team_removed_the_app(
        pg_demo_db, clock
    )
    await test_records.test_dialog_state_not_written_for_30_days_is_deleted(pg_demo_db, clock)
