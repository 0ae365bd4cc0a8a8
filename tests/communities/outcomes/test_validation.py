from __future__ import annotations

from datetime import date

import pytest

from communities.outcomes.validation import (
    FUNDING_PROBLEM,
    ActionEntry,
    Offer,
    OutcomeEntry,
    OutcomeInvalid,
    check,
    pence,
    pounds,
)

DAY = date(2026, 12, 10)


def problems(entry: OutcomeEntry, flagged: dict[int, str] | None = None) -> dict[str, str]:
    with pytest.raises(OutcomeInvalid) as refused:
        check(entry, meeting_day=DAY, flagged=flagged or {})
    return refused.value.problems


@pytest.mark.parametrize(
    ("typed", "amount"),
    [("1500", 150000), ("£1,500.50", 150050), ("0.01", 1), (" £ 250.00 ", 25000), ("1000000", 100_000_000)],
)
def test_funding_in_pounds_and_pence(typed: str, amount: int) -> None:
    assert pence(typed) == amount


@pytest.mark.parametrize(
    "typed", ["0", "0.00", "-5", "1500.5", "1,50", "£", "abc", "1e3", "1000000.01", "15 00"]
)
def test_funding_must_be_a_positive_amount_in_pounds_and_pence(typed: str) -> None:
    with pytest.raises(ValueError):
        pence(typed)
    entry = OutcomeEntry(
        decision="funding_agreed",
        funding=typed,
        funding_from=DAY,
        funding_to=DAY,
        review_date=date(2027, 3, 1),
    )
    assert problems(entry) == {"funding": FUNDING_PROBLEM}


def test_pounds_are_shown_as_people_write_them() -> None:
    assert pounds(150050) == "£1,500.50" and pounds(150000) == "£1,500"


def test_a_decision_is_needed() -> None:
    assert problems(OutcomeEntry(decision=None)) == {"decision": "Choose the decision."}
    assert problems(OutcomeEntry(decision="maybe")) == {"decision": "Choose the decision from the list."}


def test_support_agreed_needs_a_review_date_after_the_meeting() -> None:
    assert "Give a review date" in problems(OutcomeEntry(decision="support_agreed"))["review_date"]
    late = problems(OutcomeEntry(decision="support_agreed", review_date=DAY))
    assert late == {"review_date": "The review date must be after the meeting: give a later date."}
    closed = problems(OutcomeEntry(decision="advice_only", review_date=date(2027, 1, 1)))
    assert closed == {"review_date": "A review date is set only when support or funding is agreed."}


def test_funding_needs_its_amount_and_period_and_a_decision_that_funds() -> None:
    review = date(2027, 3, 1)
    assert set(problems(OutcomeEntry(decision="funding_agreed", review_date=review))) == {"funding"}
    period = problems(OutcomeEntry(decision="funding_agreed", funding="100", review_date=review))
    assert period == {"funding_period": "Give the period the funding covers: the first and the last day."}
    backwards = OutcomeEntry(
        decision="funding_agreed",
        funding="100",
        funding_from=date(2027, 2, 1),
        funding_to=date(2027, 1, 1),
        review_date=review,
    )
    assert "ends before it starts" in problems(backwards)["funding_period"]
    advice = problems(OutcomeEntry(decision="advice_only", funding="100"))
    assert advice == {"funding": "Funding is recorded only when funding is agreed, in full or in part."}


def test_reasons_rulings_offers_and_actions() -> None:
    found = problems(
        OutcomeEntry(
            decision="not_agreed",
            ideas_and_offers=(Offer("  "),),
            actions=(ActionEntry("Share the plan", date(2027, 1, 1)),),
        ),
        flagged={7: "Daniel Okafor"},
    )
    assert set(found) == {"rationale", "ideas_and_offers", "actions", "rulings"}
    assert found["rulings"].endswith("for each member flagged for a conflict: Daniel Okafor.")
    assert found["actions"] == "Action 1 needs an owner: a school or a person."
    early = problems(
        OutcomeEntry(
            decision="advice_only", actions=(ActionEntry("Share", date(2026, 12, 1), owner_school_id=1),)
        )
    )
    assert early == {"actions": "Action 1 is due before the meeting: give a later date."}


def test_a_good_entry_is_cleaned() -> None:
    checked = check(
        OutcomeEntry(
            decision="partially_agreed",
            what_is_working="  The calm space.  ",
            funding="£750",
            funding_from=date(2027, 1, 4),
            funding_to=date(2027, 3, 26),
            rationale="Half the hours asked for.",
            review_date=date(2027, 3, 30),
            rulings={7: "took_no_part"},
        ),
        meeting_day=DAY,
        flagged={7: "Daniel Okafor"},
    )
    assert checked.funding_pence == 75000 and checked.what_is_working == "The calm space."
    assert checked.rulings == {7: "took_no_part"}
