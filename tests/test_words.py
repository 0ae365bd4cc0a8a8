"""Every card and message is held to the style guide (``docs/style.md``).

Each card builder is rendered with the demo data of the route test (``tests/dialogs/test_routing.py``
walks ``cards/`` and fails on a builder it has no data for), and the texts of ``communities/`` that
reach people (refusal reasons, the request notices, the lifecycle's labels and next steps) are built
for every case. Then: no "(s)", no raw codes, every acronym in the glossary (``communities/glossary.py``)
and spelled out on its first use on each card, every hard word explained where it is used, and every
refusal says who can do it and what you can do instead.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import pytest

from cards.declaration_cards import compliance_card
from cards.elements import Card
from cards.meetings import timeline as timeline_cards
from cards.menu import menu_card, not_registered_text
from cards.requests.form import REVIEW_HELP, SCHOOL_HELP
from cards.welcome import link_help_text
from communities import glossary, permissions
from communities.declarations import views as declaration_views
from communities.declarations.tables import Answer
from communities.declarations.views import CommunityCompliance, MemberStatus
from communities.glossary import acronyms_in
from communities.meetings import quorum
from communities.minutes import access as minutes_access
from communities.minutes.tables import MinutesSection, MinutesStatus
from communities.outcomes import access as outcome_access
from communities.outcomes import actions as outcome_actions
from communities.outcomes import recording as outcome_recording
from communities.outcomes import school_answers
from communities.outcomes import telling as outcome_telling
from communities.outcomes import validation as outcome_validation
from communities.outcomes.decisions import ConflictRuling, OutcomeDecision, ReviewResult
from communities.outcomes.tables import ActionStatus
from communities.requests import form_checks as request_form
from communities.requests import lifecycle
from communities.requests import service as request_service
from communities.requests.conflicts import conflict_refusal_text
from communities.requests.form import SECTIONS
from communities.requests.lifecycle import RequestAction, RequestStatus
from communities.requests.tables import RequestType
from communities.roster.directory import CommunityRef, PersonProfile, RoleHeld, SchoolRef
from communities.roster.roles import Role
from communities.roster.tables import Community
from dialogs.requests.form.replies import told_text
from tests.cards.meetings.test_rsvp import tally
from tests.cards.outcomes.test_outcome_cards import school_outcome
from tests.dialogs.test_routing import SUMMARY, demo_cards

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ("cards", "communities", "dialogs", "scheduler")
#: Keys whose string values a person reads on a card (and a FactSet's facts).
SHOWN = ("text", "title", "label", "placeholder", "errorMessage", "fallbackText")


def shown_texts(node: Any) -> Iterator[str]:
    """The words a card shows, in reading order (button data, choice and input values are not shown)."""
    if isinstance(node, dict):
        if node.get("type") == "FactSet":
            for fact in node.get("facts", []):
                yield from (str(fact.get("title", "")), str(fact.get("value", "")))
            return
        for key, value in node.items():
            if key == "data":
                continue
            if isinstance(value, str) and key in SHOWN:
                yield value
            elif isinstance(value, dict | list):
                yield from shown_texts(value)
    elif isinstance(node, list):
        for value in node:
            yield from shown_texts(value)


WESTGATE = CommunityRef(1, "CANT1", "Canterbury City Community")
HANNAH = PersonProfile(
    4,
    "Hannah Reid",
    "hannah@example.org",
    (
        RoleHeld(Role.SENCO, SchoolRef(2, "990101", "Westgate Primary", WESTGATE), WESTGATE),
        RoleHeld(Role.VICE_CHAIR, None, WESTGATE),
    ),
)
AT = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


def people_cards() -> list[tuple[str, Card]]:
    """The cards whose words depend on who is shown: roles, schools and their numbers."""
    senco = MemberStatus(4, "Hannah", ("SENCO, Westgate Primary",), Answer.NOTHING_TO_DECLARE, AT, 0)
    chair = MemberStatus(5, "Daniel", ("Community chair",), None, None, 0)
    return [
        ("menu.menu_card", menu_card(HANNAH, permissions.menu_for(HANNAH), {"CANT1": ["Daniel"]})),
        (
            "declaration_cards.compliance_card",
            compliance_card(CommunityCompliance(1, "CANT1", "Canterbury", 2026, (senco, chair))),
        ),
    ]


def all_cards() -> list[tuple[str, Card]]:
    built = [(name, card) for name, cards in demo_cards().items() for card in cards]
    return built + people_cards()


NOBODY = PersonProfile(9, "Sam Jones", "sam@example.org")
CANT1 = Community(id=1, code="CANT1", name="Canterbury City Community", district="Canterbury")
SCOPE = permissions.RequestScope(school_id=1, community_id=1, community_code="CANT1")


def refusals() -> list[str]:
    """What the bot says when it refuses, to someone who holds no role."""
    said = [permissions.may_use(NOBODY, c.key).reason for c in permissions.CAPABILITIES if c.roles]
    said += [permissions.may_act_on_request(NOBODY, action, SCOPE).reason for action in RequestAction]
    said += [
        permissions.may_raise_request(NOBODY, 1).reason,
        permissions.may_view_request(NOBODY, SCOPE).reason,
        permissions.may_manage_meetings(NOBODY, 1, "CANT1").reason,
        permissions.may_manage_meetings(NOBODY, 1).reason,
        permissions.may_broadcast(NOBODY).reason,
        permissions.may_link_channel(NOBODY, CANT1).reason,
        declaration_views.REFUSED,
        outcome_access.may_not_record("CANT1"),
        outcome_access.CANCELLED,
        outcome_access.ruled_out("record the outcome of COS-CANT1-26-004", ConflictRuling.TOOK_NO_PART),
        outcome_actions.may_not_mark("CANT1", ActionStatus.DONE),
        outcome_actions.may_not_mark("CANT1", ActionStatus.CANCELLED),
        school_answers.may_not_answer("Ashford Oaks Primary"),
        minutes_access.may_not_write("CANT1"),
        *conflict_refusals(),
    ]
    return said


def conflict_refusals() -> list[str]:
    """Someone whose conflict keeps them out of deciding a request (the rules' own reasons)."""
    return [
        conflict_refusal_text(
            "accept COS-CANT1-26-004", ["Ashford Oaks Primary is your school"], ["Grace Li (vice chair)"]
        ),
        conflict_refusal_text(
            "record the outcome of COS-CANT1-26-004",
            ["a pecuniary interest declared in Speech Works Ltd"],
            [],
        ),
    ]


def outcome_messages() -> list[str]:
    """What recording outcomes says: labels, and every problem an entry can have."""
    texts = [v.label for v in (*OutcomeDecision, *ConflictRuling, *ReviewResult)]
    texts += [outcome_access.NOT_STARTED, outcome_access.NOT_AN_ITEM, outcome_recording.OWN_RULING]
    texts += [outcome_actions.NO_SUCH_ACTION, school_answers.NO_SUCH_REQUEST, school_answers.CHOOSE_A_RESULT]
    texts += [status.label for status in ActionStatus]
    bad = [
        outcome_validation.OutcomeEntry(decision=None),
        outcome_validation.OutcomeEntry(decision="maybe"),
        outcome_validation.OutcomeEntry(
            decision="funding_agreed",
            funding="-5",
            review_date=datetime(2026, 12, 1).date(),
            ideas_and_offers=(outcome_validation.Offer(""),),
            actions=(outcome_validation.ActionEntry("", None),),
        ),
        outcome_validation.OutcomeEntry(decision="not_agreed", review_date=datetime(2027, 1, 1).date()),
        outcome_validation.OutcomeEntry(decision="advice_only", funding="100"),
        outcome_validation.OutcomeEntry(decision="partially_agreed", funding="100"),
        outcome_validation.OutcomeEntry(
            decision="advice_only",
            what_is_working="x" * 2001,
            actions=(outcome_validation.ActionEntry("Share", datetime(2027, 1, 1).date()),),
        ),
    ]
    for entry in bad:
        try:
            outcome_validation.check(
                entry, meeting_day=datetime(2026, 12, 10).date(), flagged={1: "Sam Jones"}
            )
        except outcome_validation.OutcomeInvalid as invalid:
            texts += list(invalid.problems.values())
    return texts


def illegal_moves() -> list[str]:
    return [
        str(lifecycle.IllegalTransition(status, action))
        for status in RequestStatus
        for action in RequestAction
        if (status, action) not in lifecycle.TRANSITIONS
    ]


def messages() -> list[str]:
    """The texts (not cards) that reach people, built for every case."""
    words = {
        "ref": "COS-CANT1-26-004",
        "school": "Ashford Oaks Primary",
        "community": "Canterbury City Community (CANT1)",
        "kind": RequestType.ONE_PUPIL.label.lower(),
        "urgent": ", urgent",
    }
    texts = refusals() + illegal_moves()
    texts += [status.label for status in RequestStatus] + [lifecycle.next_step(s) for s in RequestStatus]
    texts += [action.label for action in RequestAction] + [kind.label for kind in RequestType]
    texts += [role.label for role in Role]
    texts += [template.format(**words) for template in request_service._TRIAGER_TEXT.values()]
    texts += [template.format(**words) for template in request_service._REQUESTER_TEXT.values()]
    texts += [
        timeline_cards.agenda_due_text(SUMMARY),
        timeline_cards.agenda_overdue_text(SUMMARY, "Ann Chair"),
        timeline_cards.agenda_overdue_text(SUMMARY, None),
        timeline_cards.unreachable_chair_text(SUMMARY, "the agenda"),
        not_registered_text("Sam", "the council's SEND team", ["Olu Officer"]),
        link_help_text("CoS Bot", ["CANT1"]),
        link_help_text("CoS Bot", []),
        told_text(["Daniel Okafor (community chair)"], True),
        told_text([], True),
        told_text([], False),
        SCHOOL_HELP,
        REVIEW_HELP,
    ]
    for kind in (None, *RequestType):
        texts += [section.help_for(kind) for section in SECTIONS] + [s.title_for(kind) for s in SECTIONS]
    texts += outcome_messages()
    texts += [outcome_telling.parents_line(d, datetime(2027, 3, 30).date()) for d in OutcomeDecision]
    texts += [outcome_telling.finance_text(school_outcome()), outcome_access.may_not_record("CANT1")]
    texts += [
        minutes_access.CANCELLED,
        minutes_access.NOT_HELD,
        minutes_access.outcomes_first(["R"], "Monday"),
    ]
    texts += [section.label for section in MinutesSection] + [status.label for status in MinutesStatus]
    for tallied in (tally(), tally(apologies=1, unrepresented=())):
        texts += list(quorum._words(CANT1, "Tuesday 19 January 2027", tallied))
    for kind in RequestType:
        texts += list(request_form.problems({"request_type": kind.value}).values())
    texts += list(request_form.problems(BAD_ANSWERS).values())
    return texts


#: Answers the form refuses, so that its problems are said.
BAD_ANSWERS = {
    "request_type": "group_of_pupils",
    "pupil_ref": "Jane Smith 12/03/2015",
    "year_group": "15",
    "pupil_count": 0,
    "apdr_cycles": 99,
    "support": ["specialist", "funding", "other"],
    "specialists": ["other"],
    "funding_pounds": -5,
    "parents_informed": False,
    "parental_agreement": True,
    "urgency": "urgent",
}


def raw_codes() -> set[str]:
    """Enum values of the domain that a person must never read: snake_case and lower-case acronyms."""
    codes: set[str] = set()
    for path in (ROOT / "communities").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef) and any(
                isinstance(base, ast.Name) and base.id == "StrEnum" for base in node.bases
            ):
                for statement in node.body:
                    if isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Constant):
                        codes.add(str(statement.value.value))
    codes |= {value.value for value in (*RequestStatus, *RequestAction) if isinstance(value, StrEnum)}
    lower_acronyms = {term.lower() for term in glossary.acronyms()}
    return {code for code in codes if "_" in code or code in lower_acronyms}


