"""Declarations of interest, the compliance view and the Code of Conduct, through botbuilder's TestAdapter.

The turn logic mirrors the handler's for these actions: the Code of Conduct gate first, then
the declarations cards, then `declare` and `compliance` (typed, or a compliance summary button).
"""

from __future__ import annotations

from typing import Any

from botbuilder.core import ConversationState, TurnContext
from botbuilder.core.adapters import TestAdapter
from botbuilder.dialogs import DialogSet
from botbuilder.schema import Activity, ChannelAccount, ConversationAccount
from sqlmodel import select

from bot.teams.state_storage import SqlStorage
from communities.audit import AuditEvent
from communities.clock import FixedClock
from communities.db import Database
from communities.declarations import code_of_conduct
from communities.declarations.tables import Answer, DeclarationConfirmation, EndReason, InterestDeclaration
from communities.declarations.year_register import active_interests
from dialogs.declarations.code_of_conduct import (
    COMPLIANCE_KEY,
    DECLARE_KEY,
    accept_code_of_conduct,
    code_of_conduct_gate,
    is_code_of_conduct_submit,
)
from dialogs.declarations.compliance import compliance_code, send_compliance
from dialogs.declarations.register_dialog import (
    DeclarationsDialog,
    continue_declarations,
    is_declarations_submit,
)
from dialogs.turn_profile import remember_profile
from tests.communities.declarations import test_register as register
from tests.dialogs.chat import MENU, Replies, action, flat
from tests.support.people import DANIEL, GRACE, HANNAH, profile_of

GOVERNOR = {
    "kind": "governance",
    "school_urn": "990102",
    "trust": "",
    "provider": "",
    "pecuniary": "no",
    "description": "Governor at St Dunstan's",
}


class DeclarationsChat:
    def __init__(self, db: Database, clock: FixedClock, email: str) -> None:
        self.db, self.clock, self.email = db, clock, email
        self.state = ConversationState(SqlStorage(db, clock))
        self.dialogs = DialogSet(self.state.create_property("DialogState"))
        self.dialogs.add(DeclarationsDialog(db, clock))
        self.adapter = TestAdapter(self._logic)
        self.adapter.template.conversation = ConversationAccount(id=f"a:chat-{email}")
        self.adapter.template.from_property = ChannelAccount(id=f"29:{email}")

    async def say(self, text: str) -> Replies:
        return await self._send(Activity(type="message", text=text))

    async def press(self, data: dict[str, Any], **values: Any) -> Replies:
        return await self._send(Activity(type="message", value={**data, **values}))

    async def _send(self, activity: Activity) -> Replies:
        self.adapter.activity_buffer.clear()
        await self.adapter.receive_activity(activity)
        return Replies(list(self.adapter.activity_buffer))

    async def _logic(self, context: TurnContext) -> None:
        profile = await profile_of(self.db, self.email)
        remember_profile(context, profile)
        dc = await self.dialogs.create_context(context)
        value = context.activity.value if isinstance(context.activity.value, dict) else None
        word = (context.activity.text or "").strip().lower()
        then = ""
        if is_code_of_conduct_submit(value):
            then = await accept_code_of_conduct(context, self.db, self.clock, profile, value or {}) or ""
        elif is_declarations_submit(value) and await code_of_conduct_gate(
            context, self.db, profile, DECLARE_KEY
        ):
            pass
        elif await continue_declarations(dc, value, word):
            pass
        elif value is not None and value.get("action") == COMPLIANCE_KEY:  # a compliance summary button
            then = COMPLIANCE_KEY
        else:
            then = {"declare": DECLARE_KEY, "compliance": COMPLIANCE_KEY}.get(word.split(" ")[0], "")
            if not then:
                await context.send_activity(MENU)
        if then and not await code_of_conduct_gate(context, self.db, profile, then):
            if then == DECLARE_KEY:
                await dc.begin_dialog(DeclarationsDialog.ID)
            else:
                code = compliance_code(context.activity.text or "", context.activity.value)
                await send_compliance(context, self.db, self.clock, profile, code)
        await self.state.save_changes(context)


