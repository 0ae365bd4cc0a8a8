"""Withdrawing: the confirmation asks first; what came of it replaces it, read-only."""

from __future__ import annotations

import json

from cards.requests.detail import withdraw_confirm_card, withdraw_outcome_card
from tests.cards.test_agenda_cards import submits


def test_the_confirmation_asks_and_the_outcome_has_nothing_to_press() -> None:
    asked = withdraw_confirm_card("COS-CANT1-26-001", 3, draft=False)
    assert [b["title"] for b in submits(asked)] == ["Yes, withdraw", "Keep it"]
    done = withdraw_outcome_card("Request COS-CANT1-26-001 withdrawn", "I've told Daniel Okafor.")
    said = json.dumps(done)
    assert "Request COS-CANT1-26-001 withdrawn" in said and "I've told Daniel Okafor." in said
    assert "Action.Submit" not in said and "ActionSet" not in said
