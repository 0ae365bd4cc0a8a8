from __future__ import annotations

import json
from dataclasses import replace

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
        ("request_open", 1),  # a school can read any of its requests in full
        ("request_withdraw", 1),
        ("request_continue", 1),
        ("request_open", 2),
        ("request_withdraw", 2),
        ("request_continue", 2),
        ("request_open", 3),
        ("request_withdraw", 3),
        ("request_open", 4),
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


def test_a_line_identifies_the_request_by_the_schools_reference_its_dates_and_meeting() -> None:
    identified = replace(
        line(5, RequestStatus.SUBMITTED),
        pupil_ref="WM-2026-07",
        submitted="3 March 2027",
        meeting="Tuesday 16 March 2027, 16:00",
        deadline="Tuesday 2 March 2027, 16:00",
    )
    facts = {
        fact["title"]: fact["value"]
        for element in queue_card("CANT1", [identified])["body"]
        if element["type"] == "FactSet"
        for fact in element["facts"]
    }
    assert facts == {
        "School's reference": "WM-2026-07",
        "Submitted": "3 March 2027",
        "Meeting": "Tuesday 16 March 2027, 16:00",
        "Requests close": "Tuesday 2 March 2027, 16:00",
    }
    decided = replace(identified, status=RequestStatus.ACCEPTED, decided="Accepted on 5 March 2027")
    shown = json.dumps(my_requests_card([decided]))
    assert "Accepted on 5 March 2027" in shown and "Requests close" not in shown
