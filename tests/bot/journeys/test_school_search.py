"""Finding a school by name on a declaration of interest: Teams' typeahead search, through the real app."""

from __future__ import annotations

from typing import Any

from tests.bot.conftest import Post
from tests.bot.journeys.test_declarations import button
from tests.bot.journeys.test_requests import HANNAH, last_card, texts, turn
from tests.support.activities import personal_message, user
from tests.support.fake_connector import FakeConnector

VISITOR = user(99, "Jo Visitor")  # not in the roster


def search(
    fake: FakeConnector, sender: dict[str, Any], typed: Any, dataset: str = "schools"
) -> dict[str, Any]:
    activity = personal_message(fake.url, sender)
    activity.update(
        type="invoke",
        name="application/search",
        value={"queryText": typed, "dataset": dataset, "queryOptions": {"skip": 0, "top": 15}},
    )
    return activity


async def choices(post: Post, activity: dict[str, Any]) -> list[tuple[str, str]]:
    response = await post(activity)
    body = await response.json()
    assert body["type"] == "application/vnd.microsoft.search.searchResponse"
    return [(found["title"], found["value"]) for found in body["value"]["results"]]


def school_input(card: dict[str, Any]) -> dict[str, Any]:
    return next(e for e in card["body"] if e.get("id") == "school_urn")


async def open_form(fake: FakeConnector, post: Post) -> dict[str, Any]:
    register = last_card(await turn(fake, post, HANNAH, "declare"))
    if "Code of Conduct" in str(register):
        register = last_card(await turn(fake, post, HANNAH, value=button(register, "I accept")))
    return last_card(await turn(fake, post, HANNAH, value=button(register, "Add an interest")))


async def test_the_related_school_is_found_by_name_and_stays_chosen_when_the_interest_is_updated(
    fake: FakeConnector, post: Post
) -> None:
    form = await open_form(fake, post)
    picker = school_input(form)
    assert picker["type"] == "Input.ChoiceSet" and picker["style"] == "filtered"
    assert picker["choices.data"] == {"type": "Data.Query", "dataset": "schools"}
    assert "URN" not in picker["label"]  # nobody is asked to type a URN any more

    found = await choices(post, search(fake, HANNAH, "harbl"))
    assert found == [("Harbledown Park Academy (URN 990103)", "990103")]
    assert ("Westgate Meadow Primary School (URN 990101)", "990101") in await choices(
        post, search(fake, HANNAH, "990101")
    )

    saved = await turn(
        fake,
        post,
        HANNAH,
        value={
            **button(form, "Save"),
            "kind": "relationship",
            "school_urn": found[0][1],
            "pecuniary": "no",
            "description": "My sister teaches there",
        },
    )
    assert "Recorded: you declared" in texts(saved)
    edit = last_card(await turn(fake, post, HANNAH, value=button(last_card(saved), "Update")))
    chosen = school_input(edit)
    assert chosen["value"] == "990103"
    assert chosen["choices"] == [{"title": "Harbledown Park Academy (URN 990103)", "value": "990103"}]


async def test_a_search_gets_no_choices_from_someone_not_in_the_roster_or_for_an_unknown_list(
    fake: FakeConnector, post: Post
) -> None:
    assert await choices(post, search(fake, VISITOR, "harbl")) == []
    assert await choices(post, search(fake, HANNAH, "harbl", dataset="people")) == []
    assert await choices(post, search(fake, HANNAH, "   ")) == []
    assert await choices(post, search(fake, HANNAH, {"not": "text"})) == []