async def accepted(db: Database, clock: FixedClock, *emails: str) -> None:
    people = [(await profile_of(db, email)).person_id for email in emails]  # not inside the session below
    async with db.session() as session:
        for person_id in people:
            await code_of_conduct.accept(session, clock, person_id)
        await session.commit()


async def interests_of(db: Database, email: str) -> list[InterestDeclaration]:
    return await register.interests_of(db, (await profile_of(db, email)).person_id)


async def answers_of(db: Database, email: str) -> list[DeclarationConfirmation]:
    return await register.answers_of(db, (await profile_of(db, email)).person_id)


async def test_the_code_of_conduct_comes_first_and_accepting_opens_the_register(
    demo_db: Database, clock: FixedClock
) -> None:
    chat = DeclarationsChat(demo_db, clock, HANNAH)
    asked = await chat.say("declare")
    assert "Code of Conduct" in flat(asked.card) and "I accept" in flat(asked.card)
    assert "Your declarations of interest" not in flat(asked.card)
    # A declarations card pressed before accepting is held back too.
    held = await chat.press({"form": "declarations", "command": "nothing"})
    assert "I accept" in flat(held.card) and await answers_of(demo_db, HANNAH) == []

    done = await chat.press(action(asked.card, "I accept"))
    assert "You accepted the Code of Conduct (version 2025-04) on 23 November 2026" in done.text
    assert "Your declarations of interest, 2026/27" in flat(done.card)
    person_id = (await profile_of(demo_db, HANNAH)).person_id
    async with demo_db.session() as session:
        row = await code_of_conduct.acceptance_of(session, person_id)
        assert row is not None and row.accepted_at == clock.now()
        assert not await code_of_conduct.needs_acceptance(session, person_id)

    again = await chat.say("declare")  # no second time
    assert "I accept" not in flat(again.card) and "Your declarations of interest" in flat(again.card)


async def test_an_out_of_date_code_of_conduct_card_is_not_accepted(
    demo_db: Database, clock: FixedClock
) -> None:
    chat = DeclarationsChat(demo_db, clock, HANNAH)
    replies = await chat.press(
        {"action": "accept_code_of_conduct", "version": "2019-01", "then": "declare_interest"}
    )
    assert "has changed since that card was sent" in replies.text
    async with demo_db.session() as session:
        assert await code_of_conduct.needs_acceptance(session, (await profile_of(demo_db, HANNAH)).person_id)


async def test_add_update_and_end_an_interest(demo_db: Database, clock: FixedClock) -> None:
    await accepted(demo_db, clock, HANNAH)
    chat = DeclarationsChat(demo_db, clock, HANNAH)
    register = await chat.say("declare")
    assert "Not yet confirmed for 2026/27" in flat(register.card)

    form = await chat.press(action(register.card, "Add an interest"))
    assert [e["id"] for e in form.card["body"] if e["type"].startswith("Input.")] == [
        "kind",
        "school_urn",
        "trust",
        "provider",
        "pecuniary",
        "description",
    ]
    saved = await chat.press(action(form.card, "Save"), **GOVERNOR)
    assert "Recorded: you declared a governance role on 23 November 2026" in saved.text
    assert "Governor at St Dunstan's" in flat(saved.card) and "Interests in force" in flat(saved.card)
    assert "Confirmed for 2026/27: **Interests as registered**" in flat(saved.card)
    [first] = await interests_of(demo_db, HANNAH)

    clock.advance(days=2)
    edit = await chat.press(action(saved.card, "Update"))
    assert edit.card["actions"][0]["data"]["interest_id"] == first.id
    assert {e["id"]: e.get("value") for e in edit.card["body"] if e.get("id")}["description"] == (
        "Governor at St Dunstan's"
    )
    updated = await chat.press(action(edit.card, "Save"), **{**GOVERNOR, "description": "Chair of governors"})
    assert "Recorded: you updated a governance role on 25 November 2026" in updated.text
    old, new = await interests_of(demo_db, HANNAH)
    assert old.end_reason == EndReason.UPDATED and new.previous_id == old.id and new.active

    asked = await chat.press(action(updated.card, "End"))
    assert "End this interest?" in flat(asked.card) and (await interests_of(demo_db, HANNAH))[1].active
    ended = await chat.press(action(asked.card, "Yes, end it"))
    assert "Recorded: that interest ended on 25 November 2026" in ended.text
    assert "Ended this year" in flat(ended.card) and "Chair of governors" in flat(ended.card)
    assert await interests_of(demo_db, HANNAH) != [] and (await interests_of(demo_db, HANNAH))[
        1
    ].end_reason == (EndReason.ENDED)


