"""Declarations of interest through the real app: HTTP in, cards out at the fake connector."""

from __future__ import annotations

import json
from typing import Any

from tests.bot.conftest import Post
from tests.bot.journeys.test_requests import DANIEL, HANNAH, last_card, texts, turn
from tests.support.activities import submit_data
from tests.support.fake_connector import FakeConnector


def button(card: dict[str, Any], title: str) -> dict[str, Any]:
    found = list(card.get("actions", []))
    for element in card["body"]:
        if element.get("type") == "ActionSet":
            found += element["actions"]
    return dict(next(a for a in found if a["title"] == title)["data"])


async def test_a_senco_accepts_the_code_and_declares_an_interest_and_the_chair_sees_it(
    fake: FakeConnector, post: Post
) -> None:
    menu = last_card(await turn(fake, post, HANNAH, "help"))
    shown = [data["action"] for data in submit_data(menu)]  # each button beside its description
    assert shown == [
        "raise_request",
        "my_requests",
        "meetings",
        "declare_interest",
        "find_community",
        "glossary",
    ]

    code = last_card(await turn(fake, post, HANNAH, value={"action": "declare_interest"}))
    assert "Communities of Schools: Code of Conduct" in json.dumps(code)
    accepted = await turn(fake, post, HANNAH, value=button(code, "I accept"))
    assert "You accepted the Code of Conduct (version 2025-04)" in texts(accepted)
    register = last_card(accepted)
    assert "Your declarations of interest" in json.dumps(register)

    form = last_card(await turn(fake, post, HANNAH, value=button(register, "Add an interest")))
    saved = await turn(
        fake,
        post,
        HANNAH,
        value={
            **button(form, "Save"),
            "kind": "relationship",
            "school_urn": "990103",
            "trust": "",
            "provider": "",
            "pecuniary": "no",
            "description": "My sister teaches at Harbledown Park",
        },
    )
    assert "Recorded: you declared a relationship with staff at a community school" in texts(saved)
    assert "My sister teaches at Harbledown Park" in json.dumps(last_card(saved))

    chair_menu = last_card(await turn(fake, post, DANIEL, "help"))
    shown = [data["action"] for data in submit_data(chair_menu)]
    assert shown[3:10] == [
        "meetings",
        "agenda",
        "outcomes",
        "minutes",
        "budget",
        "declare_interest",
        "declarations_compliance",
    ]
    refused = await turn(fake, post, HANNAH, "compliance")
    assert "Sorry: “Declarations compliance” is only for a" in texts(refused)

    code = last_card(await turn(fake, post, DANIEL, "compliance"))
    shown = json.dumps(last_card(await turn(fake, post, DANIEL, value=button(code, "I accept"))))
    confirmed, not_confirmed = shown.split("Not yet confirmed")
    assert "Canterbury City Community (CANT1)" in confirmed
    assert "Hannah Reid" in confirmed and "Interests as registered (1 in force)" in confirmed
    assert "Daniel Okafor" in not_confirmed and "Hannah Reid" not in not_confirmed
    fake.assert_no_violations()
