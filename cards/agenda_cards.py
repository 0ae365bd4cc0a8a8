"""The agenda as cards: the chair's review copy (personal chat) and the channel copy.

The channel copy shows, per request item, only the reference, the school, the type of request,
the kinds of support asked for and whether declarations are expected: never a flagged member's
name, a pupil field or the needs (domain.md §5). The chair's copy adds the flagged members with
the default ruling, and the buttons to reorder, defer, add or remove AOB lines and publish.

Teams refuses a message over about 28 KB, so an agenda too long for one card is split into
parts ("Agenda (part 1 of 2): ..."), each under the limit, at item boundaries: nothing is dropped.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from cards.budget import finance_pieces
from cards.elements import Card, Element, card, facts, heading, subheading, submit, text
from cards.meetings.rsvp import agenda_rsvp_blocks, agenda_shared_refresh
from cards.minutes.previous import previous_pieces
from communities.agendas.changes import MAX_AOB_LENGTH
from communities.agendas.items import RequestItem
from communities.agendas.tables import AgendaStatus
from communities.agendas.view import (
    AOB,
    DECLARATIONS,
    FINANCE,
    NEXT_MEETING,
    PREVIOUS_MEETING,
    REQUESTS,
    REVIEWS,
    SECTION_TITLES,
    WELCOME,
    AgendaView,
)
from communities.wording import counted

AGENDA_MOVE_UP = "agenda_move_up"
AGENDA_MOVE_DOWN = "agenda_move_down"
AGENDA_DEFER = "agenda_defer"
AGENDA_ADD_AOB = "agenda_add_aob"
AGENDA_REMOVE_AOB = "agenda_remove_aob"
AGENDA_PUBLISH = "agenda_publish"
#: The buttons on the chair's copy.
AGENDA_BUTTONS = frozenset(
    {AGENDA_MOVE_UP, AGENDA_MOVE_DOWN, AGENDA_DEFER, AGENDA_ADD_AOB, AGENDA_REMOVE_AOB, AGENDA_PUBLISH}
)
#: The chair card's text box for a new line of any other business.
AOB_INPUT = "aob_text"

CHANNEL_TAIL = (
    "Request items show the reference, the school, the type of request and the support asked for: "
    "pupil details are never posted in the channel."
)
#: Teams' limit for a message, and the room kept for the activity around the card.
MAX_CARD_BYTES = 28 * 1024
ENVELOPE_BYTES = 1024


def card_bytes(content: Card) -> int:
    """The size Teams counts: the card as JSON, in bytes."""
    return len(json.dumps(content).encode())


# ---- the channel copy ------------------------------------------------------------------------


def channel_agenda_cards(view: AgendaView) -> list[Card]:
    """The card(s) posted in the community's channel: sections and items, no pupil or member detail.

    A published agenda's cards say they replace the earlier version (they are a republish). The
    first has the RSVP buttons and asks Teams for each member's own view (Universal Actions).
    """
    blocks = [
        _Block(WELCOME, [text("Welcome, introductions and apologies; the quorum check.")]),
        _Block(DECLARATIONS, [text(_declarations_line(view))]),
        *_previous_blocks(view, chair=False),
        *[_Block(FINANCE, piece) for piece in finance_pieces(view.budget, itemised=False)],
        *_item_blocks(view, _channel_item),
        *_review_blocks(view, notes=False),
        *[_Block(AOB, [text(line)]) for line in _aob_lines(view)],
        _Block(NEXT_MEETING, [text(view.next_meeting or "To be confirmed.")]),
    ]
    tail = [text(CHANNEL_TAIL, subtle=True)]
    first, *rest = _split(lambda part, parts: _channel_head(view, part, parts), blocks, tail, [])
    return [agenda_shared_refresh(first, view.meeting_id), *rest]


def _channel_head(view: AgendaView, part: int, parts: int) -> list[Element]:
    elements: list[Element] = [heading(_title("Agenda", view, part, parts))]
    if part > 1:
        return elements + [text(view.when, subtle=True)]
    elements.append(
        facts([("When", view.when), ("Where", view.where), ("Chair", view.chair or "To be confirmed")])
    )
    if view.status is AgendaStatus.PUBLISHED:
        elements.append(text("Updated: this agenda replaces the version posted earlier.", subtle=True))
    if view.join_url:
        elements.append(
            {
                "type": "ActionSet",
                "actions": [{"type": "Action.OpenUrl", "title": "Join on Teams", "url": view.join_url}],
            }
        )
    return elements + agenda_rsvp_blocks(view.meeting_id)


def _channel_item(view: AgendaView, number: int, item: RequestItem) -> list[Element]:
    return [
        _container(
            [
                text(f"**5.{number} {item.ref}**"),
                facts(
                    [
                        ("School", item.school),
                        ("Type of request", item.kind),
                        ("Support asked", ", ".join(item.support) or "Not stated"),
                        ("Declarations expected", "Yes" if item.declarations_expected else "No"),
                    ]
                ),
            ]
        )
    ]


# ---- the chair's copy ------------------------------------------------------------------------


def chair_agenda_card(view: AgendaView) -> Card:
    """The chair's review copy as one card (see :func:`chair_agenda_cards` for a long agenda)."""
    return card(_chair_head(view, 1, 1) + _flow(_chair_blocks(view)), [_publish_button(view)])


