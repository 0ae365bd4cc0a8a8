"""The minutes' cards: the chair's draft with a box and Save per section and Approve asked first, the
members' read-only copy, and the channel's post that names no request."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from cards.minutes.chair import (
    MINUTES_APPROVE,
    MINUTES_APPROVE_CONFIRM,
    MINUTES_APPROVE_KEEP,
    MINUTES_SAVE,
    approve_confirm_card,
    approved_minutes_card,
    chair_minutes_card,
    section_input,
)
from cards.minutes.members import members_minutes_card, minutes_approved_channel_card
from communities.minutes.tables import MinutesSection, MinutesStatus
from communities.minutes.view import AttendanceRow, DeclarationRow, MinutesView, OutcomeRow
from communities.outcomes.tables import AttendanceStatus
from communities.outcomes.views import ActionView
from tests.support.activities import submit_data


def minutes(status: MinutesStatus = MinutesStatus.DRAFT, **notes: str) -> MinutesView:
    """Demo minutes: three members, one ruling, one outcome with an action, a line of any other business."""
    return MinutesView(
        minutes_id=1,
        meeting_id=7,
        community_code="CANT1",
        community_name="Canterbury City Community",
        when="Thursday 10 December 2026",
        day=date(2026, 12, 10),
        status=status,
        version=3,
        approved_by="Daniel Okafor" if status is MinutesStatus.APPROVED else None,
        approved_at=datetime(2026, 12, 14, 9, tzinfo=UTC) if status is MinutesStatus.APPROVED else None,
        attendance=(
            AttendanceRow("Daniel Okafor", AttendanceStatus.PRESENT),
            AttendanceRow("Grace Li", AttendanceStatus.APOLOGIES, sent_colleague=True),
            AttendanceRow("Hannah Reid", AttendanceStatus.ABSENT),
        ),
        quorate=True,
        declarations=(DeclarationRow("COS-CANT1-26-001", "Daniel Okafor", "Took no part"),),
        outcomes=(
            OutcomeRow(
                "COS-CANT1-26-001",
                "Westgate Meadow Primary School",
                "Funding agreed",
                "£1,500",
                date(2027, 3, 30),
                (ActionView("Share the nurture plan template", "St Dunstan's", date(2027, 1, 15), "open"),),
            ),
        ),
        aob=("Transport for the summer school",),
        notes=notes,
    )


def test_the_chairs_draft_has_a_box_and_save_per_section_and_approve() -> None:
    card = chair_minutes_card(minutes(aob="The bus is agreed."))
    flat = json.dumps(card, ensure_ascii=False)
    pressed = list(submit_data([card]))
    saves = [d for d in pressed if d["action"] == MINUTES_SAVE]
    assert [d["section"] for d in saves] == [s.value for s in MinutesSection]
    assert all(d["meeting_id"] == 7 and d["version"] == 3 for d in pressed)
    assert [d["action"] for d in pressed if d["action"] != MINUTES_SAVE] == [MINUTES_APPROVE]
    assert f'"id": "{section_input(MinutesSection.AOB)}"' in flat and "The bus is agreed." in flat
    for words in ("Present", "Grace Li", "a colleague came", "Took no part", "£1,500", "30 March 2027"):
        assert words in flat, words
    assert "Share the nurture plan template. Owner: St Dunstan's. Due 15 January 2027." in flat


def test_approving_asks_first_naming_who_is_told() -> None:
    card = approve_confirm_card(minutes())
    flat = json.dumps(card, ensure_ascii=False)
    assert "The 3 members of CANT1 will be sent the full minutes" in flat
    assert [d["action"] for d in submit_data([card])] == [MINUTES_APPROVE_CONFIRM, MINUTES_APPROVE_KEEP]


def test_the_members_copy_and_the_approved_copy_are_read_only() -> None:
    shown = minutes(MinutesStatus.APPROVED, notes="Thanks to the hosts.")
    for card in (members_minutes_card(shown), approved_minutes_card(shown, "Approved. Sent to 3 members.")):
        flat = json.dumps(card, ensure_ascii=False)
        assert "Action.Submit" not in flat and "Input.Text" not in flat
        assert "Approved by Daniel Okafor on 14 December 2026." in flat and "Thanks to the hosts." in flat
    assert "Approved. Sent to 3 members." in json.dumps(
        approved_minutes_card(shown, "Approved. Sent to 3 members.")
    )


def test_the_channel_post_names_no_request_school_or_outcome() -> None:
    flat = json.dumps(minutes_approved_channel_card(minutes(MinutesStatus.APPROVED)))
    assert "Minutes approved: Canterbury City Community (CANT1)" in flat
    assert "Thursday 10 December 2026" in flat and "sent to the community's members" in flat
    for detail in ("COS-CANT1", "Westgate", "£", "nurture", "Daniel"):
        assert detail not in flat
