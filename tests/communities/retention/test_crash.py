"""A purge that stops part-way (a crash mid-request) leaves every request untouched or fully
anonymised, never half; its audit row says it did not finish; a rerun finishes the job."""

from __future__ import annotations

import pytest
from sqlmodel import select

from communities.audit import AuditEvent
from communities.clock import FixedClock
from communities.db import Database
from communities.retention.policy import Kind, RetentionPolicy
from communities.retention.purge import purge
from tests.support.retention import closed_requests, free_text_of, request_row

POLICY = RetentionPolicy()


class Crash(Exception):
    pass


def crash_on(record_number: int, after_checkpoints: int):  # type: ignore[no-untyped-def]
    """A fault injected inside the ``record_number``-th request's transaction, after some of its
    tables were changed (``after_checkpoints`` checkpoints into it)."""
    seen: list[object] = []

    def checkpoint(kind: Kind, record: object) -> None:
        if kind is not Kind.REQUEST_DETAIL:
            return
        seen.append(record)
        records = list(dict.fromkeys(seen))
        if len(records) == record_number and seen.count(record) == after_checkpoints:
            raise Crash(f"crash in request {record}")

    return checkpoint


@pytest.mark.parametrize("after_checkpoints", [1, 2])
async def test_a_crash_part_way_leaves_each_request_whole_or_fully_cleared_and_a_rerun_finishes(
    demo_db: Database, clock: FixedClock, after_checkpoints: int
) -> None:
    closed = await closed_requests(demo_db, clock)
    before = {i: await free_text_of(demo_db, i) for i in closed.request_ids}
    clock.advance(days=400)

    with pytest.raises(Crash):
        await purge(demo_db, clock, POLICY, by="test", checkpoint=crash_on(2, after_checkpoints))

    states = []
    for request_id in closed.request_ids:
        now = await free_text_of(demo_db, request_id)
        removed = (await request_row(demo_db, request_id)).detail_removed_at is not None
        if removed:
            assert set(now["details"]) <= {"request_type", "primary_need", "support", "funding_pounds"}
            assert not any(now[k] for k in ("return_note", "what_is_working", "ideas_and_offers", "reviews"))
            assert not now["dispute"] and not now["dispute_events"]
            states.append("cleared")
        else:
            assert now == before[request_id]
            states.append("whole")
    assert states == ["cleared", "whole", "whole"]
    async with demo_db.session() as session:
        [event] = (await session.exec(select(AuditEvent).where(AuditEvent.action == "retention_purge"))).all()
    assert event.detail["finished"] is False and event.detail["counts"]["request_detail"] == 1

    done = await purge(demo_db, clock, POLICY, by="test")
    assert done.by_kind()["request_detail"] == 2
    for request_id in closed.request_ids:
        assert (await request_row(demo_db, request_id)).detail_removed_at is not None
        assert (await free_text_of(demo_db, request_id))["dispute"] == []