def chair_agenda_cards(view: AgendaView) -> list[Card]:
    """The chair's review copy, split into parts under Teams' limit; Publish is on the last part."""
    return _split(
        lambda part, parts: _chair_head(view, part, parts), _chair_blocks(view), [], [_publish_button(view)]
    )


def chair_agenda_outcome_cards(view: AgendaView, outcome: str) -> list[Card]:
    """The chair's copy once published: what happened, then the agenda as it now stands, read-only
    (no buttons and no box to type in), so nothing on it can be pressed by mistake."""
    cards = [_read_only(part) for part in chair_agenda_cards(view)]
    cards[0]["body"].insert(1, {**text(outcome), "weight": "Bolder"})
    cards[-1]["body"].append(text("Write `agenda` to change it again.", subtle=True))
    return cards


def _read_only(part: Card) -> Card:
    return card(_no_buttons(part["body"]))


def _no_buttons(elements: list[Element]) -> list[Element]:
    kept: list[Element] = []
    for element in elements:
        kind = str(element.get("type", ""))
        if kind == "ActionSet" or kind.startswith("Input."):
            continue
        if isinstance(element.get("items"), list):
            element = {**element, "items": _no_buttons(element["items"])}
        kept.append(element)
    return kept


def _chair_blocks(view: AgendaView) -> list[_Block]:
    aob = [
        _Block(AOB, [text(line), _buttons([_button(view, "Remove", AGENDA_REMOVE_AOB, aob_index=index)])])
        for index, line in enumerate(_aob_lines(view) if view.aob else [])
    ]
    adding = [
        text("None yet." if not view.aob else "Add another:", subtle=True),
        {
            "type": "Input.Text",
            "id": AOB_INPUT,
            "placeholder": "An item of any other business (no pupil names: it is posted in the channel)",
            "maxLength": MAX_AOB_LENGTH,
        },
        _buttons([{**_button(view, "Add AOB", AGENDA_ADD_AOB), "associatedInputs": "auto"}]),
    ]
    return [
        _Block(WELCOME, [text("Welcome, introductions and apologies; the quorum check.")]),
        _Block(DECLARATIONS, [text(_declarations_line(view))]),
        *_previous_blocks(view, chair=True),
        *[_Block(FINANCE, piece) for piece in finance_pieces(view.budget)],
        *_item_blocks(view, _chair_item),
        *_review_blocks(view, notes=True),
        *aob,
        _Block(AOB, adding),
        _Block(
            NEXT_MEETING, [text(view.next_meeting or "To be confirmed: add the next meeting (Meetings).")]
        ),
    ]


def _chair_head(view: AgendaView, part: int, parts: int) -> list[Element]:
    elements: list[Element] = [heading(_title("Agenda for review", view, part, parts))]
    if part > 1:
        return elements
    if view.status is AgendaStatus.DRAFT:
        state = (
            "Draft: not posted yet. Reorder, defer or add any other business (AOB), "
            "then Publish to post it in the channel."
        )
    elif view.unpublished_changes:
        state = "Published, with changes since: Republish to update the channel's card in place."
    else:
        state = "Published: the channel shows this version."
    elements += [
        text(state),
        facts([("When", view.when), ("Where", view.where), ("Publish by", view.publish_by)]),
    ]
    return elements


def _chair_item(view: AgendaView, number: int, item: RequestItem) -> list[Element]:
    title = f"**5.{number} {item.ref}**" + (" (urgent)" if item.urgent else "")
    elements: list[Element] = [
        text(title),
        facts(
            [
                ("School", item.school),
                ("Type of request", item.kind),
                ("Support asked", ", ".join(item.support) or "Not stated"),
                ("Declarations expected", "Yes" if item.declarations_expected else "No"),
            ]
        ),
    ]
    for flagged in item.flagged:
        elements.append(
            text(f"**{flagged.name}**: {'; '.join(flagged.reasons)}. Default ruling: {flagged.ruling_text}.")
        )
    buttons = []
    if number > 1:
        buttons.append(_button(view, "Up", AGENDA_MOVE_UP, request_id=item.request_id))
    if number < len(view.items):
        buttons.append(_button(view, "Down", AGENDA_MOVE_DOWN, request_id=item.request_id))
    buttons.append(_button(view, "Defer", AGENDA_DEFER, request_id=item.request_id))
    return [_container([*elements, _buttons(buttons)])]


def _publish_button(view: AgendaView) -> Element:
    title = "Publish" if view.status is AgendaStatus.DRAFT else "Republish"
    return _button(view, title, AGENDA_PUBLISH)


def _button(view: AgendaView, title: str, action: str, **extra: int) -> Element:
    """A button carrying the meeting and the version the card shows (a stale card is refused)."""
    button = submit(title, action, meeting_id=view.meeting_id, version=view.version, **extra)
    button["associatedInputs"] = "none"
    return button


# ---- shared ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Block:
    """A piece that stays whole in one card: a section, one request item, or one AOB line."""

    section: int
    elements: list[Element]


