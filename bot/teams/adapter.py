"""CloudAdapter with its outbound calls moved onto our shared aiohttp connector.

botbuilder's CloudAdapter builds a new msrest ConnectorClient (and its serializer
and token client) for every turn and sends through ``requests`` in a thread pool.
Here authentication stays botbuilder's, but a turn's replies and updates go
through :class:`bot.teams.connector.BotConnector`, which reuses one connection pool.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from copy import copy, deepcopy
from functools import partial
from typing import Any

from botbuilder.core import InvokeResponse, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity, ActivityTypes, DeliveryModes, InputHints, ResourceResponse
from botframework.connector.auth import AuthenticateRequestResult, BotFrameworkAuthentication

from bot.teams.activity_json import activity_json_text
from bot.teams.connector import BotConnector, ConnectorError

log = logging.getLogger(__name__)

#: In-turn sends retry briefly; anything longer belongs in the outbox.
_TURN_ATTEMPTS = 3
_TURN_MAX_WAIT = 5.0

CONNECTOR_KEY = "cosbot.BotConnector"


class TeamsTurnContext(TurnContext):  # type: ignore[misc]
    """botbuilder's TurnContext, sending without a deep copy of every reply.

    ``TurnContext.send_activities`` (botbuilder-core 4.x) deep-copies each outgoing activity,
    Adaptive Card included (about 0.3 ms a reply), so that addressing it does not change the
    caller's object and so that nothing done to the caller's object later changes what is sent.
    Here the copy is shallow: addressing sets attributes of the copy only, and what a dialog
    built is sent (written out as JSON by :meth:`TeamsAdapter.send_activities`) before this
    returns, so a later change to the card dict cannot reach Teams. Replies that outlive the
    call are still deep-copied as botbuilder does: those buffered for ``expectReplies`` and an
    invoke response, both written out only when the turn ends. Everything else is botbuilder's:
    the ``on_send_activities`` handlers see the copies, and ``responded`` is set the same way.
    (A handler may set a reply's fields, on the copy; one that changed a card's dict in place
    would now change the dialog's dict too; we register none, and botbuilder's only read.)
    """

    async def send_activities(self, activities: list[Activity]) -> list[ResourceResponse]:
        if self.activity.delivery_mode == DeliveryModes.expect_replies:
            return await super().send_activities(activities)  # type: ignore[no-any-return]
        reference = TurnContext.get_conversation_reference(self.activity)
        output: list[Activity] = []
        sent_non_trace_activity = False
        for original in activities:
            keep = getattr(original, "type", None) == ActivityTypes.invoke_response
            activity = TurnContext.apply_conversation_reference(
                deepcopy(original) if keep else copy(original), reference
            )
            # As botbuilder's activity_validator:
            if not getattr(activity, "type", None):
                activity.type = ActivityTypes.message
            if activity.type != ActivityTypes.trace:
                sent_non_trace_activity = True
            if not activity.input_hint:
                activity.input_hint = InputHints.accepting_input
            activity.id = None
            output.append(activity)

        async def logic() -> list[ResourceResponse]:
            responses: list[ResourceResponse] = await self.adapter.send_activities(self, output)
            if sent_non_trace_activity:
                self.responded = True
            return responses

        result: list[ResourceResponse] = await self._emit(self._on_send_activities, output, logic())
        return result


class TeamsAdapter(CloudAdapter):  # type: ignore[misc]
    def __init__(self, authentication: BotFrameworkAuthentication, connector: BotConnector) -> None:
        super().__init__(authentication)
        self.connector = connector

    async def process_activity(
        self,
        auth_header_or_authenticate_request_result: str | AuthenticateRequestResult,
        activity: Activity,
        logic: Callable[[TurnContext], Awaitable[Any]],
    ) -> InvokeResponse | None:
        if isinstance(auth_header_or_authenticate_request_result, str):
            try:
                auth = await self.bot_framework_authentication.authenticate_request(
                    activity, auth_header_or_authenticate_request_result
                )
            except (PermissionError, OSError):
                raise
            except Exception as exc:
                # botbuilder reports many bad tokens as AttributeError, IndexError, KeyError...
                raise PermissionError("invalid Bot Framework token") from exc
        else:
            auth = auth_header_or_authenticate_request_result
        activity.caller_id = auth.caller_id
        context = TeamsTurnContext(self, activity)
        context.turn_state[self.BOT_IDENTITY_KEY] = auth.claims_identity
        context.turn_state[self.BOT_CALLBACK_HANDLER_KEY] = logic
        context.turn_state[self.CONNECTOR_FACTORY_KEY] = auth.connector_factory
        context.turn_state[self.BOT_OAUTH_SCOPE_KEY] = auth.audience
        context.turn_state[CONNECTOR_KEY] = self.connector
        await self.run_pipeline(context, logic)
        result: InvokeResponse | None = self._process_turn_results(context)
        return result

    async def send_activities(
        self, context: TurnContext, activities: list[Activity]
    ) -> list[ResourceResponse]:
        responses: list[ResourceResponse] = []
        for activity in activities:
            activity.id = None
            if activity.type == ActivityTypes.invoke_response:
                context.turn_state[self._INVOKE_RESPONSE_KEY] = activity
                responses.append(ResourceResponse(id=""))
                continue
            if activity.type in (ActivityTypes.trace, "delay"):
                responses.append(ResourceResponse(id=""))
                continue
            result = await _with_retries(partial(self._post, activity))
            responses.append(ResourceResponse(id=str(result.get("id") or "")))
        return responses

    async def _post(self, activity: Activity) -> dict[str, Any]:
        body = activity_json_text(activity)
        if activity.reply_to_id:
            return await self.connector.reply_to_activity(
                activity.service_url, activity.conversation.id, activity.reply_to_id, body
            )
        return await self.connector.send_to_conversation(activity.service_url, activity.conversation.id, body)

    async def update_activity(self, context: TurnContext, activity: Activity) -> ResourceResponse | None:
        body = activity_json_text(activity)
        result = await _with_retries(
            lambda: self.connector.update_activity(
                activity.service_url, activity.conversation.id, activity.id, body
            )
        )
        return ResourceResponse(id=str(result["id"])) if result.get("id") else None


async def _with_retries(call: Callable[[], Awaitable[dict[str, Any]]]) -> dict[str, Any]:
    for attempt in range(1, _TURN_ATTEMPTS + 1):
        try:
            return await call()
        except ConnectorError as error:
            if not error.transient or attempt == _TURN_ATTEMPTS:
                raise
            wait = error.retry_after if error.retry_after is not None else 0.25 * 2**attempt
            wait = min(_TURN_MAX_WAIT, wait) + random.uniform(0, 0.1)
            log.info("reply got %s, retrying in %.1fs", error.status, wait)
            await asyncio.sleep(wait)
    raise AssertionError("unreachable")
