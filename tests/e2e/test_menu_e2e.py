"""The chair's menu in the real Agents Playground: laid out by section, each button beside its description.

``cards.menu.menu_card`` puts each thing a person can do in a row of two columns (its title and
description, then its button) under its section's heading, because Teams shows at most six card
actions at the foot of a card, far from what they do. Here the real Adaptive Cards renderer draws it:
each heading is shown, and each button sits to the right of its own description, on the same line,
below its section's heading and above the next. Pressing one of the buttons does what it says.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator

from cards.menu import section_of
from communities.permissions import CAPABILITIES, Capability
from tests.e2e.playground import E2E
from tests.e2e.test_playground import DANIEL
from tests.support.people import CHAIR_MENU_ACTIONS

#: The chair's menu, in the order it is shown, by section.
CHAIR_CAPABILITIES = [c for key in CHAIR_MENU_ACTIONS for c in CAPABILITIES if c.key == key]
SECTIONS = list(dict.fromkeys(section_of(c) for c in CHAIR_CAPABILITIES))


def box(locator: Locator) -> dict[str, float]:
    found = locator.bounding_box()
    assert found is not None, f"not shown: {locator}"
    return found


def heading(card: Locator, section: str) -> Locator:
    """The section's heading: a text block saying just that."""
    return card.locator(".ac-textBlock").filter(has_text=re.compile(rf"^\s*{re.escape(section)}\s*$")).first


def words(capability: Capability) -> str:
    """The start of the description as the renderer shows it (markdown emphasis drawn, not written)."""
    return capability.description.replace("*", "")[:40]


@pytest.mark.e2e
def test_the_chairs_menu_shows_each_section_with_its_buttons_beside_their_descriptions(e2e: E2E) -> None:
    assert len(SECTIONS) >= 4 and len(CHAIR_CAPABILITIES) == len(CHAIR_MENU_ACTIONS)
    ui = e2e.start(as_email=DANIEL)
    ui.wait_for_bot_message("Community chair")
    shown = len(ui.observer.bot_messages("What would you like to do?"))
    ui.send("help")
    menu = ui.wait_for_bot_message("What would you like to do?", count=shown + 1)
    card = menu.locator(".ac-adaptiveCard").last
    text = card.inner_text()

    tops = []
    for section in SECTIONS:
        assert heading(card, section).count() == 1, f"no {section!r} heading on the menu:\n{text}"
        tops.append(box(heading(card, section))["y"])
    assert tops == sorted(tops), f"the sections are not in order: {SECTIONS}"

    for capability in CHAIR_CAPABILITIES:
        description = card.locator(".ac-textBlock").filter(has_text=words(capability)).first
        assert description.count() == 1, f"no description for {capability.title!r}:\n{text}"
        button = card.get_by_role("button", name=capability.title, exact=True)
        assert button.count() == 1, f"no {capability.title!r} button on the menu:\n{text}"
        said, pressed = box(description), box(button)
        middle = pressed["y"] + pressed["height"] / 2
        assert said["y"] - 8 <= middle <= said["y"] + said["height"] + 8, (
            f"{capability.title!r} is not on the line of its description: {said} {pressed}"
        )
        assert pressed["x"] >= said["x"] + said["width"] - 2, f"{capability.title!r} is not beside it"
        index = SECTIONS.index(section_of(capability))
        assert said["y"] > tops[index], f"{capability.title!r} is above its section, {SECTIONS[index]!r}"
        if index + 1 < len(tops):
            assert said["y"] < tops[index + 1], f"{capability.title!r} is below the next section"

    # A button works: Glossary, from the Help section, answers with the glossary card.
    card.get_by_role("button", name="Glossary", exact=True).click()
    ui.wait_for_bot_message("educational psychologist")
    e2e.assert_bot_healthy()
