"""The chair's outcomes card for a meeting that has taken place, and the cards it turns into in place:
attendance, the confirmation (it sends messages), and the read-only result naming who was told.

Personal chat only. Every button carries the meeting; the domain checks who pressed it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cards.elements import Card, Element, card, facts, heading, subheading, text
from cards.meetings.timeline import MeetingSummary
from cards.outcomes.inputs import (
    OUTCOME_ITEM,
    OUTCOME_REVIEW,
    OUTCOMES_ATTENDANCE,
    OUTCOMES_ATTENDANCE_SAVE,
    OUTCOMES_CONFIRM,
    OUTCOMES_CONFIRM_YES,
    OUTCOMES_OPEN,
    button,
    buttons,
    choice_input,
)
from communities.meetings.rsvp import RsvpTally
from communities.outcomes.attendance import AttendanceLine
from communities.outcomes.recording import Recording
from communities.outcomes.reviews import ReviewItem
from communities.outcomes.tables import AttendanceStatus, OutcomeStatus
from communities.outcomes.telling import SchoolTold, Telling, day_text
from communities.wording import counted, listed

#: The attendance choices: the statuses, and apologies with a colleague there for the school.
COLLEAGUE = "colleague"
ATTENDANCE_CHOICES = {
    AttendanceStatus.PRESENT.value: "Present",
    AttendanceStatus.APOLOGIES.value: "Apologies",
    COLLEAGUE: "Apologies, a colleague came instead",
    AttendanceStatus.ABSENT.value: "Absent",
}


@dataclass(frozen=True)
class RequestLine:
    """A request the outcomes-due message names: its reference and school, never its content."""

    ref: str
    school: str


def quorum_line(tally: RsvpTally) -> str:
    """The quorum as the reminder cards count it, by the attendance recorded."""
    if tally.quorate:
        return "Quorum: met"
    return f"Quorum: not met: it needs {tally.needs()}"


def outcomes_due_card(
    meeting: MeetingSummary, meeting_id: int, items: Sequence[RequestLine], reviews: Sequence[RequestLine]
) -> Card:
    """DM to the chair and vice chair once the meeting has ended: record its outcomes."""
    body: list[Element] = [
        heading(f"Record the outcomes of {meeting.community_name} ({meeting.code}), {meeting.when}"),
        text(
            "The meeting has ended. Record who attended, the outcome of each request and the reviews "
            "due. Nothing is sent to the schools until you confirm the outcomes."
        ),
        subheading("Requests on the agenda"),
        text("\n".join(f"- **{r.ref}** ({r.school})" for r in items) if items else "None."),
    ]
    if reviews:
        body += [subheading("Reviews due"), text("\n".join(f"- **{r.ref}** ({r.school})" for r in reviews))]
    body.append(
        text(
            "A request from your own school, or one where you have a conflict of interest, is for the "
            "vice chair or a council officer to record.",
            subtle=True,
        )
    )
    return card(body, [button("Record the outcomes", OUTCOMES_OPEN, meeting_id=meeting_id)])


def outcomes_card(
    recording: Recording, tally: RsvpTally, reviews: Sequence[ReviewItem], note: str = ""
) -> Card:
    """The meeting's outcomes so far: attendance and quorum, each item, the reviews due, Confirm."""
    meeting_id = recording.meeting_id
    body: list[Element] = [
        heading(f"Outcomes: {recording.community_name} ({recording.community_code})"),
        text(recording.when, subtle=True),
    ]
    if note:
        body.append({**text(note), "weight": "Bolder"})
    body += [
        subheading("Attendance"),
        _counts(tally),
        buttons(button("Attendance", OUTCOMES_ATTENDANCE, meeting_id=meeting_id)),
        subheading("Requests"),
    ]
    if not recording.items:
        body.append(text("No requests were on this meeting's agenda."))
    for number, item in enumerate(recording.items, start=1):
        outcome = item.outcome
        if outcome is None:
            state = "Not recorded yet"
        elif outcome.status is OutcomeStatus.CONFIRMED:
            state = f"{outcome.decision.label} (confirmed)"
        else:
            state = f"{outcome.decision.label} (draft)"
        elements: list[Element] = [
            text(f"**{number}. {item.ref}**" + (" (urgent)" if item.urgent else "")),
            facts([("School", item.school), ("Type of request", item.kind), ("Outcome", state)]),
        ]
        if outcome is None or outcome.status is not OutcomeStatus.CONFIRMED:
            title = "Record" if outcome is None else "Change"
            elements.append(
                buttons(button(title, OUTCOME_ITEM, meeting_id=meeting_id, request_id=item.request_id))
            )
        body.append({"type": "Container", "separator": True, "items": elements})
    body.append(subheading("Reviews due"))
    if not reviews:
        body.append(text("No reviews due.", subtle=True))
    for review in reviews:
        due = f": review due {day_text(review.review_date)}" if review.review_date else ""
        body += [
            text(f"**{review.ref}** ({review.school}){due}"),
            buttons(
                button(
                    "Record the review", OUTCOME_REVIEW, meeting_id=meeting_id, request_id=review.request_id
                )
            ),
        ]
    actions: list[Element] = []
    if recording.confirmed:
        body.append(text("These outcomes are confirmed, and the schools have been told.", subtle=True))
    elif recording.complete and recording.items:
        body.append(
            text(
                "Every item has an outcome. Confirm them to tell the schools: nothing is sent before.",
                subtle=True,
            )
        )
        actions = [button("Confirm outcomes", OUTCOMES_CONFIRM, meeting_id=meeting_id)]
    elif recording.items:
        body.append(
            text(
                "Record an outcome for every request, then confirm them. Nothing is sent to anyone before "
                "you confirm.",
                subtle=True,
            )
        )
    return card(body, actions)


