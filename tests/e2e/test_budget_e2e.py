"""The officers' budget overview in the real Agents Playground: the officer types `budget` and the
card is drawn whole: the totals, the charts (Teams' own chart elements, drawn by the Playground's
renderer, which refuses a whole card whose chart breaks its rules) and a line per community."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from communities.budget.years import FinancialYear
from tests.e2e.playground import E2E
from tests.e2e.test_playground import DANIEL, PRIYA

#: Where the rendered card's HTML is kept for a person to look at (set COSBOT_E2E_DUMP to a folder).
DUMP = os.environ.get("COSBOT_E2E_DUMP")


@pytest.mark.e2e
def test_the_officer_types_budget_and_sees_the_charts_and_a_line_per_community(e2e: E2E) -> None:
    ui = e2e.start(as_email=PRIYA)
    ui.wait_for_bot_message("Council officer")
    ui.send("budget")
    message = ui.wait_for_bot_message("Community budgets")
    card = message.locator(".ac-adaptiveCard").last
    text = card.inner_text()
    if DUMP:
        Path(DUMP, "budget_card.html").write_text(card.inner_html(), encoding="utf-8")
        e2e.page.screenshot(path=str(Path(DUMP, "budget_card.png")), full_page=True)

    # The demo budgets (communities/demo/budgets.csv), nothing allocated yet: a line per community.
    for line in (
        "Canterbury City Community (CANT1)",
        "£48,000 available of £48,000 (0% committed)",
        "Thanet Coast Community (THAN2)",
        "£36,500 available of £36,500 (0% committed)",
        "Maidstone Town Community (MAID1)",
        "£52,000 available of £52,000 (0% committed)",
        "£136,500",  # the budget of all three together
    ):
        assert line in text, f"{line!r} is not on the card:\n{text}"
    # The charts are drawn, not dropped: the totals' stacked bar and a bar per community.
    assert card.locator('[aria-label*="All communities"]').count() >= 1, card.inner_html()[:3000]
    for code in ("CANT1", "THAN2", "MAID1"):
        assert card.locator("svg").get_by_text(code, exact=True).count() >= 1, f"no {code} bar"
    e2e.assert_bot_healthy()


@pytest.mark.e2e
def test_the_chair_types_budget_and_sees_the_demo_budget_of_their_community(e2e: E2E) -> None:
    year = FinancialYear.of(datetime.now(UTC).date())
    expected = {"2026-27": "£48,000", "2027-28": "£50,000"}.get(year.label)
    ui = e2e.start(as_email=DANIEL)
    ui.wait_for_bot_message("Community chair")
    ui.send("budget")
    text = ui.wait_for_bot_message(f"Budget {year}: Canterbury City Community (CANT1)").inner_text()
    if expected is None:  # past the demo file's years: nothing is set, and the card says so
        assert f"No budget is set for {year} yet" in text
    else:
        assert "Budget" in text and expected in text and "Latest entries (1 entry in all)" in text
    e2e.assert_bot_healthy()
