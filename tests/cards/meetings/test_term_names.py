"""The term's name where meetings are listed: the `meetings` card in the personal chat and the
broadcast of meeting dates to a community's channel."""

from __future__ import annotations

import json

from cards.meetings.admin import community_meetings_card, meeting_view
from cards.meetings.dates import dates_card
from communities.broadcasts.service import CommunityDates, MeetingLine
from communities.meetings.tables import MeetingStatus
from tests.cards.meetings.test_admin import TODAY, meeting, view


def test_the_meetings_card_names_the_term_when_term_dates_are_loaded() -> None:
    named = meeting_view(meeting(), "Daniel Okafor", show_calendar_problem=False, term="Term 5, 2026-27")
    shown = json.dumps(community_meetings_card(view(named), today=TODAY))
    assert '"title": "Term", "value": "Term 5, 2026-27"' in shown
    unnamed = meeting_view(meeting(), "Daniel Okafor", show_calendar_problem=False)
    assert '"title": "Term"' not in json.dumps(community_meetings_card(view(unnamed), today=TODAY))


def test_the_broadcast_card_names_the_term() -> None:
    line = MeetingLine(
        "Wednesday 20 January 2027, 16:00–17:30",
        MeetingStatus.SCHEDULED,
        "Online (Teams)",
        None,
        "Wednesday 6 January 2027, 16:00",
        "Wednesday 13 January 2027, 16:00",
        None,
        None,
        term="Term 3, 2026-27",
    )
    dates = CommunityDates(1, "CANT1", "Canterbury City Community", (line,), None, None, None)
    assert '"title": "Term", "value": "Term 3, 2026-27"' in json.dumps(dates_card(dates))
