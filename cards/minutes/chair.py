"""The chair's copy of the minutes: the record per section with a box for the chair's text, Save per
section, and Approve (which asks first: approving sends the minutes to every member)."""

from __future__ import annotations

from cards.elements import Card, Element, card, heading, submit, text
from cards.minutes.members import members_minutes_card, minutes_body
from communities.minutes.tables import MAX_SECTION_TEXT, MinutesSection
from communities.minutes.view import MinutesView
from communities.wording import counted

MINUTES_SAVE = "minutes_save"
MINUTES_APPROVE = "minutes_approve"
MINUTES_APPROVE_CONFIRM = "minutes_approve_confirm"
MINUTES_APPROVE_KEEP = "minutes_approve_keep"
#: Every button the chair's minutes and the confirmation carry.
MINUTES_BUTTONS = frozenset({MINUTES_SAVE, MINUTES_APPROVE, MINUTES_APPROVE_CONFIRM, MINUTES_APPROVE_KEEP})


def section_input(section: MinutesSection) -> str:
    """The id of the chair's text box for ``section``."""
    return f"minutes_{section.value}"


def chair_minutes_card(view: MinutesView) -> Card:
    """The draft minutes for the chair: add text to any section, then Approve."""
    state = (
        "Draft: only the chair, the vice chair and the council's officers see it. Add to any section and "
        "Save it, then Approve: the members are sent the minutes, and the channel is told."
    )
    body: list[Element] = [heading(f"Minutes for approval: {view.title}"), text(state)]
    body += minutes_body(view, _note_box)
    return card(body, [_button(view, "Approve", MINUTES_APPROVE)])


def approve_confirm_card(view: MinutesView) -> Card:
    """Approving sends the minutes to every member and cannot be undone: ask first."""
    members = counted(len(view.attendance), "member")
    return card(
        [
            heading(f"Approve the minutes of {view.title}?"),
            text(
                f"The {members} of {view.community_code} will be sent the full minutes in their chat with "
                "the bot, and the community's channel will be told that they are approved (with no detail "
                "of any request). Approved minutes cannot be changed."
            ),
            {
                "type": "ActionSet",
                "actions": [
                    {**_button(view, "Yes, approve", MINUTES_APPROVE_CONFIRM), "style": "positive"},
                    _button(view, "Not yet", MINUTES_APPROVE_KEEP),
                ],
            },
        ]
    )


def approved_minutes_card(view: MinutesView, said: str) -> Card:
    """What came of approving, above the minutes as they now stand: read-only, nothing to press."""
    shown = members_minutes_card(view)
    shown["body"].insert(1, {**text(said), "weight": "Bolder"})
    return shown


def _note_box(view: MinutesView, section: MinutesSection) -> list[Element]:
    box: Element = {
        "type": "Input.Text",
        "id": section_input(section),
        "isMultiline": True,
        "maxLength": MAX_SECTION_TEXT,
        "placeholder": "The chair's text for this section (no pupil names)",
        "value": view.note(section),
    }
    save = {**_button(view, f"Save {section.label.lower()}", MINUTES_SAVE, section=section.value)}
    save["associatedInputs"] = "auto"
    return [box, {"type": "ActionSet", "actions": [save]}]


def _button(view: MinutesView, title: str, action: str, **extra: str) -> Element:
    """A button carrying the meeting and the version the card shows (a stale card is refused)."""
    button = submit(title, action, meeting_id=view.meeting_id, version=view.version, **extra)
    button["associatedInputs"] = "none"
    return button
