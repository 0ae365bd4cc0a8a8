"""The outcome cards: the chair's recording (in place), the school's outcome, the channel's summary."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from cards.meetings.timeline import MeetingSummary
from cards.outcomes import item as item_cards
from cards.outcomes import recording as recording_cards
from cards.outcomes import review as review_cards
from cards.outcomes import telling as telling_cards
from cards.outcomes.inputs import KEEP_WORDING, OUTCOME_SAVE
from communities.declarations.conflict_rules import Ruling
from communities.meetings.rsvp import QuorumRule, RsvpTally
from communities.outcomes.attendance import AttendanceLine
from communities.outcomes.decisions import ConflictRuling, OutcomeDecision
from communities.outcomes.recording import Recording
from communities.outcomes.reviews import ReviewItem
from communities.outcomes.tables import AttendanceStatus, OutcomeStatus
from communities.outcomes.telling import (
    ActionLine,
    ChannelLine,
    ChannelSummary,
    OfferLine,
    SchoolOutcome,
    SchoolTold,
    Telling,
    parents_line,
)
from communities.outcomes.views import FlaggedView, ItemView, OutcomeView
from tests.support.activities import submit_data

SUMMARY = MeetingSummary(
    "CANT1", "Canterbury City Community", "Thursday 10 December 2026, 16:00–17:30", "Online", None, "", ""
)
WHEN = "Thursday 10 December 2026, 16:00–17:30"


def outcome(status: OutcomeStatus = OutcomeStatus.DRAFT, **changes: Any) -> OutcomeView:
    values: dict[str, Any] = {
        "outcome_id": 5,
        "status": status,
        "decision": OutcomeDecision.FUNDING_AGREED,
        "what_is_working": "The calm space works.",
        "ideas_and_offers": (),
        "actions": (),
        "funding_pence": 150050,
        "funding_from": date(2027, 1, 4),
        "funding_to": date(2027, 3, 31),
        "rationale": "A clear plan.",
        "review_date": date(2027, 3, 30),
        "version": 2,
    }
    return OutcomeView(**(values | changes))


def item(shown: OutcomeView | None = None, *, flagged: bool = True, request_id: int = 11) -> ItemView:
    members = (
        (
            FlaggedView(
                2, "Daniel Okafor", ("Westgate Meadow Primary is their school",), Ruling.WITHDRAW, None
            ),
        )
        if flagged
        else ()
    )
    return ItemView(
        request_id, "COS-CANT1-26-001", "Westgate Meadow Primary", "One pupil", True, members, shown
    )


def recording(*items: ItemView) -> Recording:
    return Recording(7, "CANT1", "Canterbury City Community", WHEN, items)


def tally(**changes: Any) -> RsvpTally:
    values: dict[str, Any] = {
        "meeting_id": 7,
        "attending": 3,
        "apologies": 1,
        "colleague": 1,
        "schools_total": 4,
        "schools_represented": 3,
        "chair_or_vice_attending": True,
        "rule": QuorumRule(),
    }
    return RsvpTally(**(values | changes))


def lines() -> list[AttendanceLine]:
    return [
        AttendanceLine(2, "Daniel Okafor", AttendanceStatus.PRESENT, False, True, frozenset({1})),
        AttendanceLine(4, "Hannah Reid", AttendanceStatus.APOLOGIES, True, False, frozenset({1})),
    ]


def review() -> ReviewItem:
    return ReviewItem(21, "COS-CANT1-26-000", "St Dunstan's", date(2026, 12, 1))


def school_outcome(decision: OutcomeDecision = OutcomeDecision.FUNDING_AGREED) -> SchoolOutcome:
    return SchoolOutcome(
        ref="COS-CANT1-26-001",
        school="Westgate Meadow Primary",
        community="Canterbury City Community (CANT1)",
        meeting_when=WHEN,
        decision=decision,
        what_is_working="The calm space works.",
        offers=(OfferLine("St Dunstan's", "Outreach from their nurture lead"),),
        actions=(ActionLine("Share the plan template", "St Dunstan's", "Friday 15 January 2027"),),
        funding="£1,500.50" if decision.may_fund else None,
        funding_period="Monday 4 January 2027 to Wednesday 31 March 2027" if decision.may_fund else None,
        rationale="A clear plan.",
        review_date="Tuesday 30 March 2027" if decision.in_delivery else None,
        parents_line=parents_line(decision, date(2027, 3, 30)),
    )


def channel_summary() -> ChannelSummary:
    return ChannelSummary(
        "Canterbury City Community",
        "CANT1",
        WHEN,
        (
            ChannelLine("COS-CANT1-26-001", "Westgate Meadow Primary", "Funding agreed", "£1,500.50"),
            ChannelLine("COS-CANT1-26-002", "St Dunstan's", OutcomeDecision.RECOMMEND_EHCNA.label, None),
        ),
    )


def telling() -> Telling:
    return Telling(
        (
            SchoolTold("COS-CANT1-26-001", "Westgate Meadow Primary", ("Hannah Reid", "Daniel Okafor"), ()),
            SchoolTold("COS-CANT1-26-002", "St Dunstan's", (), ("Grace Li",)),
        ),
        ("Sam Carter",),
        True,
    )


def demo() -> dict[str, list[Any]]:
    """Every outcome card builder with data showing all its buttons (for tests/dialogs/test_routing.py)."""
    draft = item(outcome())
    return {
        "outcomes.recording.outcomes_due_card": [
            recording_cards.outcomes_due_card(
                SUMMARY, 7, [recording_cards.RequestLine("R", "S")], [recording_cards.RequestLine("Q", "T")]
            )
        ],
        "outcomes.recording.outcomes_card": [
            recording_cards.outcomes_card(recording(item(), draft), tally(), [review()], "Attendance saved."),
            recording_cards.outcomes_card(recording(draft), tally(chair_or_vice_attending=False), []),
            recording_cards.outcomes_card(recording(item(outcome(OutcomeStatus.CONFIRMED))), tally(), []),
        ],
        "outcomes.recording.attendance_card": [
            recording_cards.attendance_card(recording(draft), lines(), tally())
        ],
        "outcomes.recording.confirm_card": [
            recording_cards.confirm_card(recording(draft), tally()),
            recording_cards.confirm_card(recording(draft), tally(schools_represented=1)),
        ],
        "outcomes.recording.confirmed_card": [
            recording_cards.confirmed_card("CANT1", WHEN, telling()),
            recording_cards.confirmed_card("CANT1", WHEN, None),
        ],
        "outcomes.item.item_card": [
            item_cards.item_card(7, item(), {}, members={2: "Daniel Okafor"}, schools={}),
            item_cards.item_card(
                7,
                draft,
                {"decision": "funding_agreed", "offer_school_1": "990102", "ruling_2": "took_no_part"},
                members={2: "Daniel Okafor"},
                schools={"990102": "St Dunstan's"},
                problems={"rationale": "Say why.", "actions": "Action 1 needs a date."},
                warning="“Jack” looks like a name.",
            ),
            item_cards.item_card(
                7, draft, {}, members={}, schools={}, refusal="You are flagged for a conflict."
            ),
        ],
        "outcomes.review.review_card": [
            review_cards.review_card(7, review(), {}),
            review_cards.review_card(
                7, review(), {"note": "Jack did well"}, said="", warning="Looks like a name."
            ),
        ],
        "outcomes.telling.school_outcome_card": [
            telling_cards.school_outcome_card(school_outcome(d)) for d in OutcomeDecision
        ],
        "outcomes.telling.outcomes_channel_card": [telling_cards.outcomes_channel_card(channel_summary())],
    }


def flat(card: Any) -> str:
    return json.dumps(card, ensure_ascii=False)


def inputs(card: Any) -> dict[str, Any]:
    found: dict[str, Any] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if str(node.get("type", "")).startswith("Input."):
                found[node["id"]] = node
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card)
    return found


def test_the_item_card_asks_everything_and_keeps_what_was_typed() -> None:
    card = item_cards.item_card(
        7,
        item(outcome()),
        {
            "decision": "funding_agreed",
            "funding": "1,500.50",
            "offer_school_1": "990102",
            "ruling_2": "took_no_part",
        },
        members={2: "Daniel Okafor", 4: "Hannah Reid"},
        schools={"990102": "St Dunstan's"},
        problems={"funding_period": "Give the period the funding covers: the first and the last day."},
    )
    found = inputs(card)
    assert {"decision", "what_is_working", "offer_school_1", "offer_1", "action_1", "action_school_1"} <= set(
        found
    )
    assert {"action_person_1", "action_due_3", "funding", "funding_from", "funding_to", "rationale"} <= set(
        found
    )
    assert {"review_date", "ruling_2"} <= set(found)
    assert found["decision"]["value"] == "funding_agreed" and found["funding"]["value"] == "1,500.50"
    assert found["offer_school_1"]["choices"] == [{"title": "St Dunstan's (URN 990102)", "value": "990102"}]
    assert found["ruling_2"]["value"] == "took_no_part"
    assert [c["title"] for c in found["decision"]["choices"]] == [d.label for d in OutcomeDecision]
    assert [c["title"] for c in found["ruling_2"]["choices"]] == [r.label for r in ConflictRuling]
    assert "Give the period the funding covers" in flat(card)
    [save, _] = card["actions"]
    assert save["data"] == {"action": OUTCOME_SAVE, "meeting_id": 7, "request_id": 11, "version": 2}


def test_an_identifying_warning_offers_to_keep_the_wording() -> None:
    card = item_cards.item_card(7, item(), {}, members={}, schools={}, warning="“Jack” looks like a name.")
    kept = [d for d in submit_data(card) if d.get(KEEP_WORDING)]
    assert kept == [{"action": OUTCOME_SAVE, "meeting_id": 7, "request_id": 11, KEEP_WORDING: True}]


def test_someone_kept_out_sees_why_and_nothing_to_type() -> None:
    card = item_cards.item_card(7, item(), {}, members={}, schools={}, refusal="Only the vice chair can.")
    assert inputs(card) == {} and "Only the vice chair can." in flat(card)
    assert [d["action"] for d in submit_data(card)] == ["outcomes_open"]


def test_the_outcomes_card_offers_confirm_only_when_every_item_is_recorded() -> None:
    assert "outcomes_confirm" not in flat(recording_cards.outcomes_card(recording(item()), tally(), []))
    done = recording_cards.outcomes_card(recording(item(outcome())), tally(), [review()])
    assert [d["action"] for d in submit_data(done)].count("outcomes_confirm") == 1
    assert "Quorum: met" in flat(done) and "COS-CANT1-26-000" in flat(done)
    not_quorate = recording_cards.outcomes_card(recording(item()), tally(chair_or_vice_attending=False), [])
    assert "Quorum: not met: it needs the chair or vice chair and 2 of 4 schools" in flat(not_quorate)


def test_attendance_starts_from_the_answers() -> None:
    found = inputs(recording_cards.attendance_card(recording(), lines(), tally()))
    assert found["attendance_2"]["value"] == "present" and found["attendance_4"]["value"] == "colleague"


def test_the_result_names_who_was_told_and_is_read_only() -> None:
    card = recording_cards.confirmed_card("CANT1", WHEN, telling())
    assert list(submit_data(card)) == []
    shown = flat(card)
    assert "told Hannah Reid and Daniel Okafor" in shown and "Not reached (1 person" in shown
    assert "Sam Carter" in shown and "The community's channel has a summary" in shown


def test_the_school_reads_the_decision_offers_actions_funding_review_and_a_line_for_parents() -> None:
    shown = flat(telling_cards.school_outcome_card(school_outcome()))
    for expected in (
        "Funding agreed",
        "£1,500.50",
        "Outreach from their nurture lead",
        "Share the plan template",
    ):
        assert expected in shown
    assert "Tuesday 30 March 2027" in shown and "not Kent's" in shown and "your child" in shown


def test_the_channel_summary_carries_reference_school_decision_and_amount_only() -> None:
    card = telling_cards.outcomes_channel_card(channel_summary())
    facts = [
        f["title"]
        for node in card["body"]
        for e in node.get("items", [])
        if e["type"] == "FactSet"
        for f in e["facts"]
    ]
    assert set(facts) == {"School", "Decision", "Funding agreed"}
    assert list(submit_data(card)) == []