async def test_a_problem_with_the_interest_is_shown_on_the_form_with_what_was_typed(
    demo_db: Database, clock: FixedClock
) -> None:
    await accepted(demo_db, clock, HANNAH)
    chat = DeclarationsChat(demo_db, clock, HANNAH)
    form = await chat.press({"form": "declarations", "command": "add"})
    no_kind = await chat.press(action(form.card, "Save"), **{**GOVERNOR, "kind": ""})
    assert "Choose what kind of interest it is." in flat(no_kind.card)

    bad_urn = await chat.press(action(form.card, "Save"), **{**GOVERNOR, "school_urn": "12ab"})
    assert "A school's unique reference number (URN) is 6 digits; “12ab” isn't one." in flat(bad_urn.card)
    assert {e["id"]: e.get("value") for e in bad_urn.card["body"] if e.get("id")}["description"] == (
        "Governor at St Dunstan's"
    )
    business = {**GOVERNOR, "kind": "business_or_financial", "school_urn": "", "pecuniary": "yes"}
    no_provider = await chat.press(action(form.card, "Save"), **business)
    assert "Name the provider" in flat(no_provider.card)
    assert await interests_of(demo_db, HANNAH) == []

    fixed = await chat.press(
        action(no_provider.card, "Save"), **{**business, "provider": "Bright Minds Tutoring"}
    )
    assert "Recorded: you declared a business or financial interest" in fixed.text
    [row] = await interests_of(demo_db, HANNAH)
    assert row.pecuniary and row.provider == "Bright Minds Tutoring"


async def test_nothing_to_declare_is_recorded_with_its_date_and_refused_beside_interests(
    demo_db: Database, clock: FixedClock
) -> None:
    await accepted(demo_db, clock, HANNAH)
    chat = DeclarationsChat(demo_db, clock, HANNAH)
    register = await chat.say("declare")
    nothing = await chat.press(action(register.card, "Nothing to declare"))
    assert "Recorded: nothing to declare, on 23 November 2026" in nothing.text
    assert "Confirmed for 2026/27: **Nothing to declare**, on 23 November 2026" in flat(nothing.card)
    [answer] = await answers_of(demo_db, HANNAH)
    assert answer.answer == Answer.NOTHING_TO_DECLARE and answer.confirmed_at == clock.now()

    form = await chat.press({"form": "declarations", "command": "add"})
    await chat.press(action(form.card, "Save"), **GOVERNOR)
    forged = await chat.press({"form": "declarations", "command": "nothing"})  # an old card's button
    assert "Sorry: Your register still has 1 interest in force" in forged.text
    assert (await answers_of(demo_db, HANNAH))[-1].answer == Answer.INTERESTS


async def test_confirming_interests_declared_last_year_as_still_current(
    demo_db: Database, clock: FixedClock
) -> None:
    await accepted(demo_db, clock, HANNAH)
    chat = DeclarationsChat(demo_db, clock, HANNAH)
    form = await chat.press({"form": "declarations", "command": "add"})
    await chat.press(action(form.card, "Save"), **GOVERNOR)
    clock.advance(days=300)  # 19 September 2027: the 2027/28 year, not yet confirmed
    register = await chat.say("declare")
    assert "Not yet confirmed for 2027/28" in flat(register.card)
    assert [a["title"] for a in register.card["actions"]] == [
        "Add an interest",
        "My interests are still current",
        "Done",
    ]
    confirmed = await chat.press(action(register.card, "My interests are still current"))
    assert "Recorded: your interests are still current, confirmed on 19 September 2027" in confirmed.text
    assert "Confirmed for 2027/28: **Interests as registered**" in flat(confirmed.card)

    async with demo_db.session() as session:
        for row in await active_interests(session, (await profile_of(demo_db, HANNAH)).person_id):
            row.ended_at, row.end_reason = clock.now(), EndReason.ENDED
            session.add(row)
        await session.commit()
    refused = await chat.press({"form": "declarations", "command": "confirm"})
    assert "Sorry: There are no interests in force on your register to confirm" in refused.text


