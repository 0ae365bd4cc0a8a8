from __future__ import annotations

import json

from cards.menu import menu_card, not_registered_text
from communities.db import Database
from communities.permissions import menu_for
from tests.support.people import CHAIR_MENU_ACTIONS, DANIEL, HANNAH, PRIYA, profile_of


def actions(card: dict) -> list[str]:
    """The buttons, in the order shown: each sits in its row, beside its description."""
    return [
        action["data"]["action"]
        for element in card["body"]
        if element["type"] == "ColumnSet"
        for column in element["columns"]
        for item in column["items"]
        if item["type"] == "ActionSet"
        for action in item["actions"]
    ]


async def test_a_chair_sees_who_they_are_their_school_community_and_chair(demo_db: Database) -> None:
    daniel = await profile_of(demo_db, DANIEL)
    card = menu_card(daniel, menu_for(daniel), {"CANT1": ["Daniel Okafor"]})
    flat = json.dumps(card)
    for expected in (
        "Daniel Okafor",
        "Community chair",
        "School leader",
        "Westgate Meadow Primary School",
        "Canterbury City Community (CANT1)",
    ):
        assert expected in flat
    assert card["version"] == "1.5"
    assert actions(card) == CHAIR_MENU_ACTIONS
    assert "actions" not in card  # no buttons at the foot, away from their descriptions


async def test_the_menu_offers_only_what_the_role_may_do(demo_db: Database) -> None:
    priya = await profile_of(demo_db, PRIYA)
    hannah = await profile_of(demo_db, HANNAH)
    assert actions(menu_card(priya, menu_for(priya), {})) == [
        "requests_queue",
        "meetings",
        "agenda",
        "outcomes",
        "minutes",
        "budget",
        "ledger",
        "broadcast_dates",
        "outcomes_summary",
        "disputes",
        "report",
        "declare_interest",
        "declarations_compliance",
        "find_community",
        "link_help",
        "channel_status",
        "reach",
        "glossary",
    ]
    assert actions(menu_card(hannah, menu_for(hannah), {})) == [
        "raise_request",
        "my_requests",
        "meetings",
        "declare_interest",
        "find_community",
        "glossary",
    ]
    assert actions(menu_card(hannah, menu_for(hannah, has_draft=True), {}))[:3] == [
        "raise_request",
        "continue_draft",
        "my_requests",
    ]
    assert "continue_draft" not in actions(menu_card(priya, menu_for(priya, has_draft=True), {}))
    senco_card = json.dumps(menu_card(hannah, menu_for(hannah), {"CANT1": ["Daniel Okafor"]}))
    assert "SENCO" in senco_card and "Daniel Okafor" in senco_card


def test_an_unregistered_person_is_told_whom_to_ask() -> None:
    text = not_registered_text("Jo Visitor", "localitymodel@kent.gov.uk", ["Priya Shah (p@x)"])
    assert text.startswith("Hello Jo Visitor. You are not registered with the Communities of Schools bot")
    assert "localitymodel@kent.gov.uk" in text and "Priya Shah" in text


async def test_the_menu_is_laid_out_by_section_each_button_beside_its_description(demo_db: Database) -> None:
    daniel = await profile_of(demo_db, DANIEL)
    body = menu_card(daniel, menu_for(daniel), {})["body"]
    headings = [e["text"] for e in body if e["type"] == "TextBlock" and e.get("weight") == "Bolder"][1:]
    assert headings == [
        "Requests",
        "Meetings",
        "Declarations of interest",
        "Communities and channels",
        "Help",
    ]
    rows = [e for e in body if e["type"] == "ColumnSet"]
    for row in rows:
        described, button = row["columns"]
        [action] = button["items"][0]["actions"]
        assert described["items"][0]["text"].startswith(f"**{action['title']}**: ")
    assert not [e for e in body if e["type"] == "ActionSet"]
