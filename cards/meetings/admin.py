"""Cards for a community's meetings in the personal chat: the list, and the forms to change them.

Plain dicts, no I/O. Times are shown in London time. Only a person who may manage the
community's meetings gets the forms: "Add a meeting", and per meeting still to come "Move" and
"Cancel". Each form is an ``Action.ShowCard`` (it opens in place; the card body holds no
inputs, so a form's submit carries only its own fields). Input ids are unique across the card
(:func:`input_id`); the submit's data names its form (``fields``, the inputs' prefix) and carries
the community or meeting id, which the server re-checks against who pressed it. An officer's
summary lists every community's next meeting, with a button that asks for the "Meetings" action
with the community's code.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from cards.elements import COMMUNITY_FIELD, Card, Element, card, facts, heading, subheading, submit, text
from communities.meetings.tables import Meeting, MeetingStatus, date_text, local, when_text, where_text
from communities.permissions import MEETINGS
from communities.wording import counted

MEETING_ADD = "meeting_add"
MEETING_MOVE = "meeting_move"
MEETING_CANCEL = "meeting_cancel"
#: The summary's buttons: the "Meetings" menu action, and the code of the community to open.
MEETINGS_ACTION = MEETINGS.key
#: Pre-filled times of a new meeting (most communities meet after school).
DEFAULT_START = "16:00"
DEFAULT_END = "17:30"
MAX_LOCATION = 300
#: Meetings a community's card lists (half a year or more; each has its forms, and a Teams message
#: holds about 28 KB); the rest are counted. A calendar problem is cut to ``MAX_PROBLEM`` characters.
MAX_SHOWN = 6
MAX_PROBLEM = 300
MAX_REASON = 500


def _add_form_name(community_id: int) -> str:
    return f"add{community_id}"


def _move_form_name(meeting_id: int) -> str:
    return f"move{meeting_id}"


def _cancel_form_name(meeting_id: int) -> str:
    return f"cancel{meeting_id}"


#: The submit's data names its form (the prefix of its input ids), so the server reads its fields.
FIELDS = "fields"


def input_id(form: str, name: str) -> str:
    """The id of a form's input: unique across the card, so that forms never mix."""
    return f"{form}_{name}"


@dataclass(frozen=True)
class MeetingView:
    """One meeting as the personal chat shows it, with the values its Move form starts from."""

    meeting_id: int
    when: str
    status: MeetingStatus
    where: str
    chair: str | None
    deadline: str
    agenda_due: str
    join_url: str | None
    cancel_reason: str | None
    #: Why the calendar is behind; only for people who manage the meetings (else None).
    calendar_problem: str | None
    #: London wall-clock values for the Move form.
    day: str
    start: str
    end: str
    location: str
    online: bool
    #: "Term 3, 2026-27" when term dates are loaded for the meeting's day, else None.
    term: str | None = None

    @property
    def upcoming(self) -> bool:
        return self.status in (MeetingStatus.SCHEDULED, MeetingStatus.POSTPONED)


def meeting_view(
    meeting: Meeting, chair: str | None, *, show_calendar_problem: bool, term: str | None = None
) -> MeetingView:
    assert meeting.id is not None
    start, end = local(meeting.starts_at), local(meeting.ends_at)
    status = MeetingStatus(meeting.status)
    return MeetingView(
        meeting_id=meeting.id,
        when=when_text(meeting),
        status=status,
        where=where_text(meeting.location, meeting.online),
        chair=chair,
        deadline=date_text(meeting.submission_deadline),
        agenda_due=date_text(meeting.agenda_publish_by),
        join_url=meeting.join_url if meeting.online else None,
        cancel_reason=meeting.cancel_reason if status == MeetingStatus.CANCELLED else None,
        calendar_problem=_cut(meeting.calendar_problem, MAX_PROBLEM) if show_calendar_problem else None,
        day=start.date().isoformat(),
        start=f"{start:%H:%M}",
        end=f"{end:%H:%M}",
        location=meeting.location or "",
        online=meeting.online,
        term=term,
    )


def _cut(text: str | None, limit: int) -> str | None:
    return text if text is None or len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class CommunityMeetings:
    community_id: int
    code: str
    name: str
    meetings: tuple[MeetingView, ...]
    #: The person may add, move and cancel this community's meetings (the forms are shown).
    can_manage: bool
    #: Upcoming meetings not shown (the card lists the first few).
    more: int = 0


@dataclass(frozen=True)
class NextMeeting:
    """A line of the officer's summary: a community and its next meeting."""

    code: str
    name: str
    #: The next meeting still going ahead, in words; None when no date is set.
    next_when: str | None
    upcoming: int
    #: Meetings still to come that the calendar could not be brought up to date for.
    calendar_problems: int = 0


def community_meetings_card(view: CommunityMeetings, *, today: date) -> Card:
    """A community's meetings still to come; with the forms when the person may change them."""
    body: list[Element] = [heading(f"Meetings: {view.name} ({view.code})")]
    if not view.meetings:
        body.append(text("No meetings are set yet." + (" Add one below." if view.can_manage else "")))
    else:
        body.append(text("Times are London times.", subtle=True))
    for meeting in view.meetings:
        body += _meeting(meeting, view.can_manage, today)
    if view.more:
        body.append(text(f"…and {view.more} more later.", subtle=True))
    actions: list[Element] = []
    if view.can_manage:
        actions.append(_show_card("Add a meeting", _add_form(view.community_id, today)))
    return card(body, actions)