def _counts(tally: RsvpTally) -> Element:
    return {
        "type": "Container",
        "items": [
            facts(
                [
                    ("Present", str(tally.attending)),
                    ("Apologies", str(tally.apologies)),
                    ("A colleague came instead", str(tally.colleague)),
                    ("Schools represented", f"{tally.schools_represented} of {tally.schools_total}"),
                ]
            ),
            {
                **text(quorum_line(tally)),
                "weight": "Bolder",
                "color": "Good" if tally.quorate else "Attention",
            },
        ],
    }


def attendance_card(recording: Recording, lines: Sequence[AttendanceLine], tally: RsvpTally) -> Card:
    """Each member's attendance, started from their answers to the reminder card; the chair corrects it."""
    values = {f"attendance_{line.person_id}": _choice(line) for line in lines}
    body: list[Element] = [
        heading(f"Attendance: {recording.community_name} ({recording.community_code})"),
        text(recording.when, subtle=True),
        text(
            "Started from the answers to the meeting reminder (no answer is absent). Correct anyone, then "
            "save: quorum is counted from what you save."
        ),
        _counts(tally),
    ]
    for line in lines:
        label = line.name + (" (chair or vice chair)" if line.chairs else "")
        body.append(choice_input(f"attendance_{line.person_id}", label, ATTENDANCE_CHOICES, values))
    if not lines:
        body.append(text("The community has no members in the roster.", subtle=True))
    meeting_id = recording.meeting_id
    return card(
        body,
        [
            button("Save attendance", OUTCOMES_ATTENDANCE_SAVE, inputs=True, meeting_id=meeting_id),
            button("Back to the outcomes", OUTCOMES_OPEN, meeting_id=meeting_id),
        ],
    )


def _choice(line: AttendanceLine) -> str:
    if line.sent_colleague and line.status is not AttendanceStatus.PRESENT:
        return COLLEAGUE
    return line.status.value


def confirm_card(recording: Recording, tally: RsvpTally) -> Card:
    """Confirming sends messages: ask first, saying who will be told."""
    lines = [
        f"- **{item.ref}** ({item.school}): {item.outcome.decision.label if item.outcome else 'not recorded'}"
        for item in recording.items
    ]
    quorate = (
        "The meeting was quorate, by the attendance recorded."
        if tally.quorate
        else f"By the attendance recorded the meeting was not quorate ({quorum_line(tally).lower()}): "
        "the outcomes are recorded as not quorate."
    )
    body: list[Element] = [
        heading(f"Confirm the outcomes of {recording.community_code}, {recording.when}?"),
        text("\n".join(lines)),
        text(quorate),
        text(
            "Confirming tells each school its outcome in their chat with the bot (the person who raised "
            "the request, and the school's leaders and special educational needs coordinators), tells "
            "the finance officers of funding agreed, and posts one summary in the community's channel: "
            "the reference, the school, the decision and the amount only. Confirmed outcomes cannot be "
            "changed here."
        ),
    ]
    meeting_id = recording.meeting_id
    return card(
        body,
        [
            {
                **button("Yes, confirm and tell the schools", OUTCOMES_CONFIRM_YES, meeting_id=meeting_id),
                "style": "positive",
            },
            button("Not yet", OUTCOMES_OPEN, meeting_id=meeting_id),
        ],
    )


ALREADY = "These outcomes were confirmed before, so nothing was sent again and nobody was told twice."


def confirmed_card(code: str, when: str, telling: Telling | None) -> Card:
    """What came of the confirmation, read-only: who was told (``None``: confirmed before, nobody told)."""
    if telling is None:
        return card(
            [
                heading(f"Already confirmed: {code}, {when}"),
                text(ALREADY),
            ]
        )
    body: list[Element] = [heading(f"Outcomes confirmed: {code}, {when}")]
    body += [text(_told(school)) for school in telling.schools]
    if telling.finance:
        body.append(text(f"Funding agreed was told to the finance officers: {', '.join(telling.finance)}."))
    body.append(
        text(
            "The community's channel has a summary (reference, school, decision and amount)."
            if telling.channel
            else "No summary was posted: the community has no linked channel."
        )
    )
    return card(body)


def _told(school: SchoolTold) -> str:
    said = f"**{school.ref}** ({school.school}): "
    if school.told:
        said += f"told {listed(list(school.told), 'and')}."
    else:
        said += "nobody at the school could be told in the chat."
    if school.unreachable:
        people = counted(len(school.unreachable), "person", "people")
        names = listed(list(school.unreachable), "and")
        said += f" Not reached ({people} who have not opened a chat with the bot): {names}."
    return said
