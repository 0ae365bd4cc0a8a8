"""The meeting timeline's messages: channel posts and direct messages. Pure functions, no I/O.

The channel card (requests open) is built from :class:`MeetingSummary` alone:
the community, when, where and the deadlines. They never see a request, so they cannot carry
pupil detail (domain.md §5). Direct messages name request references, schools and statuses, as
the request notices do, and nothing from a request's form.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote

from cards.elements import COMMUNITY_FIELD, Card, Element, card, facts, heading, submit, text
from communities.permissions import (
    CONTINUE_DRAFT,
    DECLARE_INTEREST,
    MY_REQUESTS,
    RAISE_REQUEST,
    REQUESTS_QUEUE,
)
from communities.wording import counted


@dataclass(frozen=True)
class MeetingSummary:
    """A meeting as the timeline's messages show it: words, already in London time."""

    code: str
    community_name: str
    #: "Tuesday 10 November 2026, 16:00–17:30"
    when: str
    #: "Westgate Meadow Primary School, Online (Teams)"
    where: str
    join_url: str | None
    #: "Saturday 31 October 2026, 16:00"
    deadline: str
    publish_by: str


@dataclass(frozen=True)
class RequestLine:
    """A request named in a direct message: its reference and school, never its content."""

    ref: str
    school: str
    #: "draft", "returned for information", "accepted", ...
    status: str


def chat_with_bot_url(bot_app_id: str) -> str:
    """A Teams deep link that opens the person's 1:1 chat with the bot."""
    return f"https://teams.microsoft.com/l/chat/0/0?users={quote('28:' + bot_app_id, safe=':')}"


def requests_open_card(meeting: MeetingSummary, bot_app_id: str = "") -> Card:
    """Channel post: requests are open for the next meeting, with the deadline."""
    body: list[Element] = [
        heading(f"Requests are open: {meeting.community_name} ({meeting.code})"),
        facts(
            [
                ("Meeting", meeting.when),
                ("Where", meeting.where),
                ("Requests close", meeting.deadline),
                ("Agenda out by", meeting.publish_by),
            ]
        ),
        text(
            "School leaders and special educational needs coordinators (SENCOs): raise a request for "
            "this meeting in your personal chat with the bot before the deadline. Requests stay "
            "private: the channel only ever sees a reference and the school.",
            subtle=True,
        ),
    ]
    # A button pressed in a channel card answers in the channel, so "Open a chat" leads to the
    # personal chat, where "Raise a request" (or writing `request`) starts the form.
    actions: list[Element] = [submit("Raise a request", RAISE_REQUEST.key)]
    if bot_app_id:
        actions.append(
            {
                "type": "Action.OpenUrl",
                "title": "Open my chat with the bot",
                "url": chat_with_bot_url(bot_app_id),
            }
        )
    return card(body, actions)


def deadline_reminder_card(meeting: MeetingSummary, drafts: Sequence[RequestLine]) -> Card:
    """DM to a school leader or SENCO: their school's requests not yet submitted."""
    if not drafts:
        raise ValueError("a deadline reminder needs at least one draft")
    lines = [f"- **{d.ref}** ({d.school}): {d.status}, not yet submitted" for d in drafts]
    one = len(drafts) == 1
    lead = (
        f"You have a draft for {drafts[0].ref} not yet submitted."
        if one
        else f"You have {len(drafts)} requests not yet submitted."
    )
    body: list[Element] = [
        heading(f"Requests close soon: {meeting.code}"),
        text(f"{lead} Requests for the meeting on {meeting.when} close on **{meeting.deadline}**."),
        text("\n".join(lines)),
        text("Submit before the deadline for the request to be considered at this meeting.", subtle=True),
    ]
    return card(
        body, [submit("Continue my draft", CONTINUE_DRAFT.key), submit("My requests", MY_REQUESTS.key)]
    )


def triage_reminder_card(meeting: MeetingSummary, waiting: Sequence[RequestLine]) -> Card:
    """DM to the chair: submitted requests still waiting for review, before requests close."""
    if not waiting:
        raise ValueError("a triage reminder needs at least one request")
    lines = [f"- **{r.ref}** ({r.school}){': ' + r.status if r.status else ''}" for r in waiting]
    count = counted(len(waiting), "request")
    body: list[Element] = [
        heading(f"Requests to review: {meeting.code}"),
        text(
            f"{count} {'waits' if len(waiting) == 1 else 'wait'} for your review. Requests for the "
            f"meeting on {meeting.when} close on **{meeting.deadline}**: accept each one, or return it "
            "for more information, so that the school knows in time."
        ),
        text("\n".join(lines)),
        text(
            "A request from your own school, or from one where you have a conflict of interest, is for "
            "the vice chair or a council officer to review.",
            subtle=True,
        ),
    ]
    return card(body, [submit("Requests queue", REQUESTS_QUEUE.key, **{COMMUNITY_FIELD: meeting.code})])


def deadline_reminder_summary(drafts: Sequence[RequestLine]) -> str:
    """The notification preview of the reminder."""
    if len(drafts) == 1:
        return f"You have a draft for {drafts[0].ref} not yet submitted"
    return f"You have {len(drafts)} requests not yet submitted"


def agenda_due_text(meeting: MeetingSummary) -> str:
    """DM to the chair, the day before the agenda is due, if it is not published."""
    return (
        f"The agenda for the {meeting.code} meeting on {meeting.when} is due by {meeting.publish_by} "
        "and has not been published yet. Review the draft agenda and publish it to the channel."
    )


def agenda_overdue_text(meeting: MeetingSummary, chair: str | None) -> str:
    """DM to the officers when the agenda is still not published at its due time."""
    who = f"its chair ({chair})" if chair else "its chair"
    return (
        f"The agenda for the {meeting.code} meeting ({meeting.community_name}) on {meeting.when} was due "
        f"by {meeting.publish_by} and is not published yet. {who.capitalize()} was reminded yesterday."
    )


def unreachable_chair_text(meeting: MeetingSummary, what: str) -> str:
    """To the officers, when the chair has never opened a chat with the bot."""
    return (
        f"The chair of {meeting.community_name} ({meeting.code}) cannot be reached by the bot yet (they "
        f"have not opened a chat with it), so this is passed to you. {what}"
    )


def renewal_card(year_label: str) -> Card:
    """DM to a member who has not confirmed their declarations for the academic year."""
    body: list[Element] = [
        heading(f"Declarations of interest for {year_label}"),
        text(
            "A new academic year has started. Please confirm your declarations of interest for "
            f"{year_label}: add or end an interest, confirm that the ones on your register are still "
            "current, or say that you have nothing to declare."
        ),
        text("Your chair can see who has confirmed. I will remind you each week until you do.", subtle=True),
    ]
    return card(body, [submit("Declare an interest", DECLARE_INTEREST.key)])
