"""The funding cards: the chair's item card with the available balance and the refused overspend, the
officers' approval card, and finance's ledger with its payment and budget cards."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from cards import budget_ledger
from cards.outcomes import item as item_cards
from communities.budget.chat import SET, TOP_UP
from communities.budget.funding import FundingRefused, FundingRoom
from communities.budget.ledger import Position
from communities.budget.overspend import OverspendView
from communities.budget.statement import Statement, StatementLine
from communities.budget.tables import EntryKind
from tests.cards.outcomes.test_outcome_cards import inputs, item, outcome
from tests.support.activities import submit_data

ROOM = FundingRoom("CANT1", "2026-27", True, Position(4_800_000, 4_700_000, 0), 50_000)
NO_BUDGET = FundingRoom("CANT1", "2026-27", False, Position(), 0)
ALLOCATION = StatementLine(
    entry_id=9,
    kind=EntryKind.ALLOCATION,
    amount="£1,500",
    school="Westgate Meadow Primary School",
    ref="COS-CANT1-26-001",
    reason="Outcome of COS-CANT1-26-001",
    by="Grace Li",
    when="11 December 2026 10:00",
    promised_pence=150_000,
    unpaid_pence=100_000,
)
PAYMENT = StatementLine(
    10,
    EntryKind.PAYMENT,
    "£500",
    "Westgate Meadow Primary School",
    "COS-CANT1-26-001",
    "",
    "Sam Carter",
    "12 December 2026 09:00",
    paid_on="11 December 2026",
    reference="PAY-0042",
)
SET_LINE = StatementLine(
    8, EntryKind.BUDGET_SET, "£48,000", None, None, "budgets.csv row 2", "Imported", "1 April 2026 09:00"
)
STATEMENT = Statement(
    1,
    "CANT1",
    "Canterbury City Community",
    "2026-27",
    Position(4_800_000, 150_000, 50_000),
    True,
    (SET_LINE, ALLOCATION, PAYMENT),
)
EMPTY = Statement(2, "THAN2", "Thanet Coast Community", "2026-27", Position(), False, ())
ASKED = OverspendView(
    4,
    "COS-CANT1-26-001",
    "Westgate Meadow Primary School",
    "Canterbury City Community (CANT1)",
    "Thursday 10 December 2026, 16:00–17:30",
    "£2,000",
    "£500",
    "Grace Li",
    None,
    None,
    "",
)
APPROVED = OverspendView(
    4,
    "COS-CANT1-26-001",
    "Westgate Meadow Primary School",
    "Canterbury City Community (CANT1)",
    "Thursday 10 December 2026, 16:00–17:30",
    "£2,000",
    "£500",
    "Grace Li",
    "Priya Shah",
    datetime(2026, 12, 11, 10, tzinfo=UTC),
    "Agreed with the head of service: a one-off.",
)


def flat(card: Any) -> str:
    return json.dumps(card, ensure_ascii=False)


def demo() -> dict[str, list[Any]]:
    return {
        "budget_ledger.ledger_card": [
            budget_ledger.ledger_card(STATEMENT, finance=True, officer=True, note="Saved.", problem="No."),
            budget_ledger.ledger_card(EMPTY, finance=False, officer=True),
        ],
        "budget_ledger.payment_card": [budget_ledger.payment_card(STATEMENT, ALLOCATION, {}, problem="No.")],
        "budget_ledger.adjust_card": [
            budget_ledger.adjust_card(STATEMENT, {}),
            budget_ledger.adjust_card(EMPTY, {"how": SET}, problem="No."),
        ],
        "budget_ledger.overspend_card": [
            budget_ledger.overspend_card(ASKED),
            budget_ledger.overspend_card(APPROVED),
        ],
    }


def test_the_item_card_shows_the_available_balance_and_what_other_items_propose() -> None:
    card = item_cards.item_card(7, item(outcome()), {}, members={}, schools={}, room=ROOM)
    shown = flat(card)
    for expected in ("Budget 2026-27 of CANT1", "£48,000", "£47,000", "£1,000", "£500", "Left for this item"):
        assert expected in shown, expected
    assert "CANT1 has £1,000 available for 2026-27" in shown and "leaving £500" in shown
    nothing = flat(item_cards.item_card(7, item(), {}, members={}, schools={}, room=NO_BUDGET))
    assert "No budget is set for CANT1 for 2026-27 yet, so £0 is available." in nothing


def test_refused_funding_keeps_what_was_typed_and_offers_to_ask_an_officer() -> None:
    refused = FundingRefused(200_000, ROOM)
    card = item_cards.item_card(
        7,
        item(outcome()),
        {"funding": "2,000"},
        members={},
        schools={},
        room=ROOM,
        problems={"funding": str(refused)},
        overspend=True,
    )
    assert inputs(card)["funding"]["value"] == "2,000"
    assert "£2,000 is more than CANT1 can fund" in flat(card) and "leaving £500" in flat(card)
    [ask] = [d for d in submit_data(card) if d["action"] == item_cards.OVERSPEND_ASK]
    assert ask == {"action": item_cards.OVERSPEND_ASK, "meeting_id": 7, "request_id": 11, "version": 2}
    plain = item_cards.item_card(7, item(outcome()), {}, members={}, schools={}, room=ROOM)
    assert item_cards.OVERSPEND_ASK not in [d["action"] for d in submit_data(plain)]


def test_the_officers_card_asks_a_reason_and_once_approved_has_no_button() -> None:
    card = budget_ledger.overspend_card(ASKED)
    assert inputs(card)["reason"]["isRequired"] is True
    assert list(submit_data(card)) == [{"action": budget_ledger.OVERSPEND_APPROVE, "overspend_id": 4}]
    for expected in ("COS-CANT1-26-001", "Westgate Meadow Primary School", "£2,000", "£500", "Grace Li"):
        assert expected in flat(card)
    done = budget_ledger.overspend_card(APPROVED)
    assert list(submit_data(done)) == [] and inputs(done) == {}
    assert "Approved by Priya Shah: “Agreed with the head of service: a one-off.”" in flat(done)


def test_the_ledger_lists_every_entry_and_finance_can_pay_an_unpaid_allocation() -> None:
    card = budget_ledger.ledger_card(STATEMENT, finance=True, officer=False)
    shown = flat(card)
    for expected in (
        "Ledger 2026-27: Canterbury City Community (CANT1)",
        "Allocation",
        "COS-CANT1-26-001",
        "£500 paid, £1,000 unpaid",
        "PAY-0042",
        "paid 11 December 2026",
        "Sam Carter",
        "budgets.csv row 2",
    ):
        assert expected in shown, expected
    actions = list(submit_data(card))
    assert actions == [{"action": budget_ledger.PAYMENT_FORM, "allocation_id": 9, "community_id": 1}]
    officer = list(submit_data(budget_ledger.ledger_card(STATEMENT, finance=False, officer=True)))
    assert officer == [{"action": budget_ledger.ADJUST_FORM, "community_id": 1}]
    assert "Set the budget" in flat(budget_ledger.ledger_card(EMPTY, finance=False, officer=True))


def test_the_payment_and_budget_cards_keep_what_was_typed() -> None:
    card = budget_ledger.payment_card(
        STATEMENT, ALLOCATION, {"amount": "-5", "reference": "X1"}, problem="No."
    )
    found = inputs(card)
    assert found["amount"]["value"] == "-5" and found["reference"]["value"] == "X1" and "paid_on" in found
    assert "£1,000" in flat(card)  # not yet paid
    adjust = budget_ledger.adjust_card(STATEMENT, {"how": TOP_UP, "amount": "500", "reason": "Extra"})
    found = inputs(adjust)
    assert found["how"]["value"] == TOP_UP and [c["value"] for c in found["how"]["choices"]] == [
        "top_up",
        "correction",
    ]
    assert [c["value"] for c in inputs(budget_ledger.adjust_card(EMPTY, {}))["how"]["choices"]] == ["set"]
