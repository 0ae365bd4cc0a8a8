"""The officers' report in the real Agents Playground: the officer types `report` and the card is
drawn whole (the Playground's renderer refuses a whole card whose chart breaks its rules): the
charts by area, the figures per area with small numbers suppressed, the date pickers and the choice
of place. The demo has budgets and no requests yet."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from communities.db import Database
from tests.communities.reporting.world import World
from tests.e2e.playground import E2E
from tests.e2e.test_agenda_e2e import run_async
from tests.e2e.test_playground import PRIYA, pick_option

#: Where the rendered card's HTML is kept for a person to look at (set COSBOT_E2E_DUMP to a folder).
DUMP = os.environ.get("COSBOT_E2E_DUMP")


@pytest.mark.e2e
def test_the_officer_types_report_and_sees_the_charts_and_the_figures_per_area(e2e: E2E) -> None:
    ui = e2e.start(as_email=PRIYA)
    ui.wait_for_bot_message("Council officer")
    ui.send("report")
    message = ui.wait_for_bot_message("Report: All areas")
    card = message.locator(".ac-adaptiveCard").last
    text = card.inner_text()
    if DUMP:
        Path(DUMP, "report_card.html").write_text(card.inner_html(), encoding="utf-8")
        e2e.page.screenshot(path=str(Path(DUMP, "report_card.png")), full_page=True)
    for line in (
        "Requests by status",
        "Requests by main area of need",
        "Median calendar days from submission to decision",
        "fewer than 5 decided",  # no decisions yet: no median is shown
        "£0 committed of £84,500",  # East: CANT1's £48,000 and THAN2's £36,500
        "£0 committed of £52,000",  # West: MAID1
        "To protect children's identities",
    ):
        assert line in text, f"{line!r} is not on the card:\n{text}"
    # The charts are drawn, not dropped: a bar per area in each.
    for area in ("East", "West"):
        assert card.locator("svg").get_by_text(area, exact=True).count() >= 1, f"no {area} bar"
    # The period's two date pickers (Teams draws Input.Date as a calendar picker) and Show.
    pickers = card.locator('[aria-label="Select a date..."]')
    assert pickers.count() == 2
    assert pickers.first.input_value().startswith("September 1, ")  # the academic year to date
    assert card.get_by_role("button", name="Show").count() == 1
    e2e.assert_bot_healthy()


def requests_this_year(e2e: E2E) -> None:
    """CANT1: seven requests with social, emotional and mental health needs and three (fewer than 5)
    with cognition and learning ones; THAN2: six with communication and interaction needs."""
    assert e2e.bot is not None
    url = e2e.bot.database_url

    async def work() -> None:
        database = Database(url)
        today = datetime.now(UTC).date()
        submitted = max(
            date(today.year if today.month >= 9 else today.year - 1, 9, 1), today - timedelta(days=3)
        )
        try:
            world = World(database)
            await world.requests("CANT1", 7, need="semh", submitted=submitted)
            await world.requests("CANT1", 3, need="cognition_learning", submitted=submitted)
            await world.requests("THAN2", 6, need="communication_interaction", submitted=submitted)
        finally:
            await database.dispose()

    run_async(work)


@pytest.mark.e2e
def test_the_officer_shows_an_areas_communities_and_small_counts_are_not_drawn(e2e: E2E) -> None:
    ui = e2e.start(as_email=PRIYA)
    ui.wait_for_bot_message("Council officer")
    requests_this_year(e2e)
    ui.send("report")
    card = ui.wait_for_bot_message("Report: All areas").locator(".ac-adaptiveCard").last
    pick_option(card, "Area or community", "East area")
    card.get_by_role("button", name="Show", exact=True).click()
    card = ui.wait_for_bot_message("Report: East area").locator(".ac-adaptiveCard").last
    text = card.inner_text()
    if DUMP:
        Path(DUMP, "report_area_card.html").write_text(card.inner_html(), encoding="utf-8")
    assert "Canterbury City Community (CANT1)" in text and "Thanet Coast Community (THAN2)" in text
    assert "Cognition and learning: fewer than 5" in text
    # The needs chart is drawn (not dropped), a group of bars per community, without the small count.
    chart = card.locator('[aria-label^="Requests by main area of need"]')
    assert chart.count() == 1, card.inner_html()[:3000]
    for code in ("CANT1", "THAN2"):
        assert card.locator("svg").get_by_text(code, exact=True).count() >= 1, f"no {code} bar"
    assert "Cognition and learning" not in (chart.get_attribute("aria-label") or "")
    e2e.assert_bot_healthy()
