"""The full minutes, as the members get them in their personal chat, and the channel's short post.

The members' copy names schools, members and references, never a pupil (the minutes are read from
the record, domain.md §5). The channel's post says only that the minutes of a meeting are approved
and were sent to the members: no request, school or outcome.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from cards.budget import minutes_allocations
from cards.elements import Card, Element, card, facts, heading, subheading, text
from communities.meetings.tables import local
from communities.minutes.tables import MinutesSection
from communities.minutes.view import MinutesView, OutcomeRow
from communities.outcomes.tables import ActionStatus, AttendanceStatus

#: What a section shows after its record: the chair's text as a box to edit (the chair's copy), or as text.
NoteRenderer = Callable[[MinutesView, MinutesSection], list[Element]]


def members_minutes_card(view: MinutesView) -> Card:
    """The approved minutes, read-only, for each member's personal chat."""
    return card([heading(f"Minutes: {view.title}"), _status(view), *minutes_body(view, note_text)])


def minutes_approved_channel_card(view: MinutesView) -> Card:
    """The channel's post when the chair approves the minutes: no detail of any request."""
    return card(
        [
            heading(f"Minutes approved: {view.community_name} ({view.community_code})"),
            text(
                f"The minutes of the meeting on {view.when} are approved and have been sent to the "
                "community's members in their chat with the bot."
            ),
        ]
    )


def day(value: date) -> str:
    """'15 January 2027'."""
    return f"{value.day} {value:%B %Y}"


def _status(view: MinutesView) -> Element:
    if view.approved and view.approved_at is not None:
        return text(
            f"Approved by {view.approved_by or 'the chair'} on {day(local(view.approved_at).date())}."
        )
    return text("Draft: not approved yet.", subtle=True)


def note_text(view: MinutesView, section: MinutesSection) -> list[Element]:
    said = view.note(section)
    return [text(said)] if said else []


def minutes_body(view: MinutesView, notes: NoteRenderer) -> list[Element]:
    """The sections in order, each with its record, then the chair's text as ``notes`` renders it."""
    body: list[Element] = []
    for number, section in enumerate(MinutesSection, start=1):
        body.append(subheading(f"{number}. {section.label}"))
        body += _RECORD[section](view)
        body += notes(view, section)
    return body


def _attendance(view: MinutesView) -> list[Element]:
    def names(status: AttendanceStatus) -> str:
        rows = view.with_status(status)
        return (
            "; ".join(
                row.name + (" (a colleague came for the school)" if row.sent_colleague else "")
                for row in rows
            )
            or "None"
        )

    return [
        facts(
            [
                ("Present", names(AttendanceStatus.PRESENT)),
                ("Apologies", names(AttendanceStatus.APOLOGIES)),
                ("Absent", names(AttendanceStatus.ABSENT)),
                ("Quorate", "Yes" if view.quorate else "No"),
            ]
        )
    ]


def _declarations(view: MinutesView) -> list[Element]:
    if not view.declarations:
        return [text("No member was flagged for a conflict of interest on any item.")]
    return [text(f"{row.ref}: {row.name}. Ruling: {row.ruling}.") for row in view.declarations]


def _outcomes(view: MinutesView) -> list[Element]:
    if not view.outcomes:
        return [text("No requests were decided at this meeting.")]
    money: Element = {"type": "Container", "separator": True, "items": minutes_allocations(view.money)}
    return [*[_outcome(row) for row in view.outcomes], money]


def _outcome(row: OutcomeRow) -> Element:
    pairs = [("School", row.school), ("Decision", row.decision)]
    if row.funding:
        pairs.append(("Funding", row.funding))
    if row.review_date:
        pairs.append(("Review by", day(row.review_date)))
    items: list[Element] = [text(f"**{row.ref}**"), facts(pairs)]
    for action in row.actions:
        status = ActionStatus(action.status)
        done = "" if status is ActionStatus.OPEN else f" ({status.label.lower()})"
        items.append(
            text(f"Action: {action.description}. Owner: {action.owner}. Due {day(action.due_date)}{done}.")
        )
    return {"type": "Container", "separator": True, "items": items}


def _aob(view: MinutesView) -> list[Element]:
    return [text(line) for line in view.aob] or [text("None was raised on the agenda.")]


def _notes(view: MinutesView) -> list[Element]:
    return []


_RECORD: dict[MinutesSection, Callable[[MinutesView], list[Element]]] = {
    MinutesSection.ATTENDANCE: _attendance,
    MinutesSection.DECLARATIONS: _declarations,
    MinutesSection.OUTCOMES: _outcomes,
    MinutesSection.AOB: _aob,
    MinutesSection.NOTES: _notes,
}