def _item_blocks(
    view: AgendaView, render: Callable[[AgendaView, int, RequestItem], list[Element]]
) -> list[_Block]:
    if not view.items:
        return [_Block(REQUESTS, [text("No requests for this meeting.")])]
    return [_Block(REQUESTS, render(view, number, item)) for number, item in enumerate(view.items, start=1)]


def _review_blocks(view: AgendaView, *, notes: bool) -> list[_Block]:
    """The reviews due, with the school's answer; its note only on the chair's copy (never the channel)."""
    if not view.reviews:
        return [_Block(REVIEWS, [text("No reviews due.")])]
    blocks = []
    for r in view.reviews:
        lines = [text(f"{r.ref} ({r.school}): review due {r.due}")]
        if r.school_says:
            lines.append(text(f"The school says: {r.school_says.lower()}.", subtle=True))
            if notes and r.school_note:
                lines.append(text(f"Its note: “{r.school_note}”", subtle=True))
        else:
            lines.append(text("The school has not said how it went yet.", subtle=True))
        blocks.append(_Block(REVIEWS, lines))
    return blocks


def _aob_lines(view: AgendaView) -> list[str]:
    return [f"7.{number} {line}" for number, line in enumerate(view.aob, start=1)] or ["None notified."]


def _declarations_line(view: AgendaView) -> str:
    expected = sum(1 for item in view.items if item.declarations_expected)
    line = "Members declare any interests in the items of this agenda."
    if expected:
        line += f" Declarations are expected on {expected} of the {counted(len(view.items), 'request item')}."
    return line


def _previous_blocks(view: AgendaView, *, chair: bool) -> list[_Block]:
    """Section 3: the previous meeting's minutes and the open actions (see :mod:`cards.minutes.previous`)."""
    if view.minutes is None:
        return [_Block(PREVIOUS_MEETING, [text(_previous_line(view))])]
    return [_Block(PREVIOUS_MEETING, piece) for piece in previous_pieces(view.minutes, chair=chair)]


def _previous_line(view: AgendaView) -> str:
    if view.previous_meeting is None:
        return "No previous meeting on record."
    return f"Notes and actions of the meeting on {view.previous_meeting}."


def _title(name: str, view: AgendaView, part: int, parts: int) -> str:
    label = f"{name} (part {part} of {parts})" if parts > 1 else name
    return f"{label}: {view.title}"


def _container(items: list[Element]) -> Element:
    return {"type": "Container", "separator": True, "spacing": "Medium", "items": items}


def _buttons(actions: list[Element]) -> Element:
    return {"type": "ActionSet", "actions": actions}


def _with_heading(block: _Block, opens: bool) -> list[Element]:
    title = SECTION_TITLES[block.section]
    if opens:
        return [subheading(f"{block.section}. {title}"), *block.elements]
    return block.elements


def _split(
    head: Callable[[int, int], list[Element]],
    blocks: list[_Block],
    tail: list[Element],
    actions: list[Element],
    budget: int | None = None,
) -> list[Card]:
    """The blocks in as few cards as fit ``budget``; ``tail`` and ``actions`` go on the last.

    Packing depends on the part titles ("part 2 of 3"), which depend on the count: pack again
    with the new count until it holds.
    """
    parts, budget = 1, MAX_CARD_BYTES - ENVELOPE_BYTES if budget is None else budget
    for _ in range(10):
        bodies = _pack(head, blocks, tail, actions, budget, parts)
        if len(bodies) == parts:
            break
        parts = len(bodies)
    else:  # pragma: no cover - the count only grows, by at most one part per round
        raise AssertionError("the agenda could not be split into cards")
    last = len(bodies) - 1
    return [
        card(body + (tail if i == last else []), actions if i == last else None)
        for i, body in enumerate(bodies)
    ]


def _pack(
    head: Callable[[int, int], list[Element]],
    blocks: list[_Block],
    tail: list[Element],
    actions: list[Element],
    budget: int,
    parts: int,
) -> list[list[Element]]:
    """Blocks into bodies, each measured as if it were the last (so the tail always fits)."""
    bodies: list[list[Element]] = []
    body: list[Element] = []
    section = 0
    for block in blocks:
        opens = block.section != section
        section = block.section
        if body:
            grown = body + _with_heading(block, opens)
            if card_bytes(card(grown + tail, actions)) <= budget:
                body = grown
                continue
            bodies.append(body)
        # A new part: it names the section it is in, "(continued)" when the section began before.
        title = f"{block.section}. {SECTION_TITLES[block.section]}" + ("" if opens else " (continued)")
        body = [*head(len(bodies) + 1, parts), subheading(title), *block.elements]
        if card_bytes(card(body + tail, actions)) > budget:
            raise ValueError(f"one piece of the agenda (section {block.section}) does not fit in a card")
    bodies.append(body)
    return bodies


def _flow(blocks: list[_Block]) -> list[Element]:
    """The blocks in one body, each section's heading before its first block."""
    body: list[Element] = []
    section = 0
    for block in blocks:
        body += _with_heading(block, block.section != section)
        section = block.section
    return body