RAW = raw_codes()
SNAKE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")
#: American spellings the bot must not use (British English: organisation, cancelled, colour...).
AMERICAN = re.compile(
    r"\b(organiz\w*|\w*ization|canceled|canceling|behavior\w*|colors?|centers?|favorites?|analyz\w*|"
    r"enrollment|program|catalog|judgment)\b",
    re.IGNORECASE,
)


def problems_in(text: str) -> list[str]:
    """What breaks the style guide in one text, wherever it is shown."""
    found = []
    if "(s)" in text:
        found.append("a plural written '(s)'")
    found += [f"the American spelling {word!r}" for word in AMERICAN.findall(text)]
    for word in set(SNAKE.findall(text)) | {w for w in re.findall(r"[a-z]+", text) if w in RAW}:
        found.append(f"the raw code {word!r}")
    for acronym in acronyms_in(text):
        if acronym not in glossary.acronyms():
            found.append(f"{acronym!r}, an acronym the glossary does not have")
    return found


def card_problems(card: Card) -> list[str]:
    """A card's own rules: each acronym spelled out and each hard word explained on first use."""
    found: list[str] = []
    seen = ""
    for text in shown_texts(card):
        found += [f"{problem} in {text!r}" for problem in problems_in(text)]
        seen += " " + text.lower()
        for acronym in acronyms_in(text):
            term = glossary.acronyms().get(acronym)
            if term is not None and term.spelled_out.lower() not in seen:
                found.append(f"{acronym} is not spelled out ({term.spelled_out}) by its first use: {text!r}")
        for word, term in glossary.hard_words().items():
            if re.search(rf"\b{word}\b", text, re.IGNORECASE) and term.spelled_out not in seen:
                found.append(f"{word!r} is not explained ({term.spelled_out}) by its first use: {text!r}")
    return sorted(set(found))


