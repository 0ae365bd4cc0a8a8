"""The glossary: `glossary` (or its menu button) shows every term, to anyone registered."""

from __future__ import annotations

import json

from cards.glossary import glossary_card
from communities.glossary import TERMS
from communities.permissions import GLOSSARY, menu_for
from communities.roster.directory import PersonProfile
from dialogs.routes import chat_routes
from dialogs.routing import Place


def test_the_glossary_card_explains_every_term() -> None:
    shown = json.dumps(glossary_card(), ensure_ascii=False)
    for term in TERMS:
        assert term.term in shown and term.meaning in shown, term.term
        assert term.spelled_out in shown, term.term
    assert "not official definitions" in shown


def test_glossary_is_a_command_and_a_menu_button_for_everyone_registered() -> None:
    route = chat_routes().for_command(Place.PERSONAL, "glossary")
    assert route is not None and route.capability is GLOSSARY and route.is_menu_item
    assert GLOSSARY in menu_for(PersonProfile(9, "Sam Jones", "sam@example.org"))
