"""The request's detail card: the chair's note and the school's answer, highlighted when new; and
withdrawing: the confirmation asks first, and what came of it replaces it, read-only."""

from __future__ import annotations

import json

from cards.requests.detail import request_detail_card, withdraw_confirm_card, withdraw_outcome_card
from communities.requests.lifecycle import RequestAction, RequestStatus
from communities.requests.returns import Exchange
from communities.requests.views import RequestLine
from tests.cards.test_agenda_cards import submits
from tests.support.requests import COMPLETE


def line(status: RequestStatus) -> RequestLine:
    return RequestLine(
        request_id=1,
        ref="COS-CANT1-26-001",
        school="Westgate",
        kind="One pupil",
        status=status,
        urgent=False,
        next_step="",
        actions=(RequestAction.ACCEPT, RequestAction.RETURN_FOR_INFO),
    )


def exchange_block(card: dict[str, object]) -> list[dict[str, object]]:
    return [e for e in card["body"] if isinstance(e, dict) and e.get("type") == "Container"]  # type: ignore[union-attr]


def test_an_answer_new_to_the_chair_is_highlighted_beside_the_note() -> None:
    exchange = Exchange("Please add the EP's advice.", "Added to the needs section.", new=True)
    card = request_detail_card(
        line(RequestStatus.SUBMITTED), COMPLETE, [], can_triage=True, exchange=exchange
    )
    [block] = exchange_block(card)
    assert block["style"] == "accent"
    shown = json.dumps(block)
    assert "New: the school has answered" in shown
    assert "Please add the EP's advice." in shown and "Added to the needs section." in shown


def test_a_note_still_waiting_for_its_answer_is_shown_plainly() -> None:
    exchange = Exchange("Please add the EP's advice.", None, new=False)
    card = request_detail_card(
        line(RequestStatus.RETURNED_FOR_INFO), COMPLETE, [], can_triage=False, exchange=exchange
    )
    [block] = exchange_block(card)
    assert block["style"] == "default" and "Not answered yet." in json.dumps(block)
    assert (
        exchange_block(request_detail_card(line(RequestStatus.SUBMITTED), COMPLETE, [], can_triage=True))
        == []
    )


def test_the_confirmation_asks_and_the_outcome_has_nothing_to_press() -> None:
    asked = withdraw_confirm_card("COS-CANT1-26-001", 3, draft=False)
    assert [b["title"] for b in submits(asked)] == ["Yes, withdraw", "Keep it"]
    done = withdraw_outcome_card("Request COS-CANT1-26-001 withdrawn", "I've told Daniel Okafor.")
    said = json.dumps(done)
    assert "Request COS-CANT1-26-001 withdrawn" in said and "I've told Daniel Okafor." in said
    assert "Action.Submit" not in said and "ActionSet" not in said


def test_a_conflicted_chair_sees_why_and_who_may_act_instead_of_the_triage_buttons() -> None:
    why = "Only someone without a conflict of interest can accept or return R: … Grace Li can do it instead."
    card = request_detail_card(line(RequestStatus.SUBMITTED), COMPLETE, [], can_triage=True, conflicted=why)
    shown = json.dumps(card)
    assert "Grace Li can do it instead" in shown
    assert "request_accept" not in shown and "request_return" not in shown and '"id": "note"' not in shown
    free = json.dumps(request_detail_card(line(RequestStatus.SUBMITTED), COMPLETE, [], can_triage=True))
    assert "request_accept" in free and "request_return" in free