@pytest.mark.parametrize(("name", "card"), all_cards(), ids=lambda value: str(value)[:40])
def test_every_card_keeps_to_the_style_guide(name: str, card: Card) -> None:
    problems = card_problems(card)
    assert not problems, f"{name}: {problems}"


@pytest.mark.parametrize("text", messages())
def test_every_message_keeps_to_the_style_guide(text: str) -> None:
    problems = problems_in(text)
    assert not problems, f"{text!r}: {problems}"


@pytest.mark.parametrize("reason", refusals())
def test_a_refusal_says_who_can_and_what_you_can_do_instead(reason: str) -> None:
    who, _, instead = reason.partition(". ")
    assert re.search(r"\b(can|is only for)\b", who), f"say who can do it: {reason}"
    assert instead.strip(), f"say what the person can do instead: {reason}"


def test_an_illegal_move_says_what_can_still_happen() -> None:
    assert str(lifecycle.IllegalTransition(RequestStatus.ACCEPTED, RequestAction.ACCEPT)) == (
        "This request has already been accepted. It can still be withdrawn."
    )
    assert str(lifecycle.IllegalTransition(RequestStatus.WITHDRAWN, RequestAction.EDIT)) == (
        "This request has been withdrawn, so it cannot be edited. Nothing more can be done with it."
    )


