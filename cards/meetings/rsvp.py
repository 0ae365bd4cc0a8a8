"""The meeting-reminder card in a community's channel: when and where, RSVP buttons, the counts.

It goes to a channel, so it names nobody and carries no request or pupil detail: the time, the
place or the Teams link, how many have answered each way, and whether the meeting is quorate.
The bot replaces it in place as answers come in.
"""

from __future__ import annotations

from datetime import datetime

from cards.elements import Card, Element, card, facts, heading, submit, text
from communities.meetings.rsvp import ReminderFacts, RsvpAnswer, RsvpTally
from communities.meetings.tables import LONDON, MeetingStatus
from communities.messaging.outbox import OutgoingMessage

#: The ``data.action`` of the RSVP buttons (``data.meeting_id``, ``data.answer``).
RSVP = "rsvp"


def day_label(starts_at: datetime, now: datetime) -> str:
    """'Today', 'Tomorrow', or 'On Tuesday 3 March', by London dates."""
    day, today = starts_at.astimezone(LONDON).date(), now.astimezone(LONDON).date()
    if day == today:
        return "Today"
    if (day - today).days == 1:
        return "Tomorrow"
    return f"On {day:%A} {day.day} {day:%B}"


def quorum_text(tally: RsvpTally) -> str:
    """'Quorum: met', or 'Quorum: not met yet: needs the chair or vice chair and 5 of 9 schools'."""
    if tally.quorate:
        return "Quorum: met"
    return f"Quorum: not met yet: needs {tally.needs()}"


def meeting_reminder_card(meeting: ReminderFacts, tally: RsvpTally, when_label: str) -> Card:
    """The reminder the channel gets the day before and the morning of a meeting."""
    cancelled = meeting.status == MeetingStatus.CANCELLED
    title = f"{meeting.community_name} ({meeting.community_code}) meeting"
    body: list[Element] = [
        heading(f"Cancelled: {title}" if cancelled else f"{when_label}: {title}"),
        facts([("When", meeting.when), ("Where", meeting.where)]),
    ]
    if cancelled:
        body.append(text("This meeting has been cancelled: there is nothing to answer."))
        return card(body)
    if meeting.join_url:
        body.append(
            {
                "type": "ActionSet",
                "actions": [{"type": "Action.OpenUrl", "title": "Join on Teams", "url": meeting.join_url}],
            }
        )
    body += [
        {
            "type": "TextBlock",
            "text": "Will you be there?",
            "weight": "Bolder",
            "wrap": True,
            "spacing": "Medium",
        },
        facts(
            [(answer.label, str(tally.count(answer))) for answer in RsvpAnswer]
            + [("Schools represented", f"{tally.schools_represented} of {tally.schools_total}")]
        ),
        {
            "type": "TextBlock",
            "text": quorum_text(tally),
            "weight": "Bolder",
            "color": "Good" if tally.quorate else "Attention",
            "wrap": True,
        },
        text(
            "Only the counts are shown here. Press another button at any time to change your answer; "
            "sending a colleague counts your school as represented.",
            subtle=True,
        ),
    ]
    actions = [
        submit(answer.label, RSVP, meeting_id=meeting.meeting_id, answer=answer.value)
        for answer in RsvpAnswer
    ]
    return card(body, actions)


def reminder_post(meeting: ReminderFacts, tally: RsvpTally, now: datetime) -> OutgoingMessage:
    """The reminder post as it should look at ``now`` ("Tomorrow" or "Today" is told from it)."""
    label = day_label(meeting.starts_at, now)
    return OutgoingMessage(
        card=meeting_reminder_card(meeting, tally, label),
        summary=f"{label}: {meeting.community_code} meeting, {meeting.when}",
    )
