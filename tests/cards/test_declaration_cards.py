from __future__ import annotations

import json
from datetime import UTC, datetime

from cards.declaration_cards import (
    code_of_conduct_card,
    compliance_card,
    compliance_summary_card,
    interest_form_card,
    register_card,
)
from communities.declarations.code_of_conduct import CODE_OF_CONDUCT_POINTS, CODE_OF_CONDUCT_VERSION
from communities.declarations.conflict_rules import InterestKind
from communities.declarations.tables import Answer, DeclarationConfirmation, InterestDeclaration
from communities.declarations.views import (
    CommunityCompliance,
    CommunityCount,
    ComplianceSummary,
    MemberStatus,
)
from communities.declarations.year_register import YearRegister

AT = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


def interest(n: int, ended: datetime | None = None) -> InterestDeclaration:
    return InterestDeclaration(
        id=n,
        person_id=4,
        kind=InterestKind.GOVERNANCE,
        school_urn="990102",
        description=f"Governor {n}",
        declared_at=AT,
        ended_at=ended,
    )


def test_the_register_has_update_and_end_for_each_interest_in_force_and_shows_the_answer() -> None:
    answer = DeclarationConfirmation(
        person_id=4, academic_year=2026, answer=Answer.INTERESTS, confirmed_at=AT
    )
    end = datetime(2027, 8, 31, 23, tzinfo=UTC)
    card = register_card(YearRegister(4, 2026, answer, (interest(1), interest(2, ended=AT)), end))
    sets = [e["actions"] for e in card["body"] if e["type"] == "ActionSet"]
    assert [[(a["title"], a["data"]["interest_id"]) for a in s] for s in sets] == [
        [("Update", 1), ("End", 1)]
    ]
    flat = json.dumps(card, ensure_ascii=False)
    assert "Confirmed for 2026/27: **Interests as registered**, on 23 November 2026." in flat
    assert "Ended this year" in flat and "Governor 2" in flat
    assert [a["title"] for a in card["actions"]] == [
        "Add an interest",
        "My interests are still current",
        "Done",
    ]

    empty = register_card(YearRegister(4, 2026, None, (), end))
    assert [a["title"] for a in empty["actions"]] == ["Add an interest", "Nothing to declare", "Done"]
    assert "Not yet confirmed for 2026/27" in json.dumps(empty)


def test_the_form_keeps_what_was_typed_and_shows_the_problem() -> None:
    card = interest_form_card(
        {"kind": "other", "pecuniary": "yes", "description": "Shares"}, interest_id=7, problem="Bad URN"
    )
    values = {e["id"]: e.get("value") for e in card["body"] if "id" in e}
    assert values["kind"] == "other" and values["pecuniary"] == "yes" and values["description"] == "Shares"
    assert card["body"][1]["text"] == "Bad URN" and card["body"][1]["color"] == "Attention"
    assert card["actions"][0]["data"] == {"form": "declarations", "command": "save", "interest_id": 7}
    assert card["actions"][1]["associatedInputs"] == "none"


def test_compliance_lists_confirmed_with_answer_and_date_and_the_rest() -> None:
    members = (
        MemberStatus(1, "Ann", ("SENCO, Westgate",), Answer.NOTHING_TO_DECLARE, AT, 0),
        MemberStatus(2, "Bob", ("Community chair",), None, None, 0),
    )
    flat = json.dumps(compliance_card(CommunityCompliance(1, "CANT1", "Canterbury", 2026, members)))
    assert "1 of 2 members confirmed" in flat
    confirmed, rest = flat.split("Not yet confirmed")
    assert "SENCO, Westgate. Nothing to declare, 23 November 2026" in confirmed and "Bob" in rest


def test_the_compliance_summary_gives_each_community_its_counts_and_a_button_to_open_it() -> None:
    summary = ComplianceSummary(
        2026,
        (
            CommunityCount("CANT1", "Canterbury City Community", 3, 1),
            CommunityCount("MAID1", "Maidstone Town Community", 0, 0),
        ),
    )
    card = compliance_summary_card(summary)
    lines = [e["text"] for e in card["body"] if e["type"] == "TextBlock"]
    assert lines == [
        "Declarations of interest by community, 2026/27",
        "1 of 3 members confirmed, in 2 communities. Open a community to see who has not.",
        "**Canterbury City Community (CANT1)**: 1 of 3 confirmed, 2 not confirmed",
        "**Maidstone Town Community (MAID1)**: 0 of 0 confirmed, 0 not confirmed",
    ]
    buttons = [a for e in card["body"] if e["type"] == "ActionSet" for a in e["actions"]]
    assert [(b["title"], b["data"]) for b in buttons] == [
        ("Open CANT1", {"action": "declarations_compliance", "community": "CANT1"}),
        ("Open MAID1", {"action": "declarations_compliance", "community": "MAID1"}),
    ]


def test_a_county_of_53_communities_fits_in_one_teams_message() -> None:
    lines = tuple(
        CommunityCount(f"KENT{n:02d}", f"Tunbridge Wells and Rural Villages Community {n}", 30, n % 31)
        for n in range(1, 54)
    )
    card = compliance_summary_card(ComplianceSummary(2026, lines))
    assert len([e for e in card["body"] if e["type"] == "ActionSet"]) == 53
    assert len(json.dumps(card).encode()) < 28_000, "over Teams' message size"


def test_the_code_of_conduct_card_has_every_point_and_carries_its_version() -> None:
    card = code_of_conduct_card("declare_interest")
    flat = json.dumps(card, ensure_ascii=False)
    assert all(point in flat for point in CODE_OF_CONDUCT_POINTS)
    assert card["actions"] == [
        {
            "type": "Action.Submit",
            "title": "I accept",
            "data": {
                "action": "accept_code_of_conduct",
                "version": CODE_OF_CONDUCT_VERSION,
                "then": "declare_interest",
            },
        }
    ]
