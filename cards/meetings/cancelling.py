"""Cancelling a meeting: the confirmation it asks for, and what came of it, shown in place of it.

The confirmation says what will happen and who will be told, and only what is true: the calendar
invitation is cancelled with the reason (the invited see the cancellation); the bot posts nothing
in the channel and messages nobody in Teams about it. What came of it is read-only.
"""

from __future__ import annotations

from cards.elements import Card, card, facts, heading, submit, text
from cards.words import short_forms
from communities.meetings.calendar_sync import INVITED_ROLES
from communities.permissions import roles_in_words

MEETING_CANCEL_CONFIRM = "meeting_cancel_confirm"
MEETING_CANCEL_KEEP = "meeting_cancel_keep"
#: The confirmation's data: the reason typed on the form, and the meetings card it was typed on.
REASON = "reason"
MEETINGS_CARD = "meetings_card"


def cancel_confirm_card(
    code: str, when: str, reason: str, meeting_id: int, *, in_calendar: bool, meetings_card: str | None
) -> Card:
    """Ask before cancelling, saying what will happen and who will be told."""
    if in_calendar:
        calendar = (
            "The calendar invitation is cancelled with your reason, so each person it went to sees the "
            f"cancellation: anyone who is {roles_in_words(frozenset(INVITED_ROLES))} in {code}."
        )
    else:
        calendar = "The meeting is not in anyone's calendar yet, so no calendar cancellation is sent."
    extra = {MEETINGS_CARD: meetings_card} if meetings_card else {}
    spelled = short_forms([calendar])
    return card(
        [
            heading(f"Cancel the {code} meeting?"),
            facts([("When", when), ("Why (members see this)", reason)]),
            *([spelled] if spelled else []),
            text(calendar),
            text(
                "I post nothing in the community's channel and message nobody about it in Teams: tell "
                "them there yourself if you want to. Its reminders stop, and its accepted requests "
                "go to the next meeting. A cancelled meeting cannot be brought back: add a new one."
            ),
            {
                "type": "ActionSet",
                "actions": [
                    {
                        **submit(
                            "Yes, cancel the meeting",
                            MEETING_CANCEL_CONFIRM,
                            meeting_id=meeting_id,
                            **{REASON: reason},
                            **extra,
                        ),
                        "style": "destructive",
                    },
                    submit("Keep it", MEETING_CANCEL_KEEP, meeting_id=meeting_id),
                ],
            },
        ]
    )


def cancel_outcome_card(title: str, said: list[str]) -> Card:
    """What came of the confirmation, in place of it: read-only, with no button left to press."""
    return card([heading(title), *(text(line) for line in said)])