def string_literals() -> Iterator[tuple[str, int, str]]:
    """Every string in the product's code that is not a docstring (messages are built from these)."""
    for room in PRODUCT:
        for path in sorted((ROOT / room).rglob("*.py")):
            tree = ast.parse(path.read_text())
            docstrings = {
                id(node.body[0].value)
                for node in ast.walk(tree)
                if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
                and node.body
                and isinstance(node.body[0], ast.Expr)
            }
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Constant)
                    and isinstance(node.value, str)
                    and id(node) not in docstrings
                ):
                    yield str(path.relative_to(ROOT)), node.lineno, node.value


def test_no_text_in_the_code_writes_a_plural_as_s_in_brackets() -> None:
    found = [f"{path}:{line}" for path, line, value in string_literals() if "(s)" in value]
    assert not found, "use communities.wording.counted: " + ", ".join(found)


#: Text that reads as a sentence: words with spaces between them (not a key, a code or a format).
SENTENCE = re.compile(r"[A-Za-z]+ [a-z]+ [a-z]+")


def test_the_chat_layer_writes_no_raw_codes_or_unknown_acronyms() -> None:
    """What ``dialogs/`` and ``cards/`` say in their own sentences (the pieces of their f-strings too)."""
    found = [
        f"{path}:{line}: {problem}"
        for path, line, value in string_literals()
        if path.startswith(("dialogs/", "cards/")) and SENTENCE.search(value)
        for problem in problems_in(value)
    ]
    assert not found, found


def test_the_glossary_explains_each_term_once() -> None:
    terms = [term.term.lower() for term in glossary.TERMS]
    assert len(terms) == len(set(terms))
    for term in glossary.TERMS:
        assert term.meaning.endswith("."), term
        assert not term.acronym or term.spelled_out, term


def test_the_checks_catch_the_words_the_issue_found() -> None:
    assert problems_in("6 meeting(s)")
    assert problems_in("SEN status: sen_support")
    assert problems_in("only for a school leader, senco")
    assert problems_in("Ask the ABC")
    assert problems_in("The meeting was canceled by the organization")
    assert not problems_in("COS-ASH-26-004 from CANT1")
    assert card_problems({"body": [{"type": "TextBlock", "text": "Ask an EP"}]})
    assert not card_problems(
        {"body": [{"type": "TextBlock", "text": "Ask an educational psychologist (EP). The EP will call."}]}
    )
    assert card_problems({"body": [{"type": "TextBlock", "text": "Is it pecuniary?"}]})
