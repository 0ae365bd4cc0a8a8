"""Requests in the chat: raising one (the Request Form), My requests, the queue, their buttons."""

from __future__ import annotations

from cards.requests.form import FORM
from communities.permissions import CONTINUE_DRAFT, MY_REQUESTS, RAISE_REQUEST, REQUESTS_QUEUE
from dialogs.requests.buttons import (
    REQUEST_ACCEPT,
    REQUEST_CONTINUE,
    REQUEST_OPEN,
    REQUEST_RETURN,
    REQUEST_WITHDRAW,
    REQUEST_WITHDRAW_CONFIRM,
    REQUEST_WITHDRAW_KEEP,
    press,
    show_my_requests,
    show_queue,
)
from dialogs.requests.form import RequestFormDialog, continue_request_form
from dialogs.requests.from_channel import raise_from_channel
from dialogs.routing import Place, RouteTable, Turn
from dialogs.services import ChatServices


def register(table: RouteTable) -> None:
    table.dialog(lambda chat: RequestFormDialog(chat.database, chat.clock, chat.outbox))
    table.claim(_form_turn, forms=frozenset({FORM}))
    table.button(RAISE_REQUEST.key, _start_form, capability=RAISE_REQUEST)
    table.button(RAISE_REQUEST.key, raise_from_channel, places=Place.CHANNEL, capability=RAISE_REQUEST)
    table.button(CONTINUE_DRAFT.key, _start_form, capability=CONTINUE_DRAFT)
    table.button(MY_REQUESTS.key, show_my_requests, capability=MY_REQUESTS)
    table.button(REQUESTS_QUEUE.key, show_queue, capability=REQUESTS_QUEUE)
    # Buttons on one request: the domain checks the stored request against who pressed it.
    for action in (
        REQUEST_OPEN,
        REQUEST_WITHDRAW,
        REQUEST_WITHDRAW_CONFIRM,
        REQUEST_WITHDRAW_KEEP,
        REQUEST_ACCEPT,
        REQUEST_RETURN,
        REQUEST_CONTINUE,
    ):
        table.button(action, press)
    table.command("request", RAISE_REQUEST.key)
    table.command("continue", CONTINUE_DRAFT.key)
    table.command("requests", MY_REQUESTS.key)
    table.command("queue", REQUESTS_QUEUE.key)


async def _form_turn(chat: ChatServices, turn: Turn, table: RouteTable) -> bool:
    """The form's own cards, and while it is open, what is typed (`back`, `cancel`, answers)."""
    return await continue_request_form(turn.dialog_context, turn.value, turn.text.lower())


async def _start_form(chat: ChatServices, turn: Turn) -> None:
    start = "new" if turn.action == RAISE_REQUEST.key else "continue"
    await turn.dialog_context.begin_dialog(RequestFormDialog.ID, {"start": start})
