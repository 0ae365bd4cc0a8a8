"""The dispute cards: what the school, the handler and the officers see, and which buttons each has."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from typing import Any

from cards.disputes.dispute import (
    DISPUTE_ACKNOWLEDGE,
    DISPUTE_DECIDE,
    DISPUTE_ESCALATE,
    DISPUTE_OPEN,
    DISPUTE_RAISE,
    FINDING_FIELD,
    FUNDING_FIELD,
    GROUNDS_FIELD,
    NOT_ABOUT_A_PUPIL,
    REASONS_FIELD,
    handler_card,
    raise_form_card,
    school_card,
)
from cards.disputes.open_list import open_disputes_card
from cards.outcomes.telling import school_outcome_card
from communities.disputes.tables import DisputeStatus, EventKind, Finding, Grounds, Stage
from communities.disputes.views import DisputeView, EventLine, OpenLine, VersionLine
from tests.cards.outcomes.test_outcome_cards import school_outcome


def view(**changes: Any) -> DisputeView:
    base = DisputeView(
        dispute_id=7,
        version=3,
        outcome_id=4,
        ref="COS-CANT1-26-001",
        school="Westgate Meadow Primary School",
        community_code="CANT1",
        grounds=Grounds.ALLOCATION,
        reasons="The allocation is lower than for similar needs.",
        stage=Stage.CHAIR,
        status=DisputeStatus.AWAITING_ACKNOWLEDGEMENT,
        finding=None,
        acknowledge_by=date(2026, 12, 21),
        decide_by=date(2027, 1, 14),
        escalate_by=None,
        raised_on=date(2026, 12, 14),
        age_days=2,
        stage_age_days=2,
        decision="Funding agreed",
        funding="£1,500",
        events=(EventLine(Stage.CHAIR, EventKind.RAISED, None, "…", "Daniel Okafor", date(2026, 12, 14)),),
        history=(),
    )
    return replace(base, **changes)


DECIDED = view(
    status=DisputeStatus.DECIDED,
    finding=Finding.NOT_UPHELD,
    escalate_by=date(2027, 1, 4),
    events=(
        EventLine(Stage.CHAIR, EventKind.RAISED, None, "…", "Daniel Okafor", date(2026, 12, 14)),
        EventLine(
            Stage.CHAIR, EventKind.DECIDED, Finding.NOT_UPHELD, "Usual rates.", "Grace Li", date(2026, 12, 16)
        ),
    ),
)
VARIED = view(
    stage=Stage.AREA_BOARD,
    status=DisputeStatus.CLOSED,
    finding=Finding.VARIED,
    funding="£2,250",
    history=(VersionLine(2, "Funding agreed", "£1,500", "Dispute varied at stage 3", date(2027, 1, 6)),),
)
LINE = OpenLine(
    7,
    "COS-CANT1-26-001",
    "Westgate Meadow Primary School",
    "CANT1",
    Stage.OFFICERS,
    DisputeStatus.AWAITING_ACKNOWLEDGEMENT,
    8,
    "Acknowledge by",
    date(2026, 12, 24),
    True,
)


def dumps(card: dict[str, Any]) -> str:
    return json.dumps(card, ensure_ascii=False)


def buttons(card: dict[str, Any]) -> list[str]:
    found = [a["data"]["action"] for a in card.get("actions", [])]
    for element in card["body"]:
        for inner in element.get("items", []):
            found += [a["data"]["action"] for a in inner.get("actions", [])]
    return found


def inputs(card: dict[str, Any]) -> list[str]:
    return [e["id"] for e in card["body"] if "id" in e]


def test_the_school_outcome_card_offers_a_dispute() -> None:
    card = school_outcome_card(school_outcome())
    [button] = card["actions"]
    assert (button["title"], button["data"]) == (
        "Dispute this outcome",
        {"action": "dispute_start", "ref": "COS-CANT1-26-001"},
    )


def test_the_form_asks_for_grounds_and_reasons_and_warns_when_asked() -> None:
    card = raise_form_card("COS-CANT1-26-001", "Wednesday 13 January 2027")
    assert inputs(card) == [GROUNDS_FIELD, REASONS_FIELD]
    assert "until Wednesday 13 January 2027" in dumps(card)
    assert [c["title"] for c in card["body"][2]["choices"]] == [
        "The outcome itself",
        "The fairness of the allocation",
        "The process followed",
        "Someone's conduct",
    ]
    assert buttons(card) == [DISPUTE_RAISE]
    warned = raise_form_card("COS-CANT1-26-001", "x", reasons="Jack Smith", warning="It may name a child.")
    assert NOT_ABOUT_A_PUPIL in inputs(warned) and "Jack Smith" in dumps(warned)


def test_the_handler_acknowledges_then_decides() -> None:
    waiting = handler_card(view())
    assert buttons(waiting) == [DISPUTE_ACKNOWLEDGE]
    assert waiting["actions"][0]["data"] == {"action": DISPUTE_ACKNOWLEDGE, "dispute_id": 7, "version": 3}
    assert "Monday 21 December 2026" in dumps(waiting)
    deciding = handler_card(view(status=DisputeStatus.ACKNOWLEDGED))
    assert buttons(deciding) == [DISPUTE_DECIDE]
    assert {FINDING_FIELD, REASONS_FIELD, FUNDING_FIELD} <= set(inputs(deciding))
    assert "Thursday 14 January 2027" in dumps(deciding)
    assert buttons(handler_card(view(), read_only=True)) == []


def test_the_school_may_escalate_a_decision_until_its_deadline() -> None:
    card = school_card(DECIDED)
    assert buttons(card) == [DISPUTE_ESCALATE]
    assert card["actions"][0]["title"] == "Escalate to stage 2"
    text = dumps(card)
    assert "until Monday 4 January 2027" in text and "Usual rates." in text
    assert buttons(school_card(view())) == []


def test_a_varied_outcome_shows_its_earlier_version() -> None:
    text = dumps(school_card(VARIED))
    assert "£2,250" in text and "Version 2: Funding agreed; funding £1,500" in text
    assert buttons(school_card(VARIED)) == []


def test_the_officers_list_shows_stage_age_and_deadline() -> None:
    card = open_disputes_card([LINE])
    text = dumps(card)
    assert "8 school days" in text and "Thursday 24 December 2026 (missed)" in text
    assert buttons(card) == [DISPUTE_OPEN]
    assert "There are no open disputes." in dumps(open_disputes_card([]))


def demo() -> dict[str, list[dict[str, Any]]]:
    """Every dispute card builder with data showing all its buttons (for tests/dialogs/test_routing.py)."""
    return {
        "disputes.dispute.raise_form_card": [
            raise_form_card("COS-CANT1-26-001", "Wednesday 13 January 2027")
        ],
        "disputes.dispute.handler_card": [
            handler_card(view()),
            handler_card(view(status=DisputeStatus.ACKNOWLEDGED)),
            handler_card(view(), read_only=True),
        ],
        "disputes.dispute.school_card": [school_card(DECIDED), school_card(VARIED)],
        "disputes.open_list.open_disputes_card": [open_disputes_card([LINE]), open_disputes_card([])],
    }
