"""The Request Form dialog, turn by turn through botbuilder's TestAdapter, on the demo roster."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlmodel import col, select

from bot.teams.state_storage import BotStateRow
from communities.audit import AuditEvent
from communities.clock import FixedClock
from communities.db import Database
from communities.identifying_text import find_identifying_text
from communities.messaging.outbox import Outbox, OutboxMessage
from communities.requests.identifying_answers import ACKNOWLEDGED
from communities.requests.service import save_answers, start_draft, submit
from communities.requests.tables import Request
from communities.roster.roles import Role
from communities.roster.tables import Membership, School
from tests.communities.requests.test_service import give_chats
from tests.dialogs.chat import MENU, Chat, Replies, action, flat, save_action
from tests.support.people import DANIEL, GRACE, HANNAH, PRIYA, TOM, profile_of
from tests.support.requests import COMPLETE, school_id

ONE_PUPIL: dict[str, dict[str, Any]] = {
    "type": {"request_type": "one_pupil"},
    "pupil": {
        "pupil_ref": "WM-2026-07",
        "year_group": "5",
        "sen_status": "sen_support",
        "primary_need": "semh",
        "secondary_need": "communication_interaction",
    },
    "needs": {
        "needs_summary": "Struggles to settle after break; dysregulated most afternoons.",
        "apdr_cycles": "2",
        "graduated_response": "A calm space and a key adult in the mornings.",
        "what_worked": "The key adult helped; the calm space less so.",
    },
    "support": {
        "hoped_outcome": "Settled afternoons and a plan the class team can keep up.",
        "support": "advice,specialist,funding",
        "specialists": "ep,salt",
        "funding_pounds": "1500",
    },
    "parents": {"parents_informed": "yes", "parental_agreement": "yes"},
    "urgency": {"urgency": "standard"},
}
GROUP = {
    **ONE_PUPIL,
    "type": {"request_type": "group_of_pupils"},
    "pupil": {
        "pupil_ref": "WM-Y5-GROUP",
        "pupil_count": "6",
        "year_groups": "4,5",
        "primary_need": "semh",
    },
    "needs": {k: v for k, v in ONE_PUPIL["needs"].items() if k != "apdr_cycles"},
}
WHOLE_SCHOOL = {
    **ONE_PUPIL,
    "type": {"request_type": "whole_school"},
    "needs": {
        "needs_summary": "Staff want to build confidence with sensory regulation.",
        "graduated_response": "Two twilight sessions from our SENCO.",
        "what_worked": "The visual timetables took hold; the sensory breaks did not.",
    },
    "support": {"hoped_outcome": "Staff confident with sensory regulation.", "support": "training"},
    "urgency": {"urgency": "urgent", "urgency_reason": "Three exclusions this term."},
}


def section_of(card: dict[str, Any]) -> str:
    return str(card["actions"][0]["data"]["section"])


async def walk(chat: Chat, answers: dict[str, dict[str, Any]], *, stop_at: str = "review") -> Replies:
    """Start a request and answer each card in turn until the card of ``stop_at``."""
    replies = await chat.say("request")
    seen = []
    while section_of(replies.card) != stop_at:
        section = section_of(replies.card)
        seen.append(section)
        assert seen.count(section) == 1, f"asked for {section} twice: {replies.texts}"
        replies = await chat.fill(replies.card, **answers[section])
    return replies


async def the_request(db: Database) -> Request:
    async with db.session() as session:
        return (await session.exec(select(Request).order_by(col(Request.id).desc()))).first()  # type: ignore[return-value]


async def dms(db: Database) -> list[OutboxMessage]:
    async with db.session() as session:
        return list((await session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id)))).all())


# ---- the happy paths ----------------------------------------------------------------------------


async def test_one_pupil_request_from_start_to_submit(demo_db: Database, clock: FixedClock) -> None:
    await give_chats(demo_db, clock, DANIEL, GRACE)
    chat = Chat(demo_db, clock, HANNAH)
    review = await walk(chat, ONE_PUPIL)
    shown_text = flat(review.card)
    for shown in (
        "Check request COS-CANT1-26-001",
        "WM-2026-07",
        "Year 5",
        "SEN support",
        "Social, emotional and mental health",
        "Communication and interaction",
        "Struggles to settle after break",
        "Educational psychologist (EP), Speech and language therapy (SALT)",
        "\u00a31,500",
        "Yes, they agree",
        "Standard (next meeting)",
    ):
        assert shown in shown_text, shown
    stored = (await the_request(demo_db)).details
    assert stored["pupil_ref"] == "WM-2026-07" and stored["funding_pounds"] == 1500
    assert stored["apdr_cycles"] == 2 and stored["specialists"] == ["ep", "salt"]
    assert stored["parents_informed"] is True and stored["secondary_need"] == "communication_interaction"

    done = await chat.press(action(review.card, "Submit request"))
    confirmation = flat(done.card)
    assert "Request COS-CANT1-26-001 submitted" in confirmation
    assert "Submitted" in confirmation and "The chair will review it" in confirmation
    assert "Daniel Okafor (community chair)" in confirmation and "Grace Li (vice chair)" in confirmation
    request = await the_request(demo_db)
    assert request.status == "submitted" and request.submitted_at is not None
    sent = await dms(demo_db)
    assert [m.reference["conversation"]["id"] for m in sent] == [f"a:{DANIEL}", f"a:{GRACE}"]
    assert all(
        "COS-CANT1-26-001" in m.payload["text"] and "WM-2026-07" not in m.payload["text"] for m in sent
    )
    assert chat.woken == 1
    assert (await chat.say("anything")).texts == [MENU]  # the dialog has ended


async def test_a_group_request_asks_how_many_pupils(demo_db: Database, clock: FixedClock) -> None:
    chat = Chat(demo_db, clock, HANNAH)
    pupil_card = await walk(chat, GROUP, stop_at="pupil")
    shown = flat(pupil_card.card)
    assert "About the group" in shown and "About the pupil" not in shown
    assert "Number of pupils in the group" in shown and "reference for the group" in shown
    assert "Their year groups" in shown and "Special educational needs (SEN) status" not in shown
    needs = await chat.fill(pupil_card.card, **GROUP["pupil"])
    assert "The group's needs and what has been tried" in flat(needs.card)
    assert "apdr_cycles" not in [e.get("id") for e in needs.card["body"]]
    review = await walk_on(chat, needs, GROUP)
    facts = {
        f["title"]: f["value"] for e in review.card["body"] if e["type"] == "FactSet" for f in e["facts"]
    }
    assert facts["Pupils in the group"] == "6" and facts["Year groups"] == "Year 4, Year 5"
    await chat.press(action(review.card, "Submit request"))
    request = await the_request(demo_db)
    assert request.status == "submitted" and request.details["pupil_count"] == 6
    assert request.details["year_groups"] == ["4", "5"] and "year_group" not in request.details


async def walk_on(chat: Chat, replies: Replies, answers: dict[str, dict[str, Any]]) -> Replies:
    while section_of(replies.card) != "review":
        replies = await chat.fill(replies.card, **answers[section_of(replies.card)])
    return replies


async def test_a_whole_school_request_skips_the_pupil_and_the_agreement(
    demo_db: Database, clock: FixedClock
) -> None:
    chat = Chat(demo_db, clock, HANNAH)
    first = await chat.say("request")
    needs = await chat.fill(first.card, request_type="whole_school")
    assert section_of(needs.card) == "needs" and "Step 2 of 4" in flat(needs.card)
    assert "What your school needs, in brief" in flat(needs.card)
    assert "apdr_cycles" not in [e.get("id") for e in needs.card["body"]]
    review = await walk_on(chat, needs, WHOLE_SCHOOL)
    shown = flat(review.card)
    assert "About the pupil" not in shown and "Agree to it being discussed" not in shown
    assert "Parents or carers told" not in shown and "Assess-plan-do-review" not in shown
    assert "Urgent" in shown and "Three exclusions this term." in shown
    assert [
        a["data"]["edit"] for e in review.card["body"] if e["type"] == "ActionSet" for a in e["actions"]
    ] == [
        "type",
        "needs",
        "support",
        "urgency",
    ]
    await chat.press(action(review.card, "Submit request"))
    request = await the_request(demo_db)
    assert request.status == "submitted" and request.urgency == "urgent"
    for pupil_only in ("pupil_ref", "apdr_cycles", "parents_informed", "parental_agreement"):
        assert pupil_only not in request.details


async def test_changing_to_whole_school_clears_the_pupil_details(
    demo_db: Database, clock: FixedClock
) -> None:
    chat = Chat(demo_db, clock, HANNAH)
    review = await walk(chat, ONE_PUPIL)
    type_card = await chat.press(action(review.card, "Edit: what the request is for"))
    back_at_review = await chat.fill(type_card.card, request_type="whole_school")
    assert section_of(back_at_review.card) == "review"
    details = (await the_request(demo_db)).details
    assert details["request_type"] == "whole_school"
    assert all(details.get(name) is None for name in ("pupil_ref", "year_group", "parental_agreement"))
    assert "WM-2026-07" not in flat(back_at_review.card)


# ---- every validation re-prompt -----------------------------------------------------------------

REPROMPTS = [
    ("type", {"request_type": ""}, "Choose what the request is for."),
    ("type", {"request_type": "everything"}, "Choose what the request is for."),
    ("pupil", {"pupil_ref": ""}, "Give your school's own pupil reference"),
    ("pupil", {"pupil_ref": "x" * 31}, "up to 30 characters"),
    ("pupil", {"pupil_ref": "Oliver Smith"}, "could identify a pupil"),
    ("pupil", {"pupil_ref": "B801200005001"}, "could identify a pupil"),
    ("pupil", {"year_group": "14"}, "Choose a year group: Reception, or 1 to 13."),
    ("pupil", {"sen_status": ["ehcp"]}, "Choose the special educational needs (SEN) status."),
    ("pupil", {"primary_need": ""}, "Choose the primary area of need."),
    ("pupil", {"secondary_need": "semh"}, "must be another of the four areas"),
    ("pupil", {"secondary_need": "astrology"}, "must be another of the four areas"),
    ("needs", {"needs_summary": "   "}, "Write the needs in brief."),
    ("needs", {"needs_summary": "x" * 2001}, "Keep the needs in brief under 2,000 characters."),
    ("needs", {"apdr_cycles": "two"}, "assess-plan-do-review cycles"),
    ("needs", {"apdr_cycles": "21"}, "assess-plan-do-review cycles"),
    ("needs", {"graduated_response": ""}, "Write what has been tried so far."),
    ("needs", {"what_worked": {"evil": True}}, "Write what worked and what did not."),
    ("support", {"hoped_outcome": ""}, "Write the outcome you hope for."),
    ("support", {"support": ""}, "Choose at least one kind of support."),
    ("support", {"support": "advice,bribery"}, "Choose at least one kind of support."),
    ("support", {"specialists": ""}, "Say which specialist input"),
    ("support", {"specialists": "ep,other", "specialist_other": ""}, "Write which other specialist."),
    ("support", {"funding_pounds": "lots"}, "in whole pounds"),
    ("support", {"funding_pounds": "0"}, "in whole pounds"),
    ("support", {"funding_pounds": "12.50"}, "in whole pounds"),
    ("support", {"support": "other", "support_other": ""}, "Write what other support you ask for."),
    ("parents", {"parents_informed": ""}, "Say whether the parents or carers have been told."),
    ("parents", {"parental_agreement": "no"}, "Parents or carers must agree"),
    ("parents", {"parents_informed": "no"}, "can only agree once they have been told"),
    ("urgency", {"urgency": "asap"}, "Choose standard or urgent."),
    ("urgency", {"urgency": "urgent", "urgency_reason": ""}, "Write why it is urgent."),
]


@pytest.mark.parametrize(
    ("section", "wrong", "reason"), REPROMPTS, ids=[f"{r[0]}-{r[2][:24]}" for r in REPROMPTS]
)
async def test_a_wrong_answer_is_asked_again_with_the_reason(
    demo_db: Database, clock: FixedClock, section: str, wrong: dict[str, Any], reason: str
) -> None:
    chat = Chat(demo_db, clock, HANNAH)
    at = await walk(chat, ONE_PUPIL, stop_at=section)
    before = (await the_request(demo_db)).details
    again = await chat.press(save_action(at.card), **{**ONE_PUPIL[section], **wrong})
    assert section_of(again.card) == section
    attention = [e["text"] for e in again.card["body"] if e.get("color") == "Attention"]
    assert len(attention) == 1 and reason in attention[0], attention
    assert (await the_request(demo_db)).details == before  # nothing of a wrong answer is saved
    fixed = await chat.fill(again.card, **ONE_PUPIL[section])
    assert section_of(fixed.card) != section  # and the right answer moves on


async def test_numbers_and_choices_are_read_the_way_clients_send_them(
    demo_db: Database, clock: FixedClock
) -> None:
    chat = Chat(demo_db, clock, HANNAH)
    at = await walk(chat, ONE_PUPIL, stop_at="support")
    answers = {**ONE_PUPIL["support"], "funding_pounds": "\u00a32,500", "specialists": ["ot"]}
    await chat.press(save_action(at.card), **answers)
    details = (await the_request(demo_db)).details
    assert details["funding_pounds"] == 2500 and details["specialists"] == ["ot"]


# ---- text that may identify a child -----------------------------------------------------------


async def test_identifying_text_is_warned_about_and_can_be_rephrased(
    demo_db: Database, clock: FixedClock
) -> None:
    chat = Chat(demo_db, clock, HANNAH)
    at = await walk(chat, ONE_PUPIL, stop_at="needs")
    named = {**ONE_PUPIL["needs"], "needs_summary": "Jack Smith (DOB 12/03/2016) struggles after break."}
    warned = await chat.press(save_action(at.card), **named)
    warning = [e["text"] for e in warned.card["body"] if e.get("color") == "Warning"]
    assert (
        len(warning) == 1 and "This may identify a child" in warning[0] and "The needs in brief" in warning[0]
    )
    assert "needs_summary" not in (await the_request(demo_db)).details  # not saved while in doubt
    assert [a["title"] for a in warned.card["actions"]][:2] == [
        "Save my changes",
        "Keep it as written (it is not about a pupil)",
    ]
    rephrased = await chat.fill(warned.card, needs_summary="WM-2026-07 struggles after break.")
    assert section_of(rephrased.card) == "support"
    details = (await the_request(demo_db)).details
    assert details["needs_summary"] == "WM-2026-07 struggles after break." and details[ACKNOWLEDGED] == {}


async def test_identifying_text_can_be_kept_and_the_choice_is_recorded(
    demo_db: Database, clock: FixedClock
) -> None:
    chat = Chat(demo_db, clock, HANNAH)
    at = await walk(chat, ONE_PUPIL, stop_at="needs")
    wording = {**ONE_PUPIL["needs"], "graduated_response": "Training from Sam Carter on emotion coaching."}
    warned = await chat.press(save_action(at.card), **wording)
    assert "What has been tried" in flat(warned.card)
    kept = await chat.press(action(warned.card, "Keep it as written"), **wording)
    assert section_of(kept.card) == "support"
    details = (await the_request(demo_db)).details
    assert details["graduated_response"] == "Training from Sam Carter on emotion coaching."
    profile = await profile_of(demo_db, HANNAH)
    assert details[ACKNOWLEDGED] == {
        "graduated_response": {
            "by_person_id": profile.person_id,
            "at": clock.now().isoformat(),
            "kinds": ["name"],
            "statement": "It is not about a pupil.",
        }
    }
    # Changing the text later drops the acknowledgement for it.
    review = await walk_on(chat, kept, ONE_PUPIL)
    needs = await chat.press(action(review.card, "Edit: needs"))
    await chat.fill(needs.card, graduated_response="Emotion coaching training for staff.")
    assert (await the_request(demo_db)).details[ACKNOWLEDGED] == {}


async def test_staff_of_the_community_may_be_named(demo_db: Database, clock: FixedClock) -> None:
    chat = Chat(demo_db, clock, HANNAH)
    at = await walk(chat, ONE_PUPIL, stop_at="needs")
    advice = "Daniel Okafor advised on a calm space."
    assert find_identifying_text(advice)  # a name, were he not one of the community's staff
    staff = {**ONE_PUPIL["needs"], "graduated_response": advice}
    moved = await chat.press(save_action(at.card), **staff)
    assert section_of(moved.card) == "support"


# ---- cancel, back and help at any step ------------------------------------------------------------


@pytest.mark.parametrize("how", ["typed", "button"])
async def test_cancel_ends_the_dialog_and_keeps_the_draft(
    demo_db: Database, clock: FixedClock, how: str
) -> None:
    chat = Chat(demo_db, clock, HANNAH)
    at = await walk(chat, ONE_PUPIL, stop_at="needs")
    stopped = await (chat.say("cancel") if how == "typed" else chat.press(action(at.card, "Cancel")))
    said = stopped.text if how == "typed" else flat(stopped.card)
    assert "Your draft **COS-CANT1-26-001** is saved" in said and "`continue`" in said
    if how == "button":  # the card pressed now says so, with nothing left to press
        assert stopped.updated and "actions" not in stopped.card and "Input." not in flat(stopped.card)
    assert (await chat.say("Struggles after break")).texts == [MENU]
    request = await the_request(demo_db)
    assert request.status == "draft" and request.details["pupil_ref"] == "WM-2026-07"


async def test_cancel_before_a_draft_exists_starts_nothing(demo_db: Database, clock: FixedClock) -> None:
    await add_school_role(demo_db, HANNAH, "990102")
    chat = Chat(demo_db, clock, HANNAH)
    await chat.say("request")
    assert "no request was started" in (await chat.say("stop")).text
    assert await the_request(demo_db) is None


@pytest.mark.parametrize("how", ["typed", "button"])
async def test_back_goes_to_the_previous_section_with_the_answers_kept(
    demo_db: Database, clock: FixedClock, how: str
) -> None:
    chat = Chat(demo_db, clock, HANNAH)
    at = await walk(chat, ONE_PUPIL, stop_at="needs")
    back = await (chat.say("back") if how == "typed" else chat.press(action(at.card, "Back")))
    assert section_of(back.card) == "pupil"
    assert next(e for e in back.card["body"] if e.get("id") == "pupil_ref")["value"] == "WM-2026-07"
    first = await chat.say("back")
    assert section_of(first.card) == "type"
    stays = await chat.say("back")
    assert "This is the first step" in stays.text and section_of(stays.card) == "type"
    onward = await chat.fill(stays.card)  # the type card keeps the answer given
    assert section_of(onward.card) == "pupil"


async def test_back_skips_the_pupil_section_for_whole_school_and_leaves_the_review(
    demo_db: Database, clock: FixedClock
) -> None:
    chat = Chat(demo_db, clock, HANNAH)
    first = await chat.say("request")
    needs = await chat.fill(first.card, request_type="whole_school")
    back = await chat.say("back")
    assert section_of(back.card) == "type"
    needs_again = await chat.fill(back.card)  # the type card shows the answer already given
    assert section_of(needs_again.card) == "needs" and needs_again.card == needs.card
    review = await walk_on(chat, needs_again, WHOLE_SCHOOL)
    assert section_of((await chat.press(action(review.card, "Back"))).card) == "urgency"


async def test_help_explains_the_step_and_stays_in_it(demo_db: Database, clock: FixedClock) -> None:
    chat = Chat(demo_db, clock, HANNAH)
    at = await walk(chat, ONE_PUPIL, stop_at="pupil")
    helped = await chat.say("help")
    assert "school's own pupil reference" in helped.text and "`back`" in helped.text
    assert helped.cards == []
    moved = await chat.press(save_action(at.card), **ONE_PUPIL["pupil"])
    assert section_of(moved.card) == "needs"


async def test_the_help_button_opens_the_steps_help_on_the_card_itself(
    demo_db: Database, clock: FixedClock
) -> None:
    """Help is shown on the card, without a turn: nothing typed is lost and nothing new is posted."""
    chat = Chat(demo_db, clock, HANNAH)
    at = await walk(chat, GROUP, stop_at="pupil")
    [help_button] = [a for a in at.card["actions"] if a["title"] == "Help"]
    assert help_button["type"] == "Action.ToggleVisibility"
    [shown] = [e for e in at.card["body"] if e.get("id") in help_button["targetElements"]]
    assert shown["isVisible"] is False and "reference for the group" in shown["text"]


async def test_an_old_card_s_help_button_still_gets_an_answer(demo_db: Database, clock: FixedClock) -> None:
    """Cards sent before Help opened on the card pressed it as a submit: those still get the help."""
    chat = Chat(demo_db, clock, HANNAH)
    at = await walk(chat, ONE_PUPIL, stop_at="pupil")
    helped = await chat.press({**save_action(at.card), "command": "help"})
    assert "school's own pupil reference" in helped.text and helped.cards == []


async def test_help_at_the_review_and_other_text_get_an_answer(demo_db: Database, clock: FixedClock) -> None:
    chat = Chat(demo_db, clock, HANNAH)
    await walk(chat, ONE_PUPIL)
    assert "Nothing is sent until you submit" in (await chat.say("?")).text
    other = await chat.say("what now?")
    assert "Please answer with the card" in other.text and section_of(other.card) == "review"


# ---- resuming ---------------------------------------------------------------------------------------


async def test_a_restart_mid_dialog_carries_on_where_it_was(demo_db: Database, clock: FixedClock) -> None:
    chat = Chat(demo_db, clock, HANNAH)
    at = await walk(chat, ONE_PUPIL, stop_at="needs")
    chat.restart()  # new storage, state, dialog and adapter objects on the same database
    moved = await chat.press(save_action(at.card), **ONE_PUPIL["needs"])
    assert section_of(moved.card) == "support"


async def test_continue_my_draft_resumes_at_the_first_incomplete_section_days_later(
    demo_db: Database, clock: FixedClock
) -> None:
    chat = Chat(demo_db, clock, HANNAH)
    await walk(chat, ONE_PUPIL, stop_at="needs")
    await chat.say("cancel")
    clock.advance(days=4)
    chat.restart()
    resumed = await chat.say("continue")
    assert "Request **COS-CANT1-26-001**" in resumed.text and "where you left off" in resumed.text
    assert section_of(resumed.card) == "needs"
    review = await walk_on(chat, resumed, ONE_PUPIL)
    assert "WM-2026-07" in flat(review.card)


async def test_continue_with_everything_answered_goes_to_the_review(
    demo_db: Database, clock: FixedClock
) -> None:
    chat = Chat(demo_db, clock, HANNAH)
    await walk(chat, ONE_PUPIL)
    await chat.say("cancel")
    resumed = await chat.say("continue")
    assert "everything is answered" in resumed.text and section_of(resumed.card) == "review"


async def test_continue_without_a_draft_says_so(demo_db: Database, clock: FixedClock) -> None:
    chat = Chat(demo_db, clock, HANNAH)
    assert "You have no draft request" in (await chat.say("continue")).text


async def test_a_new_request_while_a_draft_waits_offers_both(demo_db: Database, clock: FixedClock) -> None:
    chat = Chat(demo_db, clock, HANNAH)
    await walk(chat, ONE_PUPIL, stop_at="needs")
    await chat.say("cancel")
    offer = await chat.say("request")
    assert "COS-CANT1-26-001" in flat(offer.card) and await count_requests(demo_db) == 1
    resumed = await chat.press(action(offer.card, "Continue COS-CANT1-26-001"))
    assert section_of(resumed.card) == "needs"
    await chat.say("cancel")
    fresh = await chat.press(action(offer.card, "Start a new request"))
    assert "COS-CANT1-26-002" in fresh.text and section_of(fresh.card) == "type"


async def count_requests(db: Database) -> int:
    async with db.session() as session:
        return len((await session.exec(select(Request))).all())


# ---- edit from the review -----------------------------------------------------------------------


async def test_edit_from_the_review_changes_one_section_and_returns(
    demo_db: Database, clock: FixedClock
) -> None:
    chat = Chat(demo_db, clock, HANNAH)
    review = await walk(chat, ONE_PUPIL)
    pupil = await chat.press(action(review.card, "Edit: about the pupil"))
    assert section_of(pupil.card) == "pupil"
    again = await chat.fill(pupil.card, year_group="R")
    assert section_of(again.card) == "review" and "Reception" in flat(again.card)
    assert (await the_request(demo_db)).details["year_group"] == "R"
    edit_back = await chat.press(action(again.card, "Edit: urgency"))
    assert section_of((await chat.say("back")).card) == "review"  # back from an edit: the review
    assert section_of(edit_back.card) == "urgency"


async def test_an_edit_that_makes_another_section_incomplete_asks_for_it_first(
    demo_db: Database, clock: FixedClock
) -> None:
    chat = Chat(demo_db, clock, HANNAH)
    first = await chat.say("request")
    review = await walk_on(chat, await chat.fill(first.card, request_type="whole_school"), WHOLE_SCHOOL)
    type_card = await chat.press(action(review.card, "Edit: what the request is for"))
    pupil = await chat.fill(type_card.card, request_type="one_pupil")
    assert section_of(pupil.card) == "pupil"
    needs = await chat.fill(pupil.card, **ONE_PUPIL["pupil"])
    assert section_of(needs.card) == "needs"  # the assess-plan-do-review cycles are now asked
    parents = await chat.fill(needs.card, **ONE_PUPIL["needs"])
    assert section_of(parents.card) == "parents"  # and the agreement is needed
    back_at_review = await chat.fill(parents.card, **ONE_PUPIL["parents"])
    assert section_of(back_at_review.card) == "review"


# ---- old, stale and forged cards --------------------------------------------------------------------


async def test_the_form_moves_through_its_steps_on_one_card_and_ends_read_only(
    demo_db: Database, clock: FixedClock
) -> None:
    chat = Chat(demo_db, clock, HANNAH)
    first = await chat.say("request")
    [card_id] = [a.id for a in first.activities]
    replies = first
    while section_of(replies.card) != "review":
        replies = await chat.fill(replies.card, **ONE_PUPIL[section_of(replies.card)])
        assert [a.id for a in replies.activities] == [card_id] and replies.updated  # edited, not posted
    done = await chat.press(action(replies.card, "Submit request"))
    assert [a.id for a in done.updated] == [card_id]
    assert "Request COS-CANT1-26-001 submitted" in flat(done.card)
    assert "actions" not in done.card and "Action." not in flat(done.card)  # nothing left to press


async def test_a_typed_command_answers_below_and_leaves_one_live_card(
    demo_db: Database, clock: FixedClock
) -> None:
    chat = Chat(demo_db, clock, HANNAH)
    needs = await walk(chat, ONE_PUPIL, stop_at="needs")
    back = await chat.say("back")
    [retired] = back.updated
    assert retired.id == needs.activities[-1].id and "out of date" in flat(retired.attachments[0].content)
    assert "Action." not in flat(retired.attachments[0].content)  # the old card has nothing to press
    assert section_of(back.card) == "pupil" and back.activities[-1].id != retired.id  # sent below
    stopped = await chat.say("cancel")
    [card] = stopped.updated
    assert card.id == back.activities[-1].id and "Stopped: the draft is saved." in flat(
        card.attachments[0].content
    )
    assert "Action." not in flat(card.attachments[0].content) and "is saved" in stopped.text


async def test_after_a_typed_back_the_card_sent_below_carries_on_in_place(
    demo_db: Database, clock: FixedClock
) -> None:
    chat = Chat(demo_db, clock, HANNAH)
    pupil = await walk(chat, ONE_PUPIL, stop_at="pupil")
    back = await chat.say("back")  # the type card, below; the pupil card is retired
    live = back.activities[-1].id
    pressed = await chat.fill(back.card)  # on the type card: it becomes the pupil step
    assert [a.id for a in pressed.activities] == [live] and section_of(pressed.card) == "pupil"
    assert pupil.activities[-1].id not in [a.id for a in pressed.activities]


async def test_a_card_from_an_earlier_step_keeps_what_was_typed_without_saving_it(
    demo_db: Database, clock: FixedClock
) -> None:
    chat = Chat(demo_db, clock, HANNAH)
    first = await chat.say("request")
    pupil = await chat.fill(first.card, request_type="one_pupil")
    same = await chat.fill(first.card, request_type="one_pupil")  # an old copy, nothing new on it
    assert "from an earlier step or another request" in same.text and section_of(same.card) == "pupil"
    changed = await chat.fill(first.card, request_type="community_wide")
    assert "not saved it over your newer answers" in changed.text and section_of(changed.card) == "type"
    assert next(e for e in changed.card["body"] if e.get("id") == "request_type")["value"] == "community_wide"
    assert (await the_request(demo_db)).details["request_type"] == "one_pupil"  # not saved unseen
    saved = await chat.fill(changed.card)
    assert (await the_request(demo_db)).details["request_type"] == "community_wide"
    assert section_of(saved.card) != "type"
    assert section_of((await chat.fill(pupil.card, **ONE_PUPIL["pupil"])).card) != "pupil"


async def test_a_card_with_another_schools_request_id_is_refused_and_audited(
    demo_db: Database, clock: FixedClock
) -> None:
    tom = await profile_of(demo_db, TOM)
    async with demo_db.session() as session:
        theirs = await start_draft(session, clock, tom, await school_id(demo_db, "990201"))
        await session.commit()
    chat = Chat(demo_db, clock, HANNAH)
    at = await walk(chat, ONE_PUPIL, stop_at="pupil")
    forged = {**save_action(at.card), "request_id": theirs.id}
    refused = await chat.press(forged, **ONE_PUPIL["pupil"])
    assert "Only a school leader or SENCO of the requesting school" in refused.text
    assert section_of(refused.card) == "pupil"
    async with demo_db.session() as session:
        changed = await session.get(Request, theirs.id)
        audit = (
            await session.exec(select(AuditEvent).where(AuditEvent.action == "request_edit_refused"))
        ).all()
    assert changed is not None and changed.details == {}
    assert [(a.entity_id, a.actor_person_id) for a in audit] == [
        (theirs.ref, (await profile_of(demo_db, HANNAH)).person_id)
    ]


async def test_a_forged_card_without_an_open_dialog_is_refused(demo_db: Database, clock: FixedClock) -> None:
    async with demo_db.session() as session:
        theirs = await start_draft(
            session, clock, await profile_of(demo_db, TOM), await school_id(demo_db, "990201")
        )
        await session.commit()
    chat = Chat(demo_db, clock, HANNAH)
    forged = {"form": "request", "section": "type", "request_id": theirs.id, "request_type": "one_pupil"}
    refused = await chat.press(forged)
    assert "Only a school leader or SENCO of the requesting school" in refused.text and refused.cards == []
    async with demo_db.session() as session:
        assert (await session.get(Request, theirs.id)).details == {}  # type: ignore[union-attr]
    assert (await chat.say("hello")).texts == [MENU]


async def test_an_old_card_after_cancel_reopens_the_draft_without_using_it(
    demo_db: Database, clock: FixedClock
) -> None:
    chat = Chat(demo_db, clock, HANNAH)
    at = await walk(chat, ONE_PUPIL, stop_at="needs")
    await chat.say("cancel")
    reopened = await chat.press(save_action(at.card), **ONE_PUPIL["needs"])
    assert "form you had stopped, so I have not saved it yet" in reopened.text
    assert section_of(reopened.card) == "needs" and "Struggles to settle" in flat(reopened.card)  # kept
    assert "needs_summary" not in (await the_request(demo_db)).details  # not saved until they say so
    moved = await chat.fill(reopened.card)
    assert section_of(moved.card) == "support"
    assert (await the_request(demo_db)).details["needs_summary"].startswith("Struggles to settle")


async def test_a_submitted_request_cannot_be_changed_by_its_old_cards(
    demo_db: Database, clock: FixedClock
) -> None:
    chat = Chat(demo_db, clock, HANNAH)
    review = await walk(chat, ONE_PUPIL)
    await chat.press(action(review.card, "Submit request"))
    again = await chat.press(action(review.card, "Submit request"))
    assert "has been submitted, so it can no longer be changed here" in again.text
    edit = await chat.press(action(review.card, "Edit: urgency"))
    assert "can no longer be changed" in edit.text and edit.cards == []


async def test_a_garbage_request_id_is_not_trusted(demo_db: Database, clock: FixedClock) -> None:
    chat = Chat(demo_db, clock, HANNAH)
    at = await walk(chat, ONE_PUPIL, stop_at="pupil")
    for junk in ("1 OR 1=1", -1, True, None, "999999"):
        replies = await chat.press({**save_action(at.card), "request_id": junk}, **ONE_PUPIL["pupil"])
        assert section_of(replies.card) == "pupil", junk
    assert "pupil_ref" not in (await the_request(demo_db)).details


# ---- submitting ---------------------------------------------------------------------------------


async def test_a_refused_submit_is_explained_and_goes_back_to_the_review(
    demo_db: Database, clock: FixedClock
) -> None:
    hannah = await profile_of(demo_db, HANNAH)
    async with demo_db.session() as session:  # an open request already counts against the limit
        other = await start_draft(session, clock, hannah, await school_id(demo_db, "990101"))
        assert other.id is not None
        await save_answers(session, clock, hannah, other.id, COMPLETE)
        await submit(session, clock, Outbox(clock), hannah, other.id)
        await session.commit()
    chat = Chat(demo_db, clock, HANNAH, max_open=1)
    review = await walk(chat, ONE_PUPIL)
    refused = await chat.press(action(review.card, "Submit request"))
    assert "COS-CANT1-26-002 was not submitted" in refused.text
    assert "already has 1 request waiting" in refused.text
    assert section_of(refused.card) == "review"
    assert (await the_request(demo_db)).status == "draft"
    assert "Stopped" in (await chat.say("cancel")).text  # still in the dialog


async def test_when_no_chair_can_be_reached_the_officers_are_told(
    demo_db: Database, clock: FixedClock
) -> None:
    await give_chats(demo_db, clock, PRIYA)
    chat = Chat(demo_db, clock, HANNAH)
    review = await walk(chat, ONE_PUPIL)
    done = await chat.press(action(review.card, "Submit request"))
    assert "asked the council officers to pass it on" in flat(done.card)
    assert [m.reference["conversation"]["id"] for m in await dms(demo_db)] == [f"a:{PRIYA}"]


async def test_typed_submit_works_at_the_review(demo_db: Database, clock: FixedClock) -> None:
    chat = Chat(demo_db, clock, HANNAH)
    await walk(chat, ONE_PUPIL)
    done = await chat.say("submit")
    assert "submitted" in flat(done.card) and (await the_request(demo_db)).status == "submitted"
    assert "let your community's chair know" in flat(done.card)  # nobody has a chat yet


# ---- who may raise, and for which school -------------------------------------------------------------


async def add_school_role(db: Database, email: str, urn: str) -> None:
    profile = await profile_of(db, email)
    async with db.session() as session:
        school = (await session.exec(select(School).where(School.urn == urn))).one()
        session.add(
            Membership(
                person_id=profile.person_id,
                role=Role.SENCO,
                school_id=school.id,
                scope_key=Membership.make_scope_key(Role.SENCO, urn, None),
                updated_at=datetime(2026, 1, 1, tzinfo=UTC),
            )
        )
        await session.commit()


async def test_staff_of_several_schools_choose_the_school_first(demo_db: Database, clock: FixedClock) -> None:
    await add_school_role(demo_db, HANNAH, "990102")
    chat = Chat(demo_db, clock, HANNAH)
    asked = await chat.say("request")
    choices = next(e for e in asked.card["body"] if e.get("id") == "school_id")["choices"]
    assert [c["title"] for c in choices] == [
        "Westgate Meadow Primary School",
        "St Dunstan's Church of England Primary School",
    ]
    not_theirs = await school_id(demo_db, "990201")
    again = await chat.press(save_action(asked.card), school_id=str(not_theirs))
    assert "Choose one of your schools" in again.text and await the_request(demo_db) is None
    started = await chat.press(save_action(asked.card), school_id=choices[1]["value"])
    assert "St Dunstan's" in started.text and section_of(started.card) == "type"
    assert (await the_request(demo_db)).school_id == await school_id(demo_db, "990102")


async def test_someone_who_is_not_school_staff_cannot_start_one(demo_db: Database, clock: FixedClock) -> None:
    chat = Chat(demo_db, clock, PRIYA)
    assert "Only a school leader or SENCO" in (await chat.say("request")).text
    assert await the_request(demo_db) is None


# ---- no pupil detail in the logs ------------------------------------------------------------------


async def test_no_pupil_detail_is_logged(
    demo_db: Database, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.DEBUG, logger="dialogs")
    chat = Chat(demo_db, clock, HANNAH)
    at = await walk(chat, ONE_PUPIL, stop_at="needs")
    await chat.press(
        save_action(at.card), **{**ONE_PUPIL["needs"], "needs_summary": "Jack Smith, DOB 12/03/2016"}
    )
    review = await walk_on(chat, await chat.say("back"), ONE_PUPIL)
    await chat.press(action(review.card, "Submit request"))
    logged = caplog.text
    assert "request COS-CANT1-26-001: pupil saved" in logged and "submitted" in logged
    for secret in ("WM-2026-07", "Jack Smith", "12/03/2016", "Struggles to settle", "key adult", "1500"):
        assert secret not in logged, secret


def leaves(value: Any) -> Iterator[Any]:
    """Every number, string and other leaf in a JSON value."""
    if isinstance(value, dict):
        for item in value.values():
            yield from leaves(item)
    elif isinstance(value, list):
        for item in value:
            yield from leaves(item)
    else:
        yield value


async def test_the_dialog_state_holds_only_the_request_id_and_the_step(
    demo_db: Database, clock: FixedClock
) -> None:
    chat = Chat(demo_db, clock, HANNAH)
    at = await walk(chat, ONE_PUPIL, stop_at="urgency")
    await chat.press(save_action(at.card), urgency="urgent", urgency_reason="")  # asked again, with answers
    async with demo_db.session() as session:
        [row] = (await session.exec(select(BotStateRow))).all()
    for secret in ("WM-2026-07", "Struggles to settle", "key adult", "Settled afternoons", "semh"):
        assert secret not in row.data, secret
    # The funding asked for, as a value (a uuid or a timestamp in the state may contain its digits).
    assert not {1500, "1500", "1,500", "£1,500"} & set(leaves(json.loads(row.data)))
    options = [
        frame["state"]["options"]
        for frame in json.loads(row.data)["DialogState"]["dialogStack"][0]["state"]["dialogs"]["dialogStack"]
    ]
    assert options == [{"request_id": 1, "quiet": True}]


async def test_submit_on_an_old_review_card_shows_the_answers_again_first(
    demo_db: Database, clock: FixedClock
) -> None:
    chat = Chat(demo_db, clock, HANNAH)
    review = await walk(chat, ONE_PUPIL)
    needs = await chat.press(action(review.card, "Edit: needs"))
    assert section_of(needs.card) == "needs"
    again = await chat.press(action(review.card, "Submit request"))  # a copy from before the edit
    assert "from before your latest changes" in again.text and section_of(again.card) == "review"
    assert (await the_request(demo_db)).status == "draft"  # not sent unseen
    done = await chat.press(action(again.card, "Submit request"))
    assert "submitted" in flat(done.card) and (await the_request(demo_db)).status == "submitted"
