"""The buttons the bot shows: who was shown which, harvested through the real app.

Each demo person writes the commands that bring up cards with buttons, and opens each request
they are shown. What Teams would post back for each button (its ``Action.Submit`` data, with
the card's inputs filled in as a person would) is collected per person.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from tests.bot.conftest import Post
from tests.support.activities import chat_of, personal_message, submit_data, user
from tests.support.fake_connector import FakeConnector

PEOPLE = [
    user(1, "Priya Shah"),  # officer
    user(2, "Daniel Okafor"),  # chair of CANT1, school leader at Westgate
    user(3, "Grace Li"),  # school leader at St Dunstan's, vice chair of CANT1
    user(4, "Hannah Reid"),  # SENCO at Westgate
    user(5, "Tom Walsh"),  # school leader in THAN2, its chair
    user(99, "Jo Visitor"),  # not in the roster
]
#: What each person writes to see the cards with buttons on them.
COMMANDS = (
    "help",
    "requests",
    "queue",
    "agenda",
    "meetings",
    "declare",
    "compliance",
    "broadcast",
    "request",
)

#: Buttons pressed while harvesting because they show cards with more buttons (and change nothing).
OPENERS = frozenset({"request_open", "edit", "end"})

#: What a person types into an input the card leaves empty (a note of their own, say).
TYPED = {
    "Input.Text": "A note of my own",
    "Input.Number": 1,
    "Input.Date": "2027-04-20",
    "Input.Time": "16:00",
    "Input.Toggle": "true",
}


def filled_inputs(card: Any) -> dict[str, Any]:
    """Each input of a card with its value, or what a person would type into it."""
    found: dict[str, Any] = {}
    if isinstance(card, dict):
        kind, input_id = card.get("type"), card.get("id")
        if isinstance(kind, str) and kind.startswith("Input.") and isinstance(input_id, str):
            value = card.get("value")
            if value in (None, "") and kind == "Input.ChoiceSet":
                choices = card.get("choices") or [{}]
                value = choices[0].get("value", "")
            found[input_id] = value if value not in (None, "") else TYPED.get(kind, "")
        for value in card.values():
            found.update(filled_inputs(value))
    elif isinstance(card, list):
        for value in card:
            found.update(filled_inputs(value))
    return found


@dataclass(frozen=True)
class Button:
    """One button as shown: its data (what identifies it) and what a press posts back."""

    data: dict[str, Any]
    press: dict[str, Any]

    @property
    def key(self) -> str:
        return json.dumps(self.data, sort_keys=True)

    @property
    def action(self) -> str:
        return str(self.data.get("action") or self.data.get("command") or self.data.get("section") or "?")


def buttons_in(card: Any) -> list[Button]:
    inputs = filled_inputs(card)
    return [Button(data, {**inputs, **data}) for data in submit_data(card)]


async def show_every_button(fake: FakeConnector, post: Post) -> dict[str, dict[str, Button]]:
    """Every button each person was shown (by person id, then by :attr:`Button.key`)."""
    for person in PEOPLE:
        for command in COMMANDS:
            await post(personal_message(fake.url, person, command))
    # Buttons that open more buttons: a request's detail (the chair's accept and return), an
    # interest on a person's register (its update form, and the confirmation of ending it).
    for person in PEOPLE:
        for activity in list(fake.activities(chat_of(person))):
            for button in buttons_in(activity.card):
                if button.action in OPENERS:
                    await post(personal_message(fake.url, person, value=button.press))
    shown: dict[str, dict[str, Button]] = {}
    for person in PEOPLE:
        mine = shown.setdefault(person["id"], {})
        for activity in fake.activities(chat_of(person)):
            for button in buttons_in(activity.card):
                mine.setdefault(button.key, button)
    return shown
