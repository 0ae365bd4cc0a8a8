"""A purged request in the real Agents Playground: a year after Westgate Meadow's requests closed, the
purge has removed their answers; Hannah (who raised them) lists her requests and opens the funded one,
and the Teams renderer draws "detail removed under the retention policy" where the answers were, with
the reference, the decision and the £1,500 kept.

Set-up (through the domain services, on the running bot's database): the three requests decided at
CANT1's meeting of 10 December 2026 and closed (tests/support/retention.py), then the purge a year and
a day after the last closed, as the daily job would run it then.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from communities.clock import FixedClock
from communities.db import Database
from communities.requests.tables import Request
from communities.retention.policy import RetentionPolicy
from communities.retention.purge import purge
from communities.retention.words import DETAIL_REMOVED
from tests.e2e.playground import E2E
from tests.e2e.test_agenda_e2e import run_async
from tests.e2e.test_playground import HANNAH
from tests.support.retention import closed_requests


def purged_a_year_later(e2e: E2E) -> str:
    """Westgate's requests closed and purged; the funded one's reference."""
    assert e2e.bot is not None
    url = e2e.bot.database_url

    async def work() -> str:
        database = Database(url)
        clock = FixedClock(datetime(2026, 11, 23, 9, 30, tzinfo=UTC))
        try:
            closed = await closed_requests(database, clock)
            clock.advance(days=366)
            await purge(database, clock, RetentionPolicy(), by="scheduler")
            async with database.session() as session:
                request = await session.get(Request, closed.request_ids[0])
            assert request is not None and request.detail_removed_at is not None
            return request.ref
        finally:
            await database.dispose()

    return run_async(work)


@pytest.mark.e2e
def test_the_school_opens_a_purged_request_and_reads_that_its_detail_was_removed(e2e: E2E) -> None:
    ui = e2e.start(as_email=HANNAH)
    ui.wait_for_bot_message("SENCO")
    ref = purged_a_year_later(e2e)

    ui.send("requests")
    listed = ui.wait_for_bot_message(DETAIL_REMOVED)
    text = listed.inner_text()
    assert ref in text and text.count(DETAIL_REMOVED) == 3, text
    assert "WM-2026-07" not in text  # the school's own pupil reference went with the answers

    # Each request has its Open button, in the order the references are listed.
    refs = sorted({word for word in text.split() if word.startswith("COS-CANT1-")}, key=text.index)
    listed.get_by_role("button", name="Open").nth(refs.index(ref)).click()
    opened = ui.wait_for_bot_message(DETAIL_REMOVED, count=2)
    shown = opened.inner_text()
    for expected in (f"Request {ref}", "Funding agreed", "£1,500", "Social, emotional and mental health"):
        assert expected in shown, f"{expected!r} is not on the card:\n{shown}"
    assert "Struggles to settle" not in shown and "calm space" not in shown
    e2e.assert_bot_healthy()
