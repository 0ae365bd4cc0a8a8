"""The ledger's and the overspend's routes in a personal chat (botbuilder's TestAdapter, the bot's own
route table): finance records a payment on the card in place, what was typed stays when it is wrong,
an officer changes a budget, and an officer's approval is given once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.core.adapters import TestAdapter
from botbuilder.schema import Activity, ChannelAccount, ConversationAccount

from communities.budget.overspend import ask
from communities.budget.service import allocate, position_of, set_budget
from communities.budget.years import FinancialYear
from communities.clock import FixedClock
from communities.db import Database
from communities.meetings.rsvp import DEFAULT_QUORUM
from communities.meetings.tables import MeetingOffsets
from communities.messaging.outbox import Outbox
from dialogs.routes import chat_routes
from dialogs.routing import Place, Turn
from dialogs.services import ChatServices
from tests.cards.outcomes.test_outcome_cards import inputs
from tests.dialogs.chat import Replies, flat
from tests.support.outcomes import as_person, held_meeting
from tests.support.people import GRACE, PRIYA, profile_of
from tests.support.requests import school_id

SAM = "sam.carter@kent-demo.example.org"
YEAR = FinancialYear(2026)
ROUTES = chat_routes()


@dataclass
class RoutedChat:
    """One person's chat, each turn looked up in the bot's route table as the handler does."""

    db: Database
    clock: FixedClock
    email: str

    def __post_init__(self) -> None:
        self.adapter = TestAdapter(self._logic)
        self.adapter.template.conversation = ConversationAccount(id=f"a:chat-{self.email}")
        self.adapter.template.from_property = ChannelAccount(id=f"29:{self.email}")
        self.services = ChatServices(
            database=self.db,
            clock=self.clock,
            outbox=Outbox(self.clock),
            bot_name="CoS Bot",
            public_url="",
            invitations=False,
            meeting_offsets=MeetingOffsets(),
            calendar=lambda: None,  # type: ignore[arg-type, return-value]
            quorum_rule=DEFAULT_QUORUM,
        )

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
        value = context.activity.value if isinstance(context.activity.value, dict) else None
        text = (context.activity.text or "").strip()
        route = (
            ROUTES.for_button(Place.PERSONAL, str(value.get("action")))
            if value
            else ROUTES.for_command(Place.PERSONAL, text)
        )
        assert route is not None, (text, value)
        turn = Turn(context, Place.PERSONAL, profile, text, value, route.action)
        await ROUTES.run(self.services, turn, route)


def action(card: Any, title_starts: str) -> dict[str, Any]:
    """The data of the card's Action.Submit whose title starts so, wherever it is on the card."""
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "Action.Submit" and str(node.get("title", "")).startswith(title_starts):
                found.append(dict(node["data"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card)
    assert found, f"no button {title_starts!r}"
    return found[0]


async def an_allocation(db: Database, clock: FixedClock) -> int:
    westgate = await school_id(db, "990101")
    async with db.session() as session:
        await set_budget(session, clock, 1, YEAR, 4_800_000, reason="row 2", source="t")
        written = await allocate(
            session, clock, 1, YEAR, 150_000, school_id=westgate, outcome_id=None, actor_person_id=1
        )
        await session.commit()
    assert written.entry is not None and written.entry.id is not None
    return written.entry.id


async def test_finance_records_a_payment_from_the_ledger(demo_db: Database, clock: FixedClock) -> None:
    await an_allocation(demo_db, clock)
    finance = RoutedChat(demo_db, clock, SAM)
    [ledger] = (await finance.say("ledger cant1")).cards
    assert "Ledger 2026-27: Canterbury City Community (CANT1)" in flat(ledger) and "Unpaid (£1,500)" in flat(
        ledger
    )
    assert "Change the budget" not in flat(ledger)  # finance pays; officers change budgets
    [form] = (await finance.press(action(ledger, "Record a payment"))).cards
    typed = {"amount": "0", "paid_on": "2026-11-20", "reference": "PAY-0042"}
    [again] = (await finance.press(action(form, "Record the payment"), **typed)).cards
    assert "Nothing was recorded: Give the amount in pounds and pence, more than £0" in flat(again)
    assert inputs(again)["amount"]["value"] == "0" and inputs(again)["reference"]["value"] == "PAY-0042"
    [done] = (await finance.press(action(again, "Record the payment"), **{**typed, "amount": "500"})).cards
    assert "Payment of £500 recorded against the allocation for Westgate Meadow Primary School" in flat(done)
    assert "£500 paid, £1,000 unpaid" in flat(done)


async def test_an_officer_changes_the_budget_and_others_may_not(demo_db: Database, clock: FixedClock) -> None:
    officer = RoutedChat(demo_db, clock, PRIYA)
    [ledger] = (await officer.say("ledger CANT1")).cards
    assert "No budget is set for CANT1 for 2026-27 yet." in flat(ledger)
    assert "Record a payment" not in flat(ledger)
    [form] = (await officer.press(action(ledger, "Set the budget"))).cards
    typed = {"how": "set", "amount": "48,000", "reason": ""}
    [again] = (await officer.press(action(form, "Save the change"), **typed)).cards
    assert (
        "Nothing was changed: Give a reason" in flat(again) and inputs(again)["amount"]["value"] == "48,000"
    )
    typed["reason"] = "The schools forum's figure"
    [done] = (await officer.press(action(again, "Save the change"), **typed)).cards
    assert "The budget of CANT1 for 2026-27 is now £48,000 (£48,000 available)." in flat(done)
    vice_chair = RoutedChat(demo_db, clock, GRACE)
    refused = await vice_chair.press({"action": "budget_adjust", "community_id": 1}, how="top_up", amount="5")
    assert refused.text.startswith("Sorry: “Ledgers” is only for a council or finance officer.")
    async with demo_db.session() as session:
        assert (await position_of(session, 1, YEAR)).budget_pence == 4_800_000


async def test_an_approval_is_given_once(demo_db: Database, clock: FixedClock) -> None:
    held = await held_meeting(demo_db, clock, budget_pence=100_000)
    asked = await as_person(
        demo_db,
        GRACE,
        lambda s, a: ask(
            s,
            clock,
            a,
            meeting_id=held.meeting_id,
            request_id=held.request_ids[0],
            outcome_id=None,
            amount_pence=150_000,
            available_pence=100_000,
        ),
    )
    data = {"action": "overspend_approve", "overspend_id": asked.id}
    refused = await RoutedChat(demo_db, clock, GRACE).press(data, reason="Mine")
    assert refused.text == (
        "Sorry: Only a council officer can approve an overspend. The chair can lower the funding instead."
    )
    officer = RoutedChat(demo_db, clock, PRIYA)
    [approved] = (await officer.press(data, reason="A one-off")).cards
    assert "Approved by Priya Shah: “A one-off”" in flat(approved)
    second = await officer.press(data, reason="Again")
    assert second.texts[0].startswith(
        "Sorry: This overspend was already approved by Priya Shah on 11 December"
    )
    assert "Approved by Priya Shah: “A one-off”" in flat(second.card)  # the card as it is
