"""The meeting-reminder card: when and where, the RSVP buttons, counts and quorum, and no names."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from cards.meetings.rsvp import RSVP, day_label, meeting_reminder_card, quorum_text
from communities.meetings.rsvp import QuorumRule, ReminderFacts, RsvpTally
from communities.meetings.tables import MeetingStatus

JOIN = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc%40thread.v2/0"


def facts(**changes: Any) -> ReminderFacts:
    values: dict[str, Any] = {
        "meeting_id": 42,
        "community_code": "CANT1",
        "community_name": "Canterbury City Community",
        "starts_at": datetime(2027, 1, 19, 16, 0, tzinfo=UTC),
        "when": "Tuesday 19 January 2027, 16:00–17:30",
        "where": "Online (Teams)",
        "join_url": JOIN,
        "status": MeetingStatus.SCHEDULED,
        "sequence": 1,
    }
    return ReminderFacts(**(values | changes))


def tally(**changes: Any) -> RsvpTally:
    values: dict[str, Any] = {
        "meeting_id": 42,
        "attending": 3,
        "apologies": 2,
        "colleague": 1,
        "schools_total": 9,
        "schools_represented": 3,
        "chair_or_vice_attending": False,
        "rule": QuorumRule(),
        "unrepresented": ("Harbledown Park Academy", "Wincheap Infant School"),
    }
    return RsvpTally(**(values | changes))


def flat(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def facts_of(card: dict[str, Any]) -> dict[str, str]:
    return {f["title"]: f["value"] for e in card["body"] if e["type"] == "FactSet" for f in e["facts"]}


def test_the_card_has_the_time_the_link_the_buttons_and_the_counts() -> None:
    card = meeting_reminder_card(facts(), tally(), "Tomorrow")
    assert card["body"][0]["text"] == "Tomorrow: Canterbury City Community (CANT1) meeting"
    shown = facts_of(card)
    assert shown["When"] == "Tuesday 19 January 2027, 16:00–17:30" and shown["Where"] == "Online (Teams)"
    assert (shown["Attending"], shown["Apologies"], shown["Sending a colleague"]) == ("3", "2", "1")
    assert shown["Schools represented"] == "3 of 9"
    [join] = [a for e in card["body"] if e["type"] == "ActionSet" for a in e["actions"]]
    assert join == {"type": "Action.OpenUrl", "title": "Join on Teams", "url": JOIN}
    expected = [
        ("Attending", {"action": RSVP, "meeting_id": 42, "answer": "attending"}),
        ("Apologies", {"action": RSVP, "meeting_id": 42, "answer": "apologies"}),
        ("Sending a colleague", {"action": RSVP, "meeting_id": 42, "answer": "colleague"}),
    ]
    # Universal Actions: Action.Execute with the verb, and the old Action.Submit as its fallback.
    assert [(a["type"], a["verb"], a["title"], a["data"]) for a in card["actions"]] == [
        ("Action.Execute", RSVP, title, data) for title, data in expected
    ]
    assert [
        (a["fallback"]["type"], a["fallback"]["title"], a["fallback"]["data"]) for a in card["actions"]
    ] == [("Action.Submit", title, data) for title, data in expected]
    assert "Quorum: not met yet: needs the chair or vice chair and 5 of 9 schools" in flat(card)


def test_a_meeting_in_a_room_shows_the_place_and_no_link() -> None:
    card = meeting_reminder_card(
        facts(join_url=None, where="Westgate Meadow Primary School"), tally(), "Today"
    )
    assert card["body"][0]["text"].startswith("Today: ")
    assert facts_of(card)["Where"] == "Westgate Meadow Primary School"
    assert "Action.OpenUrl" not in flat(card)


def test_quorum_met_and_what_is_missing() -> None:
    met = tally(chair_or_vice_attending=True, schools_represented=5)
    assert quorum_text(met) == "Quorum: met"
    assert "Quorum: met" in flat(meeting_reminder_card(facts(), met, "Tomorrow"))
    chair_only = tally(chair_or_vice_attending=False, schools_represented=9)
    assert quorum_text(chair_only) == "Quorum: not met yet: needs the chair or vice chair and 5 of 9 schools"
    no_chair_rule = tally(rule=QuorumRule(chair_or_vice_required=False), schools_represented=4)
    assert quorum_text(no_chair_rule) == "Quorum: not met yet: needs 5 of 9 schools"


def test_a_cancelled_meeting_has_no_buttons() -> None:
    card = meeting_reminder_card(facts(status=MeetingStatus.CANCELLED), tally(), "Tomorrow")
    assert card["body"][0]["text"].startswith("Cancelled: ")
    assert "actions" not in card and "Action.Submit" not in flat(card) and "Action.Execute" not in flat(card)
    assert "refresh" not in card


def test_the_channel_card_names_nobody_and_lists_no_schools() -> None:
    text = flat(meeting_reminder_card(facts(), tally(), "Tomorrow"))
    # Nothing the card is given names a person; the schools not yet represented are for the chair's DM.
    assert "Harbledown" not in text and "Wincheap" not in text
    assert len(text.encode()) < 28 * 1024


def test_day_labels_follow_london_dates() -> None:
    starts = datetime(2027, 6, 15, 15, 0, tzinfo=UTC)  # 16:00 BST on Tuesday 15 June
    assert day_label(starts, datetime(2027, 6, 15, 7, 0, tzinfo=UTC)) == "Today"
    assert day_label(starts, datetime(2027, 6, 14, 8, 0, tzinfo=UTC)) == "Tomorrow"
    # 23:30 UTC on the 13th is already 00:30 on the 14th in London: the meeting is tomorrow.
    assert day_label(starts, datetime(2027, 6, 13, 23, 30, tzinfo=UTC)) == "Tomorrow"
    assert day_label(starts, datetime(2027, 6, 12, 9, 0, tzinfo=UTC)) == "On Tuesday 15 June"
