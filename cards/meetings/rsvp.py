"""The meeting-reminder card in a community's channel: when and where, RSVP buttons, the counts.

It goes to a channel, so it names nobody and carries no request or pupil detail: the time, the
place or the Teams link, how many have answered each way, and whether the meeting is quorate.
The bot replaces it in place as answers come in.

Its buttons are Universal Actions (:mod:`cards.universal`): ``Action.Execute`` with verb ``rsvp``
(an ``Action.Submit`` with the same data where the client has no Action.Execute), and a
``refresh`` (verb ``rsvp.view``) through which Teams asks for each member's own view: their own
answer and, for the chair and vice chair, who has not answered yet with a *Nudge* button.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cards.elements import Card, Element, card, facts, heading, subheading, text
from cards.universal import execute, with_refresh
from communities.meetings.rsvp import ReminderFacts, RsvpAnswer, RsvpTally
from communities.meetings.rsvp_views import PersonalView
from communities.meetings.tables import LONDON, MeetingStatus
from communities.messaging.outbox import OutgoingMessage

#: The ``data.action`` of the RSVP buttons (``data.meeting_id``, ``data.answer``).
RSVP = "rsvp"
#: The verb of the card's refresh: the asking user's own view (``data.meeting_id``).
RSVP_VIEW = "rsvp.view"
#: The verb of the agenda card's refresh: the asking user's own view of it (``data.meeting_id``).
AGENDA_VIEW = "agenda.view"
#: ``data.card`` of the RSVP buttons on the agenda card: answer with the agenda, not the reminder.
AGENDA_CARD = "agenda"
#: The chair's Nudge button (``data.meeting_id``): remind those who have not answered.
RSVP_NUDGE = "rsvp.nudge"

# ---- the words of the personal views (ours, easy to change) -----------------------------------
YOUR_ANSWER = "Your answer: {answer}. Press another button to change it."
NO_ANSWER_YET = "You have not answered yet."
NOT_FOR_YOU = "Only the chair, vice chair, school leaders and SENCOs of this community answer here."
CHAIR_HEADING = "For the chair: not answered yet"
EVERYONE_ANSWERED = "Everyone has answered."
NUDGE_TITLE = "Nudge them"
NUDGE_HINT = "Nudge sends each of them a reminder in a personal chat with me (once a day)."
NUDGED = "Nudge sent: {told} reminded in a personal chat."
NUDGED_UNREACHABLE = " {unreachable} could not be reached: they have not opened a chat with me yet."
NUDGE_MESSAGE = (
    "A reminder from the chair of {community}: please say whether you will be at the meeting "
    "{when}. Use the buttons on the meeting reminder in the community's channel."
)


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
    """The reminder the channel gets the day before and the morning of a meeting (the shared view)."""
    shared = _reminder_body(meeting, tally, when_label)
    if meeting.status == MeetingStatus.CANCELLED:
        return shared
    return with_refresh(
        shared, RSVP_VIEW, meeting.member_user_ids, meeting.members, meeting_id=meeting.meeting_id
    )


def personal_reminder_card(
    meeting: ReminderFacts, tally: RsvpTally, when_label: str, view: PersonalView, note: str | None = None
) -> Card:
    """The reminder card as one person sees it: the shared card, their answer, the chair's extras.

    ``note`` is said first (a refusal, or what a Nudge did). It keeps the refresh, so Teams goes on
    asking for this person's view as the card changes.
    """
    result = meeting_reminder_card(meeting, tally, when_label)
    if meeting.status == MeetingStatus.CANCELLED:
        return _with_note(result, note)
    body = list(result["body"])
    at = _after_quorum(body)
    body[at:at] = personal_blocks(meeting.meeting_id, view)
    result = {**result, "body": body}
    return _with_note(result, note)


def personal_blocks(meeting_id: int, view: PersonalView) -> list[Element]:
    """The person's own answer and, for the chair or vice chair, who has not answered and Nudge."""
    if not view.member:
        return [text(NOT_FOR_YOU, subtle=True)]
    blocks: list[Element] = [
        {
            "type": "TextBlock",
            "text": YOUR_ANSWER.format(answer=view.mine.label) if view.mine else NO_ANSWER_YET,
            "weight": "Bolder",
            "wrap": True,
        }
    ]
    if view.chair is not None:
        blocks.append(subheading(CHAIR_HEADING))
        waiting = view.chair.not_answered
        if not waiting:
            blocks.append(text(EVERYONE_ANSWERED))
        else:
            blocks.append(text(", ".join(waiting) + f" ({len(waiting)})"))
            if view.open:
                blocks += [
                    text(NUDGE_HINT, subtle=True),
                    {
                        "type": "ActionSet",
                        "actions": [execute(NUDGE_TITLE, RSVP_NUDGE, fallback=False, meeting_id=meeting_id)],
                    },
                ]
    return blocks


