"""The subject access export and a request's audit trail, read on PostgreSQL: the same rows."""

from __future__ import annotations

import pytest

from communities.clock import FixedClock
from communities.db import Database
from tests.communities.subject_access.test_gathering import (
    test_a_chair_who_accepted_a_request_finds_it_among_those_triaged as triaged,
)
from tests.communities.subject_access.test_gathering import (
    test_the_export_holds_her_roster_rows_requests_audit_and_messages as export_holds,
)
from tests.communities.subject_access.test_trail import (
    test_an_outcome_read_and_the_meetings_outcomes_are_in_the_trail_of_their_requests as outcome_trail,
)
from tests.communities.subject_access.test_trail import (
    test_the_trail_lists_who_changed_and_read_the_request_oldest_first as request_trail,
)

pytestmark = pytest.mark.postgres


async def test_the_export_holds_every_row_that_names_the_person_on_postgresql(
    pg_demo_db: Database, clock: FixedClock
) -> None:
    await export_holds(pg_demo_db, clock)


async def test_the_requests_a_chair_triaged_are_in_her_export_on_postgresql(
    pg_demo_db: Database, clock: FixedClock
) -> None:
    await triaged(pg_demo_db, clock)


async def test_a_requests_trail_lists_its_changes_and_reads_on_postgresql(
    pg_demo_db: Database, clock: FixedClock
) -> None:
    await request_trail(pg_demo_db, clock)


async def test_an_outcome_read_is_in_its_requests_trail_on_postgresql(
    pg_demo_db: Database, clock: FixedClock
) -> None:
    await outcome_trail(pg_demo_db, clock)
