"""A person's personal chat with the request form, through botbuilder's TestAdapter.

The turn logic mirrors the handler's: the sender's profile goes into the turn state, the form
takes its own turns (:func:`continue_request_form`), and ``request``/``continue`` start it.
State is kept in the real SQL storage, so :meth:`Chat.restart` (new storage, state, dialog
and adapter objects on the same database) is what a service restart does. A press replies to
the message of the card its button is on, as Teams does, so a card the bot edits in place
shows up in :attr:`Replies.updated`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from botbuilder.core import ConversationState, TurnContext
from botbuilder.core.adapters import TestAdapter
from botbuilder.dialogs import DialogSet
from botbuilder.schema import Activity, ChannelAccount, ConversationAccount

from bot.teams.state_storage import SqlStorage
from communities.clock import FixedClock
from communities.db import Database
from communities.messaging.outbox import Outbox
from dialogs.requests.form import RequestFormDialog, continue_request_form
from dialogs.turn_profile import remember_profile
from tests.support.people import profile_of

MENU = "(the menu)"
CARD = "application/vnd.microsoft.card.adaptive"


@dataclass
class Replies:
    #: What the turn sent and edited (as the messages now are), in order.
    activities: list[Activity]
    updated: list[Activity] = field(default_factory=list)

    @property
    def texts(self) -> list[str]:
        return [a.text for a in self.activities if a.text]

    @property
    def text(self) -> str:
        return "\n".join(self.texts)

    @property
    def cards(self) -> list[dict[str, Any]]:
        return [
            attachment.content
            for a in self.activities
            for attachment in (a.attachments or [])
            if attachment.content_type == "application/vnd.microsoft.card.adaptive"
        ]

    @property
    def card(self) -> dict[str, Any]:
        assert self.cards, f"no card in the replies: {self.texts}"
        return self.cards[-1]


def _cards_of(activity: Activity) -> list[Any]:
    return [a.content for a in activity.attachments or [] if a.content_type == CARD]


def flat(card: dict[str, Any] | None) -> str:
    """A card as text, to look for what it shows."""
    return json.dumps(card, ensure_ascii=False)


def save_action(card: dict[str, Any]) -> dict[str, Any]:
    """The data of the card's main button (the first Action.Submit without a command)."""
    return next(a["data"] for a in card["actions"] if "command" not in a.get("data", {"command": None}))


def action(card: dict[str, Any], title_starts: str) -> dict[str, Any]:
    for found in _actions(card):
        if found["title"].startswith(title_starts) and "data" in found:
            return dict(found["data"])
    raise AssertionError(f"no action {title_starts!r} in {[a['title'] for a in _actions(card)]}")


def _actions(card: dict[str, Any]) -> list[dict[str, Any]]:
    found = list(card.get("actions", []))
    for element in card["body"]:
        if element.get("type") == "ActionSet":
            found += element["actions"]
    return found


def inputs(card: dict[str, Any]) -> dict[str, Any]:
    """What the client would send for the card as shown: every input's current value."""
    return {e["id"]: e.get("value", "") for e in card["body"] if str(e.get("type", "")).startswith("Input.")}


class _Adapter(TestAdapter):  # type: ignore[misc]
    """TestAdapter that gives each message it sends its id (as Teams does), so presses can reply to it."""

    #: What a turn sent and edited, in order.
    said: list[Activity]

    async def send_activities(self, context: TurnContext, activities: list[Activity]) -> list[Any]:
        responses = await super().send_activities(context, activities)
        for activity, response in zip([a for a in activities if a.type != "trace"], responses, strict=True):
            activity.id = response.id
            self.said.append(activity)
        return list(responses)

    async def update_activity(self, context: TurnContext, activity: Activity) -> None:
        await super().update_activity(context, activity)
        self.said.append(activity)


def _has_button(card: Any, data: dict[str, Any]) -> bool:
    if isinstance(card, dict):
        if card.get("type") == "Action.Submit" and card.get("data") == data:
            return True
        return any(_has_button(v, data) for v in card.values())
    if isinstance(card, list):
        return any(_has_button(v, data) for v in card)
    return False


class Chat:
    def __init__(self, db: Database, clock: FixedClock, email: str, *, max_open: int = 3) -> None:
        self.db = db
        self.clock = clock
        self.email = email
        self.outbox = Outbox(clock)
        self.max_open = max_open
        self.woken = 0
        self.outbox.wake_listeners.append(self._woken)
        self.restart()

    def restart(self) -> None:
        storage = SqlStorage(self.db, self.clock)
        self.state = ConversationState(storage)
        self.dialogs = DialogSet(self.state.create_property("DialogState"))
        self.dialogs.add(RequestFormDialog(self.db, self.clock, self.outbox, max_open=self.max_open))
        self.shown: dict[str, Activity] = {}  # each message of the bot's, as it now is
        self.adapter = _Adapter(self._logic)
        self.adapter.template.conversation = ConversationAccount(id=f"a:chat-{self.email}")
        self.adapter.template.from_property = ChannelAccount(id=f"29:{self.email}")

    async def say(self, text: str) -> Replies:
        return await self._send(Activity(type="message", text=text))

    async def press(self, data: dict[str, Any], **values: Any) -> Replies:
        """An Action.Submit: the button's data merged with the inputs' values, replying to the
        latest message whose card has that button (none for a forged one)."""
        on = next((i for i, a in reversed(self.shown.items()) if _has_button(_cards_of(a), data)), None)
        return await self._send(Activity(type="message", value={**data, **values}, reply_to_id=on))

    async def fill(self, card: dict[str, Any], **values: Any) -> Replies:
        """Fill in the card's inputs (the rest as shown) and press its main button."""
        return await self.press(save_action(card), **{**inputs(card), **values})

    async def _send(self, activity: Activity) -> Replies:
        self.adapter.activity_buffer.clear()
        self.adapter.updated_activities.clear()
        self.adapter.said = []
        await self.adapter.receive_activity(activity)
        for message in self.adapter.said:
            if message.id:
                self.shown.pop(message.id, None)
                self.shown[message.id] = message
        return Replies(list(self.adapter.said), list(self.adapter.updated_activities))

    async def _logic(self, context: TurnContext) -> None:
        remember_profile(context, await profile_of(self.db, self.email))
        dialog_context = await self.dialogs.create_context(context)
        value = context.activity.value if isinstance(context.activity.value, dict) else None
        word = (context.activity.text or "").strip().lower()
        if not await continue_request_form(dialog_context, value, word):
            if word == "request":
                await dialog_context.begin_dialog(RequestFormDialog.ID, {"start": "new"})
            elif word == "continue":
                await dialog_context.begin_dialog(RequestFormDialog.ID, {"start": "continue"})
            else:
                await dialog_context.cancel_all_dialogs()
                await context.send_activity(MENU)
        await self.state.save_changes(context)

    def _woken(self) -> None:
        self.woken += 1