def nudged_text(told: int, unreachable: int) -> str:
    said = NUDGED.format(told=told)
    return said + (NUDGED_UNREACHABLE.format(unreachable=unreachable) if unreachable else "")


def nudge_message(meeting: ReminderFacts) -> OutgoingMessage:
    """The personal reminder a Nudge sends (no one else's name, no pupil detail)."""
    words = NUDGE_MESSAGE.format(
        community=f"{meeting.community_name} ({meeting.community_code})", when=meeting.when
    )
    return OutgoingMessage(text=words)


def _after_quorum(body: list[Element]) -> int:
    for index, element in enumerate(body):
        if str(element.get("text", "")).startswith("Quorum:"):
            return index + 1
    return len(body)


def _with_note(content: Card, note: str | None) -> Card:
    if not note:
        return content
    block = {"type": "TextBlock", "text": note, "wrap": True, "color": "Attention", "weight": "Bolder"}
    return {**content, "body": [block, *content["body"]]}


def _reminder_body(meeting: ReminderFacts, tally: RsvpTally, when_label: str) -> Card:
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
    return card(body, rsvp_buttons(meeting.meeting_id))


def rsvp_buttons(meeting_id: int, on_card: str | None = None) -> list[Element]:
    """Attending / Apologies / Sending a colleague: Action.Execute, with an Action.Submit fallback."""
    where: dict[str, Any] = {"card": on_card} if on_card else {}
    return [
        execute(answer.label, RSVP, meeting_id=meeting_id, answer=answer.value, **where)
        for answer in RsvpAnswer
    ]


# ---- the agenda card in the channel --------------------------------------------------------------


def agenda_rsvp_blocks(meeting_id: int) -> list[Element]:
    """The RSVP buttons on the agenda's first card in the channel."""
    return [
        subheading("Will you be there?"),
        {"type": "ActionSet", "actions": rsvp_buttons(meeting_id, on_card=AGENDA_CARD)},
    ]


def agenda_shared_refresh(first: Card, meeting_id: int) -> Card:
    """The agenda's first card asks Teams for each member's own view (the members are not known
    where the agenda is drawn: each personal view then lists them, or gives a Refresh button)."""
    return with_refresh(first, AGENDA_VIEW, None, 0, meeting_id=meeting_id)


def agenda_personal_card(
    posted: Card,
    meeting_id: int,
    view: PersonalView,
    user_ids: tuple[str, ...],
    members: int,
    note: str | None = None,
) -> Card:
    """The agenda's first card as the channel shows it, with this person's answer and the chair's extras
    after its RSVP buttons."""
    body = [dict(element) for element in posted.get("body", [])]
    at = next(
        (i + 1 for i, e in enumerate(body) if e.get("type") == "ActionSet" and _has_rsvp(e)),
        len(body),
    )
    body[at:at] = personal_blocks(meeting_id, view)
    result = with_refresh({**posted, "body": body}, AGENDA_VIEW, user_ids, members, meeting_id=meeting_id)
    return _with_note(result, note)


def _has_rsvp(action_set: Element) -> bool:
    return any(a.get("verb") == RSVP for a in action_set.get("actions", []))


def reminder_post(meeting: ReminderFacts, tally: RsvpTally, now: datetime) -> OutgoingMessage:
    """The reminder post as it should look at ``now`` ("Tomorrow" or "Today" is told from it)."""
    label = day_label(meeting.starts_at, now)
    return OutgoingMessage(
        card=meeting_reminder_card(meeting, tally, label),
        summary=f"{label}: {meeting.community_code} meeting, {meeting.when}",
    )
