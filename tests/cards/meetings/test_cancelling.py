"""Cancelling a meeting asks first, saying what will happen and who will be told; the outcome is read-only."""

from __future__ import annotations

import json

from cards.meetings.cancelling import (
    MEETING_CANCEL_CONFIRM,
    MEETING_CANCEL_KEEP,
    cancel_confirm_card,
    cancel_outcome_card,
)
from tests.cards.test_agenda_cards import submits

WHEN = "Tuesday 6 April 2027, 16:00–17:30"


def test_the_confirmation_says_who_is_told_and_only_what_is_true() -> None:
    asked = cancel_confirm_card("CANT1", WHEN, "Snow", 7, in_calendar=True, meetings_card="m1")
    said = json.dumps(asked, ensure_ascii=False)
    assert "Cancel the CANT1 meeting?" in said and WHEN in said and "Snow" in said
    assert "The calendar invitation is cancelled with your reason" in said
    assert "a school leader or SENCO, or a community chair or vice chair in CANT1" in said
    assert "SENCO: special educational needs coordinator." in said
    assert "I post nothing in the community's channel and message nobody about it in Teams" in said
    confirm, keep = submits(asked)
    assert (confirm["title"], confirm["style"]) == ("Yes, cancel the meeting", "destructive")
    assert confirm["data"] == {
        "action": MEETING_CANCEL_CONFIRM,
        "meeting_id": 7,
        "reason": "Snow",
        "meetings_card": "m1",
    }
    assert keep["data"] == {"action": MEETING_CANCEL_KEEP, "meeting_id": 7}


def test_a_meeting_not_in_any_calendar_says_no_cancellation_is_sent() -> None:
    said = json.dumps(cancel_confirm_card("CANT1", WHEN, "Snow", 7, in_calendar=False, meetings_card=None))
    assert "not in anyone's calendar yet, so no calendar cancellation is sent" in said
    assert "invitation is cancelled" not in said and "meetings_card" not in said


def test_the_outcome_has_nothing_to_press() -> None:
    done = json.dumps(cancel_outcome_card("Meeting cancelled", ["Cancelled the CANT1 meeting."]))
    assert "Meeting cancelled" in done and "Action.Submit" not in done
