"""The officers' report from the database: what it counts, for which period, suppressed as one, and
never a request's answers (SQLite, and PostgreSQL when the suite is given one)."""

from __future__ import annotations

import json
from datetime import date

from communities.clock import FixedClock
from communities.db import Database
from communities.outcomes.decisions import OutcomeDecision
from communities.reporting.grid import ALL, area_key
from communities.reporting.report import Report, build_report, csv_columns, csv_rows, default_period
from communities.requests.lifecycle import RequestStatus
from tests.communities.reporting.world import SECRET_TEXT, World
from tests.support.outcomes import set_a_budget

TODAY = date(2026, 11, 23)


def cells(report: Report, table: str, key: str) -> dict[str, str]:
    found = getattr(report, table)
    return {k: str(count) for (k, _), count in zip(found.columns, found.row(key), strict=True)}


async def made(db: Database, clock: FixedClock) -> Report:
    world = World(db)
    await world.requests("CANT1", 7, need="semh")
    await world.requests("CANT1", 3, need="cognition_learning")
    await world.requests("CANT1", 6, need="communication_interaction", status=RequestStatus.CLOSED)
    await world.requests("CANT1", 2, status=RequestStatus.DRAFT)  # not a request yet
    await world.requests("CANT1", 9, submitted=date(2026, 8, 20))  # before the period
    decided = await world.decided("THAN2", 6, OutcomeDecision.SUPPORT_AGREED, action_due=date(2026, 11, 1))
    await world.dispute("THAN2", decided[0], decide_by=date(2026, 11, 10))
    await world.requests("MAID1", 5, status=RequestStatus.IN_DELIVERY, review_date=date(2026, 11, 1))
    await world.requests("MAID1", 2, status=RequestStatus.WITHDRAWN, need=None)
    await set_a_budget(db, clock, "CANT1", 4_800_000)
    start, end = default_period(TODAY)
    async with db.session() as session:
        return await build_report(session, start, end, TODAY)


async def test_the_default_period_is_the_academic_year_to_date() -> None:
    assert default_period(TODAY) == (date(2026, 9, 1), TODAY)
    assert default_period(date(2027, 3, 2)) == (date(2026, 9, 1), date(2027, 3, 2))


async def test_requests_are_counted_by_status_need_and_decision_per_community_and_area(
    demo_db: Database, clock: FixedClock
) -> None:
    report = await made(demo_db, clock)
    assert [row.label for row in report.areas()] == ["East", "West"]
    assert [row.code for row in report.communities("East")] == ["CANT1", "THAN2"]
    # Sixteen submitted in CANT1 this year (ten with the chair, six closed): drafts and last
    # year's are not counted.
    assert cells(report, "by_status", "CANT1") == {
        "with_chair": "10",
        "waiting_meeting": "0",
        "in_delivery": "0",
        "closed": "6",
        "withdrawn": "0",
        "total": "16",
    }
    # Three with cognition and learning needs (fewer than 5): the row's total is shown, so the seven
    # with social, emotional and mental health needs are not shown either (16 - 6 would give 3).
    assert cells(report, "by_need", "CANT1") == {
        "communication_interaction": "6",
        "cognition_learning": "fewer than 5",
        "semh": "not shown",
        "sensory_physical": "0",
        "not_recorded": "0",
        "total": "16",
    }
    # And East (CANT1 and THAN2) hides its social, emotional and mental health count with them.
    assert cells(report, "by_need", area_key("East"))["semh"] == "not shown"
    assert cells(report, "by_decision", "THAN2")["agreed"] == "6"
    # Fourteen calendar days from submission (5 October) to the meeting (19 October).
    assert str(report.median["THAN2"]) == "14 days"
    assert str(report.median["CANT1"]) == "fewer than 5 decided"
    assert str(report.median[ALL]) == "14 days"
    assert cells(report, "overdue", "THAN2") == {"actions": "6", "reviews": "0", "disputes": "fewer than 5"}
    assert cells(report, "overdue", "MAID1") == {"actions": "0", "reviews": "5", "disputes": "0"}
    # West has one community: two withdrawn (fewer than 5) and five in delivery, which is hidden
    # with them, here and in all areas.
    assert cells(report, "by_status", area_key("West"))["in_delivery"] == "not shown"
    assert cells(report, "by_status", ALL)["in_delivery"] == "not shown"
    # Funding: CANT1's ledger position for 2026-27, and the areas' sums of their communities.
    assert report.financial_year == "2026-27"
    assert report.funding["CANT1"].budget_pence == 4_800_000
    assert report.funding[area_key("East")].budget_pence == 4_800_000
    assert report.funding[ALL].budget_pence == 4_800_000


async def test_no_small_count_is_shown_anywhere(demo_db: Database, clock: FixedClock) -> None:
    report = await made(demo_db, clock)
    for table in (report.by_status, report.by_need, report.by_decision, report.overdue):
        for key, row in table.rows.items():
            for count in row:
                assert not (0 < count.value < 5 and str(count) == str(count.value)), (key, row)


async def test_the_csv_has_a_line_per_place_and_the_same_suppressed_words(
    demo_db: Database, clock: FixedClock
) -> None:
    report = await made(demo_db, clock)
    columns, rows = csv_columns(report), csv_rows(report)
    assert [row[:3] for row in rows] == [
        ["all", "", ""],
        ["area", "East", ""],
        ["community", "East", "CANT1"],
        ["community", "East", "THAN2"],
        ["area", "West", ""],
        ["community", "West", "MAID1"],
    ]
    cant1 = dict(zip(columns, rows[2], strict=True))
    assert cant1["name"] == "Canterbury City Community"
    assert cant1["need_cognition_learning"] == "fewer than 5"
    assert cant1["requests_with_chair"] == "10"
    assert cant1["budget_pence"] == "4800000"
    assert cant1["median_calendar_days_submission_to_decision"] == "fewer than 5 decided"


async def test_a_report_carries_no_answer_of_any_request(demo_db: Database, clock: FixedClock) -> None:
    from cards.reporting.card import report_card

    # An answer where the category should be (a form bypassed) is not a category: not recorded.
    await World(demo_db).requests("THAN2", 1, need="Jack Smithson")
    report = await made(demo_db, clock)
    assert cells(report, "by_need", "THAN2")["not_recorded"] == "fewer than 5"
    shown = json.dumps(
        [report_card(report, key) for key in [row.key for row in report.rows]] + csv_rows(report)
    )
    leaked = [secret for secret in SECRET_TEXT if secret.lower() in shown.lower()]
    assert not leaked, leaked
    for field in ("pupil_ref", "needs_summary", "year_group", "what_worked", "return_note", "rationale"):
        assert field not in shown and field not in csv_columns(report)


async def test_a_period_that_ends_before_it_starts_is_refused(demo_db: Database) -> None:
    async with demo_db.session() as session:
        try:
            await build_report(session, date(2026, 12, 1), date(2026, 11, 1), TODAY)
        except ValueError:
            return
    raise AssertionError("a backwards period was accepted")