async def test_another_persons_interest_id_is_refused_and_audited(
    demo_db: Database, clock: FixedClock
) -> None:
    await accepted(demo_db, clock, HANNAH, GRACE)
    grace = DeclarationsChat(demo_db, clock, GRACE)
    form = await grace.press({"form": "declarations", "command": "add"})
    await grace.press(action(form.card, "Save"), **GOVERNOR)
    [graces] = await interests_of(demo_db, GRACE)

    hannah = DeclarationsChat(demo_db, clock, HANNAH)
    for command in ("end", "end_confirmed"):
        replies = await hannah.press({"form": "declarations", "command": command, "interest_id": graces.id})
        assert "Sorry: I can't find that interest on your register." in replies.text
    edit = await hannah.press({"form": "declarations", "command": "edit", "interest_id": graces.id})
    assert "can't find that interest" in edit.text and "Governor" not in flat(edit.card)
    update = await hannah.press(
        {"form": "declarations", "command": "save", "interest_id": graces.id},
        **{**GOVERNOR, "description": "Taken over"},
    )
    assert "I can't find that interest on your register." in flat(update.card)

    [still] = await interests_of(demo_db, GRACE)
    assert still.active and still.description == "Governor at St Dunstan's"
    assert await interests_of(demo_db, HANNAH) == []
    async with demo_db.session() as session:
        refused = (
            await session.exec(select(AuditEvent).where(AuditEvent.action == "declaration_refused"))
        ).all()
    assert len(refused) == 3 and {e.entity_id for e in refused} == {str(graces.id)}


async def test_typing_leaves_the_register_and_done_closes_it(demo_db: Database, clock: FixedClock) -> None:
    await accepted(demo_db, clock, HANNAH)
    chat = DeclarationsChat(demo_db, clock, HANNAH)
    await chat.say("declare")
    assert (await chat.say("what now")).texts == [MENU]
    register = await chat.say("declare")
    done = await chat.press(action(register.card, "Done"))
    assert "Write `declare` to open your register again" in done.text
    unknown = await chat.press({"form": "declarations", "command": "frobnicate"})
    assert "I didn't understand that card" in unknown.text and "Your declarations" in flat(unknown.card)


async def test_the_compliance_view_for_a_chair_and_not_for_a_senco(
    demo_db: Database, clock: FixedClock
) -> None:
    await accepted(demo_db, clock, HANNAH, DANIEL)
    hannah = DeclarationsChat(demo_db, clock, HANNAH)
    await hannah.press({"form": "declarations", "command": "nothing"})

    shown = await DeclarationsChat(demo_db, clock, DANIEL).say("compliance")
    [card] = shown.cards
    text = flat(card)
    assert "Declarations of interest: Canterbury City Community (CANT1)" in text
    confirmed, not_confirmed = text.split("Not yet confirmed")
    assert "Hannah Reid" in confirmed and "SENCO, Westgate Meadow Primary School" in confirmed
    assert "Nothing to declare, 23 November 2026" in confirmed
    assert "Daniel Okafor" in not_confirmed and "Hannah Reid" not in not_confirmed

    refused = await hannah.say("compliance")
    assert refused.cards == []
    assert "Sorry: Only the community's chair or vice chair, or a council officer" in refused.text
    async with demo_db.session() as session:
        actions = [e.action for e in (await session.exec(select(AuditEvent))).all()]
    assert "declaration_compliance_viewed" in actions and "declaration_compliance_refused" in actions
