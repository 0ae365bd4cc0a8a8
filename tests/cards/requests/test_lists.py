from __future__ import annotations

import json

from cards.requests.lists import my_requests_card, queue_card
from communities.requests.lifecycle import RequestAction, RequestStatus, actions_from, next_step
from communities.requests.views import RequestLine


def line(
    request_id: int, status: RequestStatus, *, urgent: bool = False, note: str | None = None
) -> RequestLine:
    return RequestLine(
        request_id=request_id,
        ref=f"COS-CANT1-26-{request_id:03d}",
        school="Westgate Meadow Primary School",
        kind="One pupil",
        status=status,
        urgent=urgent,
        next_step=next_step(status),
        actions=tuple(actions_from(status)),
        return_note=note,
    )


def buttons(card: dict) -> list[tuple[str, int]]:
    found = []
    for element in card["body"]:
        for action in element.get("actions", []):
            found.append((action["data"]["action"], action["data"]["request_id"]))
    return found


def test_my_requests_offers_what_each_status_allows() -> None:
    card = my_requests_card(
        [
            line(1, RequestStatus.DRAFT),
            line(2, RequestStatus.RETURNED_FOR_INFO, note="Add the EP's advice."),
            line(3, RequestStatus.ACCEPTED),
            line(4, RequestStatus.WITHDRAWN),
        ]
    )
    assert buttons(card) == [
        ("request_withdraw", 1),
        ("request_continue", 1),
        ("request_withdraw", 2),
        ("request_continue", 2),
        ("request_withdraw", 3),
    ]
    flat = json.dumps(card)
    assert "Chair's note: Add the EP's advice." in flat and "Returned for information" in flat


def test_an_empty_list_says_how_to_start() -> None:
    assert "Raise a request" in json.dumps(my_requests_card([]))


def test_the_queue_opens_each_request_and_marks_urgent_ones() -> None:
    card = queue_card("Canterbury City Community (CANT1)", [line(7, RequestStatus.SUBMITTED, urgent=True)])
    assert buttons(card) == [("request_open", 7)]
    assert "COS-CANT1-26-007 · URGENT" in json.dumps(card, ensure_ascii=False)
    assert RequestAction.ACCEPT in line(7, RequestStatus.SUBMITTED).actions
