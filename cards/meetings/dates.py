"""Meeting-date cards: what a community channel gets, the officer's preview and delivery report.

The channel card names the community, its meetings, chair and deadlines: no pupil or request
detail ever (it goes to a channel).
"""

from __future__ import annotations

from collections.abc import Sequence

from cards.elements import Card, Element, card, facts, heading, subheading, text
from communities.broadcasts.report import Delivery, DeliveryReport
from communities.broadcasts.selection import Selection
from communities.broadcasts.service import CommunityDates, MeetingLine
from communities.meetings.tables import MeetingStatus
from communities.wording import counted

BROADCAST_RETRY = "broadcast_retry"
BROADCAST_CONFIRM = "broadcast_confirm"
BROADCAST_CHOOSE = "broadcast_choose"

_DELIVERY_WORDS = {
    Delivery.SENT: "Sent",
    Delivery.UPDATED: "Updated in place",
    Delivery.PENDING: "Pending",
    Delivery.FAILED: "Failed",
    Delivery.UNCHANGED: "Unchanged",
    Delivery.NOT_SENT: "Not sent",
}


def dates_card(dates: CommunityDates, updated: bool = False) -> Card:
    """The card a community's channel gets: its meeting dates, with deadlines and how to join."""
    title = f"{'Updated: ' if updated else ''}Meeting dates for {dates.name} ({dates.code})"
    body: list[Element] = [heading(title)]
    if updated:
        body.append(text("These dates replace the ones posted earlier.", subtle=True))
    for meeting in dates.meetings:
        body += _meeting(meeting)
    body.append(
        text(
            "Requests for a meeting close at its deadline: raise one in a personal chat with the bot "
            "(Raise a request).",
            subtle=True,
        )
    )
    actions: list[Element] = []
    if dates.calendar_url:
        actions.append({"type": "Action.OpenUrl", "title": "Add to my calendar", "url": dates.calendar_url})
    elif dates.invitations:
        body.append(
            text("Members have an invitation for each meeting in their Outlook calendar.", subtle=True)
        )
    return card(body, actions)


def _meeting(meeting: MeetingLine) -> list[Element]:
    cancelled = meeting.status == MeetingStatus.CANCELLED
    title = f"~~{meeting.when}~~ (cancelled)" if cancelled else meeting.when
    pairs = [("Where", meeting.where)]
    if cancelled:
        pairs = [("Why", meeting.cancel_reason or "Cancelled")]
    if meeting.term:
        pairs.insert(0, ("Term", meeting.term))
    else:
        pairs += [
            ("Chair", meeting.chair or "To be confirmed"),
            ("Requests close", meeting.deadline),
            ("Agenda out by", meeting.agenda_due),
        ]
    elements: list[Element] = [subheading(title), facts(pairs)]
    if meeting.join_url and not cancelled:
        elements.append(
            {
                "type": "ActionSet",
                "actions": [{"type": "Action.OpenUrl", "title": "Join on Teams", "url": meeting.join_url}],
            }
        )
    return elements


def preview_card(
    selection: Selection, planned: Sequence[CommunityDates], empty: Sequence[str], confirm_key: str
) -> Card:
    """What the officer checks before sending: who gets a card, who cannot, and one sample card."""
    ready = [d for d in planned if d.channel_reference is not None]
    blocked = [d for d in planned if d.channel_reference is None]
    meetings = sum(len(d.meetings) for d in planned)
    body: list[Element] = [
        heading("Broadcast meeting dates: preview"),
        text(f"{selection.describe()}: {counted(meetings, 'meeting')} in {_communities(len(planned))}."),
        facts(
            [
                ("Will get a card", str(len(ready))),
                ("Cannot get one", str(len(blocked))),
                ("No meetings in range", ", ".join(empty) or "none"),
            ]
        ),
    ]
    if blocked:
        body.append(subheading("Cannot get a card now"))
        body.append(facts([(d.code, d.problem or "") for d in blocked]))
    if planned:
        body.append(subheading(f"What {planned[0].code}'s channel will see"))
        body.append({"type": "Container", "style": "emphasis", "items": dates_card(planned[0])["body"]})
    actions: list[Element] = []
    if ready:
        actions.append(
            {
                "type": "Action.Submit",
                "title": f"Send to {counted(len(ready), 'channel')}",
                "data": {
                    "action": BROADCAST_CONFIRM,
                    "selection": selection.to_json(),
                    "confirm_key": confirm_key,
                },
            }
        )
    return card(body, actions)


def report_card(report: DeliveryReport) -> Card:
    """The delivery report; the bot updates it in place as cards are delivered."""
    counts = [
        (_DELIVERY_WORDS[kind], str(report.count(kind)))
        for kind in Delivery
        if report.count(kind) or kind in (Delivery.SENT, Delivery.PENDING, Delivery.FAILED)
    ]
    state = "Delivering…" if not report.settled else "Done."
    body: list[Element] = [
        heading("Meeting dates: delivery report"),
        text(f"{report.description}. {state}"),
        facts(counts),
    ]
    problems = [line for line in report.lines if line.delivery in (Delivery.FAILED, Delivery.NOT_SENT)]
    if problems:
        body.append(subheading("Not delivered"))
        body.append(
            facts([(f"{line.code}", line.reason or _DELIVERY_WORDS[line.delivery]) for line in problems])
        )
    body.append(subheading("Every community"))
    body.append(facts([(line.code, _DELIVERY_WORDS[line.delivery]) for line in report.lines]))
    actions: list[Element] = []
    if problems and report.settled:
        actions.append(
            {
                "type": "Action.Submit",
                "title": f"Try again for {_communities(len(problems))} not reached",
                "data": {"action": BROADCAST_RETRY, "broadcast_id": report.broadcast_id},
            }
        )
    return card(body, actions)


def _communities(count: int) -> str:
    return counted(count, "community", "communities")
