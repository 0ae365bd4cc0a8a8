"""The purge on real data: a year after a request closes its pupil-level answers go, everywhere
they were copied (outcome, review, dispute); the reference, type, main need, decision and money
stay, the ledger is untouched, and a second run finds nothing to do."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select

from communities.audit import AuditEvent
from communities.clock import FixedClock
from communities.db import Database
from communities.outcomes.tables import Outcome, OutcomeAction
from communities.requests.lifecycle import RequestStatus
from communities.requests.service import start_draft
from communities.requests.tables import Request
from communities.retention.policy import Kind, RetentionPolicy
from communities.retention.purge import plan, purge
from tests.support.people import HANNAH, profile_of
from tests.support.requests import school_id
from tests.support.retention import closed_requests, free_text_of, ledger_of, request_row

POLICY = RetentionPolicy()
CLEARED = {
    "return_note": None,
    "what_is_working": None,
    "ideas_and_offers": [],
    "reviews": [],
    "dispute": [],
    "dispute_events": [],
}


def counted(report: object, what: str) -> int:
    return next(line.count for line in report.lines if line.what == what)  # type: ignore[attr-defined]


async def test_a_year_after_closing_the_answers_go_and_the_outcome_and_money_stay(
    demo_db: Database, clock: FixedClock
) -> None:
    closed = await closed_requests(demo_db, clock)
    funded, disputed, advice = closed.request_ids
    before = {i: await free_text_of(demo_db, i) for i in closed.request_ids}
    assert before[disputed]["dispute"] and before[funded]["reviews"]  # there is something to clear
    ledger = await ledger_of(demo_db)
    clock.advance(days=300)  # Feb 2028: 14 months after two closed, 10 after the funded one closed

    found = await plan(demo_db, POLICY, clock.now())
    assert counted(found, "requests anonymised") == 2
    assert await free_text_of(demo_db, disputed) == before[disputed]  # a plan changes nothing

    done = await purge(demo_db, clock, POLICY, by="test")

    assert counted(done, "requests anonymised") == 2
    for request_id in (disputed, advice):
        left = await free_text_of(demo_db, request_id)
        assert left["details"] == {
            "request_type": "one_pupil",
            "primary_need": "semh",
            "support": ["advice", "funding"],
            "funding_pounds": 1500,
        }
        assert {k: v for k, v in left.items() if k != "details"} == CLEARED
        request = await request_row(demo_db, request_id)
        assert request.ref.startswith("COS-CANT1-") and request.status == RequestStatus.CLOSED
        assert request.detail_removed_at == clock.now()
    assert await free_text_of(demo_db, funded) == before[funded]  # closed 10 months ago: not yet
    async with demo_db.session() as session:
        outcomes = {o.request_id: o for o in (await session.exec(select(Outcome))).all()}
    assert outcomes[disputed].decision == "not_agreed" and outcomes[disputed].rationale  # kept for 6 years
    assert await ledger_of(demo_db) == ledger

    clock.advance(days=70)  # the funded one is a year closed too
    again = await purge(demo_db, clock, POLICY, by="test")
    assert counted(again, "requests anonymised") == 1
    assert (await free_text_of(demo_db, funded))["reviews"] == []
    assert outcomes[funded].funding_pence == 150_000
    async with demo_db.session() as session:
        kept = await session.get(Outcome, outcomes[funded].id)
    assert kept is not None and kept.funding_pence == 150_000 and kept.decision == "funding_agreed"
    assert await ledger_of(demo_db) == ledger
    assert (await purge(demo_db, clock, POLICY, by="test")).total == 0  # nothing left to do


async def test_six_years_after_closing_the_outcome_text_goes_but_decisions_and_money_stay(
    demo_db: Database, clock: FixedClock
) -> None:
    closed = await closed_requests(demo_db, clock)
    ledger = await ledger_of(demo_db)
    clock.advance(days=2191)
    done = await purge(demo_db, clock, POLICY, by="test")
    assert counted(done, "requests' outcome text cleared") == 3
    async with demo_db.session() as session:
        outcomes = (await session.exec(select(Outcome).order_by(col(Outcome.id)))).all()
        actions = (await session.exec(select(OutcomeAction))).all()
    assert [o.rationale for o in outcomes] == [None, None, None]
    assert [o.decision for o in outcomes] == ["funding_agreed", "not_agreed", "advice_only"]
    assert outcomes[0].funding_pence == 150_000
    assert all(a.description == "" for a in actions)
    assert await ledger_of(demo_db) == ledger
    for request_id in closed.request_ids:
        request = await request_row(demo_db, request_id)
        assert request.detail_removed_at is not None and request.outcome_text_removed_at is not None


async def test_an_abandoned_draft_is_deleted_after_90_days_and_a_recent_one_stays(
    demo_db: Database, clock: FixedClock
) -> None:
    actor = await profile_of(demo_db, HANNAH)
    school = await school_id(demo_db, "990101")
    async with demo_db.session() as session:
        old = await start_draft(session, clock, actor, school)
        await session.commit()
    clock.advance(days=60)
    async with demo_db.session() as session:
        recent = await start_draft(session, clock, actor, school)
        await session.commit()
    clock.advance(days=31)
    done = await purge(demo_db, clock, POLICY, by="test")
    assert counted(done, "abandoned drafts deleted") == 1
    async with demo_db.session() as session:
        left = (await session.exec(select(Request.id))).all()
    assert old.id not in left and recent.id in left


async def test_each_run_is_audited_with_counts_only(demo_db: Database, clock: FixedClock) -> None:
    await closed_requests(demo_db, clock)
    clock.advance(days=400)
    await purge(demo_db, clock, POLICY, by="command line")
    async with demo_db.session() as session:
        [event] = (await session.exec(select(AuditEvent).where(AuditEvent.action == "retention_purge"))).all()
    assert event.actor_person_id is None and event.entity == "retention"
    assert event.detail["by"] == "command line" and event.detail["finished"] is True
    assert set(event.detail["counts"]) == {k.value for k in Kind}
    assert event.detail["counts"]["request_detail"] == 3
    assert "COS-" not in str(event.detail) and "semh" not in str(event.detail)


async def test_the_audit_kept_for_six_years_then_deleted(demo_db: Database, clock: FixedClock) -> None:
    await closed_requests(demo_db, clock)
    async with demo_db.session() as session:
        before = len((await session.exec(select(AuditEvent.id))).all())
    assert before > 0
    clock.advance(days=2190 + 1)
    await purge(demo_db, clock, POLICY, by="test")
    async with demo_db.session() as session:
        left = (await session.exec(select(AuditEvent))).all()
    # Only the purge's own row (written now) is left.
    assert [e.action for e in left] == ["retention_purge"]
    assert left[0].at > clock.now() - timedelta(days=1)
