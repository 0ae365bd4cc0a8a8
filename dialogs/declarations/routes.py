"""Declarations of interest in the chat: the register, the compliance view, the Code of Conduct."""

from __future__ import annotations

from cards.declaration_cards import ACCEPT_CODE, FORM
from communities.permissions import DECLARATIONS_COMPLIANCE, DECLARE_INTEREST
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
from dialogs.routing import RouteTable, Turn
from dialogs.services import ChatServices


def register(table: RouteTable) -> None:
    table.dialog(lambda chat: DeclarationsDialog(chat.database, chat.clock))
    table.claim(_declarations_turn, forms=frozenset({FORM}), buttons=frozenset({ACCEPT_CODE}))
    table.button(DECLARE_KEY, _declare, capability=DECLARE_INTEREST)
    table.button(COMPLIANCE_KEY, _compliance, capability=DECLARATIONS_COMPLIANCE)
    table.command("declare", DECLARE_KEY)
    table.command("compliance", COMPLIANCE_KEY)


async def _declarations_turn(chat: ChatServices, turn: Turn, table: RouteTable) -> bool:
    """The Code of Conduct's "I accept", and the declarations cards (after the Code is accepted)."""
    ctx, dialog_context, profile, value = turn.context, turn.dialog_context, turn.profile, turn.value
    if is_code_of_conduct_submit(value):
        assert value is not None
        await dialog_context.cancel_all_dialogs()
        then = await accept_code_of_conduct(ctx, chat.database, chat.clock, profile, value)
        if then:
            await table.follow(chat, turn, then)
        return True
    if is_declarations_submit(value) and await code_of_conduct_gate(ctx, chat.database, profile, DECLARE_KEY):
        await dialog_context.cancel_all_dialogs()
        return True
    return await continue_declarations(dialog_context, value, turn.text.lower())


async def _declare(chat: ChatServices, turn: Turn) -> None:
    if await code_of_conduct_gate(turn.context, chat.database, turn.profile, DECLARE_KEY):
        return
    await turn.dialog_context.begin_dialog(DeclarationsDialog.ID)


async def _compliance(chat: ChatServices, turn: Turn) -> None:
    if await code_of_conduct_gate(turn.context, chat.database, turn.profile, COMPLIANCE_KEY):
        return
    code = compliance_code(turn.text, turn.value)  # `compliance CANT1`, or a summary button
    await send_compliance(turn.context, chat.database, chat.clock, turn.profile, code)