def meetings_summary_card(lines: Sequence[NextMeeting]) -> Card:
    """An officer's view: every community's next meeting, and a button to open each one."""
    set_up = sum(1 for line in lines if line.next_when)
    body: list[Element] = [
        heading("Meetings by community"),
        text(
            f"Communities with a meeting coming up: {set_up} of {len(lines)}. Open a community to add, "
            "move or cancel its meetings, or write `meetings` and its code"
            + (f" (for example `meetings {lines[0].code}`)." if lines else ".")
        ),
    ]
    for line in lines:
        upcoming = f" ({line.upcoming} to come)" if line.upcoming > 1 else ""
        said = f"next {line.next_when}{upcoming}" if line.next_when else "no meeting set"
        body.append({**text(f"**{line.name} ({line.code})**: {said}"), "spacing": "Medium"})
        if line.calendar_problems:
            body.append(
                {
                    **text(
                        f"{counted(line.calendar_problems, 'meeting')} not brought up to date "
                        "in the calendar."
                    ),
                    "color": "Attention",
                }
            )
        body.append(
            {
                "type": "ActionSet",
                "actions": [submit(f"Open {line.code}", MEETINGS_ACTION, **{COMMUNITY_FIELD: line.code})],
            }
        )
    return card(body)


def _meeting(meeting: MeetingView, can_manage: bool, today: date) -> list[Element]:
    cancelled = meeting.status == MeetingStatus.CANCELLED
    title = (
        meeting.when
        if meeting.status == MeetingStatus.SCHEDULED
        else f"{meeting.when} ({meeting.status.label})"
    )
    pairs = [("Status", meeting.status.label), ("Where", meeting.where)]
    if meeting.term:
        pairs.insert(1, ("Term", meeting.term))
    if cancelled:
        pairs.append(("Why", meeting.cancel_reason or "Cancelled"))
    else:
        pairs += [
            ("Chair", meeting.chair or "To be confirmed"),
            ("Requests close", meeting.deadline),
            ("Agenda due by", meeting.agenda_due),
        ]
    elements: list[Element] = [subheading(title), facts(pairs)]
    if meeting.calendar_problem:
        elements.append(
            {**text(f"The calendar could not be updated: {meeting.calendar_problem}"), "color": "Attention"}
        )
    actions: list[Element] = []
    if meeting.join_url and not cancelled:
        actions.append({"type": "Action.OpenUrl", "title": "Join on Teams", "url": meeting.join_url})
    if can_manage and meeting.upcoming:
        actions.append(_show_card("Move", _move_form(meeting, today)))
        actions.append(_show_card("Cancel", _cancel_form(meeting)))
    if actions:
        elements.append({"type": "ActionSet", "actions": actions})
    return elements


def _add_form(community_id: int, today: date) -> Card:
    form = _add_form_name(community_id)
    fields = _time_place_fields(
        form, today, day="", start=DEFAULT_START, end=DEFAULT_END, location="", online=True
    )
    return _form(fields, _submit("Add the meeting", MEETING_ADD, "positive", form, community_id=community_id))


def _move_form(meeting: MeetingView, today: date) -> Card:
    form = _move_form_name(meeting.meeting_id)
    fields = _time_place_fields(
        form,
        today,
        day=meeting.day,
        start=meeting.start,
        end=meeting.end,
        location=meeting.location,
        online=meeting.online,
    )
    note = text("Members are told of the new time; the deadlines move with it.", subtle=True)
    return _form(
        [*fields, note],
        _submit("Move the meeting", MEETING_MOVE, "positive", form, meeting_id=meeting.meeting_id),
    )


def _cancel_form(meeting: MeetingView) -> Card:
    form = _cancel_form_name(meeting.meeting_id)
    reason = {
        "type": "Input.Text",
        "id": input_id(form, "reason"),
        "label": "Why is it cancelled? (members see this)",
        "isMultiline": True,
        "isRequired": True,
        "maxLength": MAX_REASON,
        "errorMessage": "Say why the meeting is cancelled.",
    }
    return _form(
        [reason],
        _submit("Cancel the meeting", MEETING_CANCEL, "destructive", form, meeting_id=meeting.meeting_id),
    )


def _time_place_fields(
    form: str, today: date, *, day: str, start: str, end: str, location: str, online: bool
) -> list[Element]:
    date_input: Element = {
        "type": "Input.Date",
        "id": input_id(form, "date"),
        "label": "Date",
        "min": today.isoformat(),
        "isRequired": True,
        "errorMessage": "Choose the date of the meeting.",
    }
    if day:
        date_input["value"] = day
    return [
        date_input,
        {
            "type": "ColumnSet",
            "columns": [
                {
                    "type": "Column",
                    "width": "stretch",
                    "items": [_time(form, "start", "Starts (London time)", start)],
                },
                {
                    "type": "Column",
                    "width": "stretch",
                    "items": [_time(form, "end", "Ends (London time)", end)],
                },
            ],
        },
        {
            "type": "Input.Text",
            "id": input_id(form, "location"),
            "label": "Where (a school or a room; leave empty for online only)",
            "maxLength": MAX_LOCATION,
            "value": location,
        },
        {
            "type": "Input.Toggle",
            "id": input_id(form, "online"),
            "title": "Online (Teams)",
            "value": "true" if online else "false",
            "valueOn": "true",
            "valueOff": "false",
        },
    ]


def _time(form: str, name: str, label: str, value: str) -> Element:
    return {
        "type": "Input.Time",
        "id": input_id(form, name),
        "label": label,
        "value": value,
        "isRequired": True,
        "errorMessage": "Give a time, such as 16:00.",
    }


def _submit(title: str, action: str, style: str, form: str, **ids: int) -> Element:
    return {**submit(title, action, **ids, **{FIELDS: form}), "style": style}


def _form(body: list[Element], send: Element) -> Card:
    return {"type": "AdaptiveCard", "body": body, "actions": [send]}


def _show_card(title: str, form: Card) -> Element:
    return {"type": "Action.ShowCard", "title": title, "card": form}
