"""Replies go out without botbuilder's deep copy: what Teams gets is still what the dialog built.

The adapter's turn context copies a reply shallowly and writes it out as JSON before
``send_activity`` returns, so a dialog changing its card dict afterwards cannot change what was
sent. Replies that outlive the call (an invoke response, ``expectReplies``) are deep-copied
as botbuilder does. These run a real TeamsAdapter turn against the fake Bot Connector.
"""

from __future__ import annotations

import copy
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any

from botbuilder.core import CardFactory, InvokeResponse, MessageFactory, TurnContext
from botbuilder.integration.aiohttp import ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Activity, ActivityTypes

from bot.config import Settings
from bot.teams.activity_json import activity_from_json
from bot.teams.adapter import TeamsAdapter
from bot.teams.connector import BotConnector
from tests.support.activities import card_action, personal_message, user
from tests.support.fake_connector import FakeConnector

HANNAH = user(1, "Hannah Reed")


def card() -> dict[str, Any]:
    return {
        "type": "AdaptiveCard",
        "version": "1.5",
        "body": [{"type": "TextBlock", "text": "What would you like to do?"}],
        "actions": [{"type": "Action.Submit", "title": "New request", "data": {"verb": "new"}}],
    }


def adapter_for(settings: Settings, connector: BotConnector) -> TeamsAdapter:
    return TeamsAdapter(ConfigurationBotFrameworkAuthentication(settings.bot_auth_config()), connector)


async def turn(
    adapter: TeamsAdapter, body: dict[str, Any], logic: Callable[[TurnContext], Awaitable[None]]
) -> InvokeResponse | None:
    return await adapter.process_activity("", activity_from_json(body), logic)


async def test_the_card_sent_is_the_card_built_and_a_later_change_does_not_reach_teams(
    fake: FakeConnector, connector: BotConnector, settings: Settings
) -> None:
    built = card()
    reply = MessageFactory.attachment(CardFactory.adaptive_card(built), text="Here you are")

    async def logic(ctx: TurnContext) -> None:
        await ctx.send_activity(reply)
        built["body"][0]["text"] = "changed after sending"
        built["actions"].clear()

    body = personal_message(fake.url, HANNAH, "help")
    await turn(adapter_for(settings, connector), body, logic)

    [posted] = fake.activities(body["conversation"]["id"])
    assert posted.card == card()
    assert posted.text == "Here you are"
    assert posted.reply_to_id == body["id"]
    # As with botbuilder's copy, the dialog's own activity is not addressed by sending it.
    assert reply.conversation is None and reply.recipient is None and reply.reply_to_id is None


async def test_send_handlers_see_each_reply_addressed_and_the_turn_counts_as_answered(
    fake: FakeConnector, connector: BotConnector, settings: Settings
) -> None:
    seen: list[tuple[str, str, str, str]] = []
    responded: list[bool] = []

    async def logic(ctx: TurnContext) -> None:
        async def handler(context: TurnContext, activities: list[Activity], next_send: Any) -> Any:
            seen.extend((a.type, a.conversation.id, a.recipient.id, a.input_hint) for a in activities)
            return await next_send()

        ctx.on_send_activities(handler)
        await ctx.send_activities([MessageFactory.text("one"), Activity(text="two")])
        responded.append(ctx.responded)

    body = personal_message(fake.url, HANNAH, "help")
    await turn(adapter_for(settings, connector), body, logic)

    chat = body["conversation"]["id"]
    assert seen == [("message", chat, HANNAH["id"], "acceptingInput")] * 2
    assert [posted.text for posted in fake.activities(chat)] == ["one", "two"]
    assert responded == [True]


async def test_an_invoke_response_is_answered_as_it_was_when_sent(
    fake: FakeConnector, connector: BotConnector, settings: Settings
) -> None:
    answer = {"statusCode": 200, "type": "application/vnd.microsoft.card.adaptive", "value": card()}

    async def logic(ctx: TurnContext) -> None:
        await ctx.send_activity(
            Activity(type=ActivityTypes.invoke_response, value=InvokeResponse(status=200, body=answer))
        )
        answer["value"]["body"].clear()  # answered with what was sent, not with this

    body = card_action(fake.url, HANNAH, "1700000000001", "menu", {})
    response = await turn(adapter_for(settings, connector), body, logic)

    assert response is not None and response.status == HTTPStatus.OK
    assert response.body["value"] == card()
    assert fake.activities() == []


async def test_expect_replies_buffers_the_replies_as_they_were_when_sent(
    fake: FakeConnector, connector: BotConnector, settings: Settings
) -> None:
    built = card()

    async def logic(ctx: TurnContext) -> None:
        await ctx.send_activity(MessageFactory.attachment(CardFactory.adaptive_card(built)))
        built["body"].clear()

    body = {**personal_message(fake.url, HANNAH, "help"), "deliveryMode": "expectReplies"}
    response = await turn(adapter_for(settings, connector), body, logic)

    assert response is not None
    [reply] = response.body["activities"]
    assert reply["attachments"][0]["content"] == card()
    assert fake.activities() == []


def test_a_deep_copy_is_not_needed_because_nothing_keeps_the_reply() -> None:
    """The shallow copy shares the card dict with the dialog: that is safe only because the
    reply is written out before ``send_activities`` returns (checked above). This pins the
    other half: addressing a copy never writes into the dialog's activity."""
    reply = MessageFactory.attachment(CardFactory.adaptive_card(card()))
    before = copy.deepcopy(reply)
    incoming = activity_from_json(personal_message("https://smba.example/uk/", HANNAH, "help"))
    reference = TurnContext.get_conversation_reference(incoming)
    TurnContext.apply_conversation_reference(copy.copy(reply), reference)
    assert reply == before
