"""A request whose answers the retention policy removed: its card and its line in the lists say so
where the answers were, keep the reference, type, main area of need and amount, and nothing breaks
on what is left of its answers (even nothing at all)."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from cards.requests.detail import request_detail_card
from cards.requests.lists import my_requests_card, queue_card
from communities.requests.lifecycle import RequestStatus
from communities.retention.words import DETAIL_REMOVED
from tests.cards.requests.test_detail import line
from tests.support.requests import COMPLETE

KEPT = {"request_type": "one_pupil", "primary_need": "semh", "support": ["advice"], "funding_pounds": 1500}
REMOVED = replace(line(RequestStatus.CLOSED), actions=(), detail_removed=True)


@pytest.mark.parametrize("details", [KEPT, {}])
def test_the_card_says_the_detail_was_removed_where_the_answers_were(details: dict[str, object]) -> None:
    shown = json.dumps(request_detail_card(REMOVED, details, [], can_triage=True), ensure_ascii=False)
    assert "COS-CANT1-26-001" in shown and "Closed" in shown and "One pupil" in shown
    assert f"Answers: {DETAIL_REMOVED}" in shown
    assert "About the pupil" not in shown and "Not answered yet" not in shown
    assert ("Social, emotional and mental health" in shown) == bool(details)
    assert ("£1,500" in shown) == bool(details) and ("Advice" in shown) == bool(details)
    assert "request_accept" not in shown


def test_a_card_of_a_request_not_purged_shows_its_answers() -> None:
    shown = json.dumps(request_detail_card(line(RequestStatus.CLOSED), COMPLETE, [], can_triage=False))
    assert DETAIL_REMOVED not in shown and "WM-2026-07" in shown


def test_the_lists_say_so_too() -> None:
    for card in (my_requests_card([REMOVED]), queue_card("CANT1", [REMOVED])):
        shown = json.dumps(card)
        assert "COS-CANT1-26-001" in shown and DETAIL_REMOVED in shown
    assert DETAIL_REMOVED not in json.dumps(my_requests_card([line(RequestStatus.CLOSED)]))
