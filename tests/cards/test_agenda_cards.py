"""The agenda cards: what the chair sees, what the channel sees, and the size limit."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any

from cards.agenda_cards import (
    AGENDA_ADD_AOB,
    AGENDA_DEFER,
    AGENDA_MOVE_DOWN,
    AGENDA_MOVE_UP,
    AGENDA_PUBLISH,
    AGENDA_REMOVE_AOB,
    AOB_INPUT,
    MAX_CARD_BYTES,
    card_bytes,
    chair_agenda_card,
    chair_agenda_cards,
    channel_agenda_cards,
)
from communities.agendas.changes import AgendaView
from communities.agendas.items import FlaggedLine, RequestItem
from communities.agendas.tables import AgendaStatus
from communities.budget.since import BudgetSince
from communities.declarations.conflict_rules import Ruling

LONG_SCHOOL = "The Very Long Named Church of England Voluntary Aided Primary School and Nursery " * 2


def item(n: int, school: str = "Westgate Meadow Primary School", flagged: bool = True) -> RequestItem:
    return RequestItem(
        request_id=100 + n,
        ref=f"COS-CANT1-26-{n:03d}",
        school=school.strip(),
        kind="One pupil",
        support=("Advice", "Funding"),
        urgent=n == 1,
        flagged=(
            (
                FlaggedLine(
                    "Hannah Reid", ("Westgate Meadow Primary School is their school",), Ruling.WITHDRAW
                ),
                FlaggedLine(
                    "Daniel Okafor",
                    ("Westgate Meadow Primary School is their school",),
                    Ruling.MAY_PRESENT_NOT_DECIDE,
                ),
            )
            if flagged
            else ()
        ),
    )


#: No budget is set for the meeting's year (see tests/cards/test_agenda_finance.py for money shown).
NO_BUDGET = BudgetSince("2026-27", None, ())


def agenda(
    items: tuple[RequestItem, ...], aob: tuple[str, ...] = ("Transport",), budget: BudgetSince = NO_BUDGET
) -> AgendaView:
    return AgendaView(
        agenda_id=1,
        meeting_id=7,
        community_code="CANT1",
        community_name="Canterbury City Community",
        when="Wednesday 20 January 2027, 16:00–17:30",
        where="Online (Teams)",
        join_url="https://teams.example/join/1",
        chair="Daniel Okafor",
        publish_by="Friday 15 January 2027, 16:00",
        status=AgendaStatus.DRAFT,
        version=4,
        published_at=None,
        unpublished_changes=False,
        previous_meeting="Wednesday 11 November 2026, 16:00",
        budget=budget,
        items=items,
        reviews=(),
        aob=aob,
        next_meeting="Tuesday 30 March 2027, 16:00–17:30, Online (Teams)",
    )


def texts(card: dict[str, Any]) -> str:
    return json.dumps(card)


def submits(card: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "Action.Submit":
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card)
    return found


def test_a_short_agenda_is_one_channel_card_with_every_section() -> None:
    cards = channel_agenda_cards(agenda((item(1), item(2, flagged=False))))
    assert len(cards) == 1
    body = texts(cards[0])
    assert "Agenda: Canterbury City Community (CANT1)" in body and "part 1" not in body
    for number, title in enumerate(
        [
            "Welcome and apologies",
            "Declarations of interest",
            "Notes and actions of the previous meeting",
            "Finance: the community budget position",
            "Requests from schools",
            "Reviews of earlier outcomes",
            "Any other business",
            "Date of the next meeting",
        ],
        start=1,
    ):
        assert f"{number}. {title}" in body
    assert "No budget is set for 2026-27 yet." in body and "No reviews due." in body
    assert "7.1 Transport" in body and "Tuesday 30 March 2027" in body
    assert "**5.1 COS-CANT1-26-001**" in body and "Advice, Funding" in body
    assert (
        '"Declarations expected", "value": "Yes"' in body and '"Declarations expected", "value": "No"' in body
    )
    assert "Declarations are expected on 1 of the 2 request items" in body
    # The channel never names flagged members, urgency, or offers the chair's buttons.
    assert "Hannah Reid" not in body and "ruling" not in body.lower()
    assert "urgent" not in body.lower()
    # Its only buttons are the RSVP ones (Action.Execute, with Action.Submit fallbacks): none of the chair's.
    assert {b["data"]["action"] for b in submits(cards[0])} == {"rsvp"}


def test_a_long_agenda_is_split_into_parts_under_the_limit_and_nothing_is_lost() -> None:
    items = tuple(item(n, school=f"{LONG_SCHOOL} {n}") for n in range(1, 61))
    aob = tuple(f"Item of other business number {n} about shared training" for n in range(1, 16))
    view = agenda(items, aob)

    cards = channel_agenda_cards(view)
    assert len(cards) >= 2
    assert all(card_bytes(c) < MAX_CARD_BYTES for c in cards)
    parts = len(cards)
    for number, card in enumerate(cards, start=1):
        assert f"Agenda (part {number} of {parts}): Canterbury City Community (CANT1)" in texts(card)
    everything = "".join(texts(c) for c in cards)
    refs = re.findall(r"\*\*5\.(\d+) (COS-CANT1-26-\d{3})\*\*", everything)
    assert [int(n) for n, _ in refs] == list(range(1, 61))
    assert [ref for _, ref in refs] == [i.ref for i in items]
    assert all(f"{i.school}" in everything for i in items)
    assert all(f"7.{n} Item of other business number {n} about" in everything for n in range(1, 16))
    assert "5. Requests from schools (continued)" in texts(cards[1])
    assert "8. Date of the next meeting" in texts(cards[-1])
    note = "pupil details are never posted in the channel"
    assert note in texts(cards[-1]) and not any(note in texts(c) for c in cards[:-1])


def test_the_chair_copy_names_flagged_members_with_the_default_ruling_and_has_every_button() -> None:
    view = agenda((item(1), item(2), item(3, flagged=False)), aob=("Transport", "Shared CPD"))
    card = chair_agenda_card(view)
    body = texts(card)
    assert (
        "**Hannah Reid**: Westgate Meadow Primary School is their school. Default ruling: withdraws" in body
    )
    assert "**Daniel Okafor**" in body and "may present and answer questions" in body
    assert "(urgent)" in body and "Draft: not posted yet" in body
    buttons = [(b["title"], b["data"]) for b in submits(card)]
    by_title: dict[str, list[dict[str, Any]]] = {}
    for title, data in buttons:
        by_title.setdefault(title, []).append(data)
    assert [d["request_id"] for d in by_title["Up"]] == [102, 103]
    assert [d["request_id"] for d in by_title["Down"]] == [101, 102]
    assert [d["request_id"] for d in by_title["Defer"]] == [101, 102, 103]
    assert {d["action"] for t in ("Up", "Down", "Defer") for d in by_title[t]} == {
        AGENDA_MOVE_UP,
        AGENDA_MOVE_DOWN,
        AGENDA_DEFER,
    }
    assert [d["aob_index"] for d in by_title["Remove"]] == [0, 1]
    assert by_title["Remove"][0]["action"] == AGENDA_REMOVE_AOB
    assert by_title["Add AOB"][0]["action"] == AGENDA_ADD_AOB
    assert by_title["Publish"] == [{"action": AGENDA_PUBLISH, "meeting_id": 7, "version": 4}]
    assert all(data["meeting_id"] == 7 and data["version"] == 4 for _, data in buttons)
    assert f'"id": "{AOB_INPUT}"' in body
    # Only Add AOB sends the text box (a required-looking empty box never blocks Up or Publish).
    inputs = {b["title"]: b["associatedInputs"] for b in submits(card)}
    assert inputs["Add AOB"] == "auto" and inputs["Up"] == inputs["Publish"] == "none"

    published = chair_agenda_card(replace(view, status=AgendaStatus.PUBLISHED, unpublished_changes=True))
    assert [b["title"] for b in submits(published)][-1] == "Republish"
    assert "Republish to update the channel's card in place" in texts(published)


def test_a_long_chair_copy_is_split_too_with_publish_on_the_last_part() -> None:
    view = agenda(tuple(item(n, school=f"{LONG_SCHOOL} {n}") for n in range(1, 61)))
    assert card_bytes(chair_agenda_card(view)) > MAX_CARD_BYTES
    cards = chair_agenda_cards(view)
    assert len(cards) >= 3 and all(card_bytes(c) < MAX_CARD_BYTES for c in cards)
    assert [len([b for b in submits(c) if b["title"] == "Publish"]) for c in cards] == [0] * (
        len(cards) - 1
    ) + [1]
    defer = [b["data"]["request_id"] for c in cards for b in submits(c) if b["title"] == "Defer"]
    assert defer == [100 + n for n in range(1, 61)]
    assert len(chair_agenda_cards(agenda((item(1),)))) == 1
