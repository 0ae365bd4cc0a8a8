"""The Request Form's cards: valid Adaptive Card 1.5, one input per answer, every section reviewed."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cards.requests.form import (
    FORM,
    confirmation_card,
    draft_choice_card,
    review_card,
    school_card,
    section_card,
)
from communities.requests.form import SECTIONS, Section, fields_not_asked
from communities.requests.tables import RequestType
from tests.support.requests import COMPLETE

FULL: dict[str, Any] = {
    **COMPLETE,
    "secondary_need": "communication_interaction",
    "apdr_cycles": 2,
    "what_worked": "The key adult helped.",
    "support": ["advice", "specialist", "funding", "other"],
    "specialists": ["ep", "other"],
    "specialist_other": "Music therapist",
    "support_other": "A visit to a resourced provision.",
    "urgency": "urgent",
    "urgency_reason": "Risk of exclusion.",
}
GROUP = {
    **{k: v for k, v in FULL.items() if k not in fields_not_asked(RequestType.GROUP_OF_PUPILS)},
    "request_type": "group_of_pupils",
    "pupil_count": 6,
    "year_groups": ["4", "5"],
}
WHOLE_SCHOOL = {
    key: value for key, value in FULL.items() if key not in fields_not_asked(RequestType.WHOLE_SCHOOL)
} | {"request_type": "whole_school"}

# ---- a checker for the Adaptive Card 1.5 shapes these cards use ---------------------------------

_TEXT_COLORS = {"Default", "Dark", "Light", "Accent", "Good", "Warning", "Attention"}
_REQUIRED = {
    "TextBlock": {"text": str},
    "FactSet": {"facts": list},
    "ActionSet": {"actions": list},
    "Input.Text": {"id": str},
    "Input.Number": {"id": str},
    "Input.ChoiceSet": {"id": str, "choices": list},
    "Container": {"items": list},
}


def check_card(card: dict[str, Any]) -> list[str]:
    """Problems with ``card`` as an Adaptive Card 1.5 for Teams (empty: fine). Returns the input ids."""
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.5"
    assert card["$schema"] == "http://adaptivecards.io/schemas/adaptive-card.json"
    assert isinstance(card["body"], list) and card["body"]
    assert len(json.dumps(card).encode()) < 28_000, "over Teams' message size"
    ids: list[str] = []
    for element in card["body"]:
        _check_element(element, ids)
    assert len(card.get("actions", [])) <= 6, "Teams shows at most 6 card actions"
    for action in card.get("actions", []):
        _check_action(action)
    assert len(ids) == len(set(ids)), f"input ids repeat: {ids}"
    return ids


def _check_element(element: dict[str, Any], ids: list[str]) -> None:
    kind = element.get("type")
    assert kind in _REQUIRED, f"unexpected element {kind}"
    for name, expected in _REQUIRED[kind].items():
        assert isinstance(element.get(name), expected), f"{kind}.{name}"
    if kind == "TextBlock":
        assert element["text"].strip()
        assert element.get("color", "Default") in _TEXT_COLORS
        assert element.get("weight", "Default") in {"Lighter", "Default", "Bolder"}
    elif kind == "FactSet":
        assert all(
            set(f) == {"title", "value"} and all(isinstance(v, str) for v in f.values())
            for f in element["facts"]
        )
    elif kind == "ActionSet":
        for action in element["actions"]:
            _check_action(action)
    elif kind == "Container":
        for item in element["items"]:
            _check_element(item, ids)
    else:
        _check_input(element)
        ids.append(element["id"])


def _check_input(element: dict[str, Any]) -> None:
    assert element["id"].isidentifier() and isinstance(element.get("label"), str) and element["label"]
    if element.get("isRequired"):
        assert isinstance(element.get("errorMessage"), str) and element["errorMessage"]
    kind = element["type"]
    if kind == "Input.Text":
        assert isinstance(element["value"], str) and isinstance(element["isMultiline"], bool)
        assert isinstance(element["maxLength"], int) and len(element["value"]) <= element["maxLength"]
    elif kind == "Input.Number":
        assert isinstance(element["min"], int) and isinstance(element["max"], int)
        assert element["min"] <= element.get("value", element["min"]) <= element["max"]
    else:
        values = [c["value"] for c in element["choices"]]
        assert all(set(c) == {"title", "value"} and isinstance(c["value"], str) for c in element["choices"])
        assert len(values) == len(set(values))
        assert element["style"] in {"compact", "expanded"} and isinstance(element["isMultiSelect"], bool)
        chosen = element.get("value")
        if chosen is not None:
            parts = chosen.split(",") if element["isMultiSelect"] else [chosen]
            assert all(p in values for p in parts), (element["id"], chosen)


def _check_action(action: dict[str, Any]) -> None:
    assert isinstance(action["title"], str) and action["title"]
    if action["type"] == "Action.ToggleVisibility":
        assert action["targetElements"] and all(isinstance(t, str) for t in action["targetElements"])
        return
    assert action["type"] == "Action.Submit"
    assert isinstance(action["data"], dict)
    assert action.get("associatedInputs", "auto") in {"auto", "none"}


def all_cards() -> list[tuple[str, dict[str, Any]]]:
    cards: list[tuple[str, dict[str, Any]]] = [
        ("school", school_card([(1, "Westgate Meadow Primary School"), (2, "St Dunstan's")])),
        ("draft choice", draft_choice_card("COS-CANT1-26-001", 7, "Westgate Meadow Primary School")),
        (
            "confirmation",
            confirmation_card(
                ref="COS-CANT1-26-001",
                school="Westgate",
                community="Canterbury City Community (CANT1)",
                status="Submitted",
                next_step="The chair will review it.",
                told="I have sent a message about it to Daniel Okafor (community chair).",
            ),
        ),
    ]
    for label, details in (
        ("empty", {}),
        ("one pupil", FULL),
        ("group", GROUP),
        ("whole school", WHOLE_SCHOOL),
    ):
        for section in SECTIONS:
            cards.append(
                (f"{section.name} {label}", section_card(section, ref="R", request_id=7, values=details))
            )
        cards.append(
            (
                f"review {label}",
                review_card(ref="R", request_id=7, school="S", status="Draft", details=details),
            )
        )
    note = "Please add what the educational psychologist advised."
    cards.append(
        ("pupil returned", section_card(SECTIONS[1], ref="R", request_id=7, values=FULL, chair_note=note))
    )
    cards.append(
        (
            "review returned",
            review_card(
                ref="R",
                request_id=7,
                school="S",
                status="Returned",
                details=FULL,
                chair_note=note,
                problem="Fix.",
            ),
        )
    )
    for section in SECTIONS:
        cards.append(
            (
                f"{section.name} with problems and a warning",
                section_card(
                    section,
                    ref="R",
                    request_id=7,
                    values={**FULL, "year_group": "nonsense", "support": ["bribery"]},
                    problems={section.fields[0]: "Fix this."},
                    warning="This may identify a child.",
                ),
            )
        )
    return cards


CARDS = all_cards()


@pytest.mark.parametrize(("label", "card"), CARDS, ids=[label for label, _ in CARDS])
def test_every_card_is_an_adaptive_card_1_5_with_unique_input_ids(label: str, card: dict[str, Any]) -> None:
    check_card(card)


def test_the_checker_catches_what_it_checks() -> None:
    good = section_card(SECTIONS[1], ref="R", request_id=7, values=FULL)
    twice = {**good, "body": [*good["body"], next(e for e in good["body"] if e.get("id") == "pupil_ref")]}
    with pytest.raises(AssertionError, match="input ids repeat"):
        check_card(twice)
    with pytest.raises(AssertionError):
        check_card({**good, "version": "1.6"})
    with pytest.raises(AssertionError, match="unexpected element"):
        check_card({**good, "body": [{"type": "Media"}]})


@pytest.mark.parametrize(("label", "card"), CARDS, ids=[label for label, _ in CARDS])
def test_every_form_button_names_the_form_and_the_section(label: str, card: dict[str, Any]) -> None:
    actions = list(card.get("actions", [])) + [
        a for e in card["body"] if e["type"] == "ActionSet" for a in e["actions"]
    ]
    for action in (a for a in actions if a["type"] == "Action.Submit"):
        assert action["data"]["form"] == FORM and action["data"]["section"]
        if label.startswith(("school", "confirmation")):
            assert "request_id" not in action["data"]
        elif not action["title"].startswith("Start a new"):
            assert action["data"]["request_id"] == 7


@pytest.mark.parametrize(
    ("kind", "section", "expected"),
    [
        (
            RequestType.ONE_PUPIL,
            "pupil",
            ["pupil_ref", "year_group", "sen_status", "primary_need", "secondary_need"],
        ),
        (
            RequestType.GROUP_OF_PUPILS,
            "pupil",
            ["pupil_ref", "pupil_count", "year_groups", "primary_need", "secondary_need"],
        ),
        (RequestType.ONE_PUPIL, "parents", ["parents_informed", "parental_agreement"]),
        (RequestType.GROUP_OF_PUPILS, "parents", ["parents_informed", "parental_agreement"]),
        (RequestType.WHOLE_SCHOOL, "type", ["request_type"]),
        (
            RequestType.ONE_PUPIL,
            "needs",
            ["needs_summary", "apdr_cycles", "graduated_response", "what_worked"],
        ),
        (RequestType.COMMUNITY_WIDE, "needs", ["needs_summary", "graduated_response", "what_worked"]),
        (RequestType.COMMUNITY_WIDE, "support", [*SECTIONS[3].fields]),
        (RequestType.ONE_PUPIL, "urgency", ["urgency", "urgency_reason"]),
    ],
)
def test_a_section_card_asks_for_its_own_answers(
    kind: RequestType, section: str, expected: list[str]
) -> None:
    chosen = next(s for s in SECTIONS if s.name == section)
    card = section_card(chosen, ref="R", request_id=7, values={"request_type": kind.value})
    assert check_card(card) == expected
    assert expected == list(chosen.fields_for(kind))


def value_of(card: dict[str, Any], input_id: str) -> Any:
    return next(e for e in card["body"] if e.get("id") == input_id).get("value")


def section(name: str) -> Section:
    return next(s for s in SECTIONS if s.name == name)


def test_a_section_card_shows_the_answers_already_given() -> None:
    pupil = section_card(section("pupil"), ref="R", request_id=7, values=GROUP)
    assert value_of(pupil, "pupil_ref") == "WM-2026-07" and value_of(pupil, "year_groups") == "4,5"
    assert (
        value_of(pupil, "secondary_need") == "communication_interaction"
        and value_of(pupil, "pupil_count") == 6
    )
    support = section_card(section("support"), ref="R", request_id=7, values=FULL)
    assert value_of(support, "support") == "advice,specialist,funding,other"
    assert value_of(support, "specialists") == "ep,other" and value_of(support, "funding_pounds") == 1500
    parents = section_card(section("parents"), ref="R", request_id=7, values=FULL)
    assert value_of(parents, "parents_informed") == "yes" and value_of(parents, "parental_agreement") == "yes"
    empty = section_card(section("pupil"), ref="R", request_id=7, values={"request_type": "one_pupil"})
    assert value_of(empty, "pupil_ref") == "" and value_of(empty, "year_group") is None
    assert value_of(empty, "secondary_need") == "none"
    urgency = section_card(section("urgency"), ref="R", request_id=7, values={})
    assert value_of(urgency, "urgency") == "standard"


def test_the_step_number_counts_only_the_steps_that_apply() -> None:
    def step_line(values: dict[str, Any]) -> str:
        card = section_card(section("needs"), ref="COS-X", request_id=7, values=values)
        return str(card["body"][1]["text"])

    assert step_line(FULL) == "Step 3 of 6: Needs and the graduated response"
    assert step_line(GROUP) == "Step 3 of 6: The group's needs and what has been tried"
    assert step_line(WHOLE_SCHOOL) == "Step 2 of 4: What your school needs, and what has been tried"


def test_problems_and_a_warning_are_shown_and_only_a_warning_offers_to_keep_the_wording() -> None:
    plain = section_card(section("needs"), ref="R", request_id=7, values=FULL)
    [help_text] = [e for e in plain["body"] if e.get("id") == "form_help"]
    assert help_text["isVisible"] is False and "assess-plan-do-review" in help_text["text"]
    assert plain["actions"][2] == {
        "type": "Action.ToggleVisibility",
        "title": "Help",
        "targetElements": ["form_help"],
    }  # help opens on the card itself: nothing typed is lost, no message is added
    assert [a["title"] for a in plain["actions"]] == [
        "Save and continue",
        "Back",
        "Help",
        "Cancel (keep the draft)",
    ]
    assert not [e for e in plain["body"] if e.get("color") in ("Attention", "Warning")]
    troubled = section_card(
        section("needs"),
        ref="R",
        request_id=7,
        values=FULL,
        problems={"needs_summary": "Write the needs in brief.", "apdr_cycles": "Say how many."},
        warning="This may identify a child: what looks like a name (Jack Smith).",
    )
    [attention] = [e["text"] for e in troubled["body"] if e.get("color") == "Attention"]
    assert attention == "Please check: Write the needs in brief. Say how many."
    [warning] = [e["text"] for e in troubled["body"] if e.get("color") == "Warning"]
    assert "Jack Smith" in warning
    keep = troubled["actions"][1]
    assert keep["title"].startswith("Keep it as written") and keep["data"]["keep_wording"] is True
    assert "associatedInputs" not in keep  # keeping sends the text the person kept
    commands = [a for a in troubled["actions"] if "command" in a.get("data", {})]
    assert all(a["associatedInputs"] == "none" for a in commands)


@pytest.mark.parametrize(
    ("details", "titles"),
    [
        (FULL, [s.title for s in SECTIONS]),
        (
            GROUP,
            [
                "What the request is for",
                "About the group",
                "The group's needs and what has been tried",
                "What you hope for and ask for",
                "The pupils' parents and carers",
                "Urgency",
            ],
        ),
        (
            WHOLE_SCHOOL,
            [
                "What the request is for",
                "What your school needs, and what has been tried",
                "What you hope for and ask for",
                "Urgency",
            ],
        ),
    ],
)
def test_the_review_card_shows_every_section_with_its_edit_action(
    details: dict[str, Any], titles: list[str]
) -> None:
    card = review_card(
        ref="COS-CANT1-26-001", request_id=7, school="Westgate", status="Draft", details=details
    )
    headings = [e["text"] for e in card["body"] if e["type"] == "TextBlock" and e.get("spacing") == "Medium"]
    assert headings == titles
    edits = [a for e in card["body"] if e["type"] == "ActionSet" for a in e["actions"]]
    assert [a["title"] for a in edits] == [f"Edit: {t[0].lower()}{t[1:]}" for t in titles]
    assert all(a["data"]["command"] == "edit" and a["associatedInputs"] == "none" for a in edits)
    assert (
        card["actions"][0]["title"] == "Submit request" and card["actions"][0]["data"]["command"] == "submit"
    )


def test_the_review_card_shows_the_answers_in_words() -> None:
    card = review_card(ref="COS-CANT1-26-001", request_id=7, school="Westgate", status="Draft", details=GROUP)
    facts = {f["title"]: f["value"] for e in card["body"] if e["type"] == "FactSet" for f in e["facts"]}
    assert facts["Request for"] == "A group of pupils"
    assert facts["Group reference"] == "WM-2026-07" and facts["Pupils in the group"] == "6"
    assert facts["Year groups"] == "Year 4, Year 5"
    assert "Year group" not in facts and "Special educational needs (SEN) status" not in facts
    assert facts["Primary need"] == "Social, emotional and mental health"
    assert facts["Secondary need"] == "Communication and interaction"
    assert "Assess-plan-do-review cycles completed" not in facts  # not asked of a group
    assert facts["Support asked for"] == "Advice, Specialist input, Funding, Other"
    assert facts["Specialist input"] == "Educational psychologist (EP), Other (Music therapist)"
    assert facts["Funding"] == "£1,500" and facts["Other support"] == "A visit to a resourced provision."
    assert (
        facts["Parents or carers told"] == "Yes" and facts["Agree to it being discussed"] == "Yes, they agree"
    )
    assert facts["Urgency"] == "Urgent" and facts["Why it is urgent"] == "Risk of exclusion."


def test_the_review_card_marks_an_unanswered_section() -> None:
    card = review_card(
        ref="R", request_id=7, school="S", status="Draft", details={"request_type": "community_wide"}
    )
    # what it is for is answered; the three other steps a community-wide request has are not
    assert sum(e["text"] == "Not answered yet." for e in card["body"] if e["type"] == "TextBlock") == 3


def test_the_confirmation_card_gives_the_reference_status_and_next_step() -> None:
    card = confirmation_card(
        ref="COS-CANT1-26-001",
        school="Westgate Meadow Primary School",
        community="Canterbury City Community (CANT1)",
        status="Submitted",
        next_step="The chair will review it before the submission deadline.",
        told="I have sent a message about it to Daniel Okafor (community chair).",
    )
    facts = {f["title"]: f["value"] for e in card["body"] if e["type"] == "FactSet" for f in e["facts"]}
    assert facts == {
        "Reference": "COS-CANT1-26-001",
        "School": "Westgate Meadow Primary School",
        "Community": "Canterbury City Community (CANT1)",
        "Status": "Submitted",
        "Next step": "The chair will review it before the submission deadline.",
    }
    assert "Daniel Okafor" in json.dumps(card) and "actions" not in card


NOTE = "Please add what the educational psychologist advised."


def test_a_returned_request_shows_the_chairs_note_on_every_card_the_school_edits() -> None:
    step = section_card(section("needs"), ref="R", request_id=7, values=FULL, chair_note=NOTE)
    [asked] = [e for e in step["body"] if e["type"] == "Container"]
    assert NOTE in json.dumps(asked) and "returned this request for more information" in json.dumps(asked)
    plain = section_card(section("needs"), ref="R", request_id=7, values=FULL)
    assert not [e for e in plain["body"] if e["type"] == "Container"]


def test_the_review_of_a_returned_request_has_a_field_to_answer_the_note_that_resubmitting_sends() -> None:
    card = review_card(
        ref="R", request_id=7, school="S", status="Returned", details=FULL, chair_note=NOTE, answer="Added."
    )
    assert check_card(card) == ["answer_to_chair"]
    assert value_of(card, "answer_to_chair") == "Added."
    resubmit, back = card["actions"][0], card["actions"][1]
    assert resubmit["title"] == "Resubmit request" and "associatedInputs" not in resubmit
    assert back["title"] == "Back" and "associatedInputs" not in back  # the answer goes with it too
    edits = [a for e in card["body"] if e["type"] == "ActionSet" for a in e["actions"]]
    assert edits and all("associatedInputs" not in a for a in edits)
    problem = review_card(
        ref="R",
        request_id=7,
        school="S",
        status="Returned",
        details=FULL,
        chair_note=NOTE,
        problem="Say more.",
    )
    assert [e["text"] for e in problem["body"] if e.get("color") == "Attention"] == ["Say more."]
    first = review_card(ref="R", request_id=7, school="S", status="Draft", details=FULL)
    assert check_card(first) == [] and first["actions"][0]["title"] == "Submit request"
