"""An officer approves an overspend from the card they were sent: with a reason, once.

The domain checks the officer (a refusal is audited and changes nothing) and says why a second
press, or a stale or forged one, changes nothing ("already approved by ... on ..."). The chair who
asked is told; the card then shows the approval in place of the button.
"""

from __future__ import annotations

from cards.budget_ledger import overspend_card
from communities.budget.overspend import (
    OverspendRefused,
    OverspendRequest,
    approve,
    overspend_view,
    tell_chair,
)
from communities.roster.roles import Role
from dialogs.card_values import as_id
from dialogs.replies import show_card
from dialogs.routing import Turn
from dialogs.services import ChatServices


async def approve_overspend(chat: ChatServices, turn: Turn) -> None:
    value = turn.value or {}
    overspend_id = as_id(value.get("overspend_id"))
    reason = value.get("reason")
    try:
        async with chat.database.session() as session:
            approved = await approve(
                session, chat.clock, turn.profile, overspend_id, reason if isinstance(reason, str) else ""
            )
            told = await tell_chair(session, chat.outbox, approved)
            view = await overspend_view(session, approved.request)
            await session.commit()
    except OverspendRefused as refused:
        await turn.context.send_activity(f"Sorry: {refused}")
        await _show_as_it_is(chat, turn, overspend_id)
        return
    chat.outbox.wake()
    note = "Approved. " + (
        f"{view.asked_by} has been told." if told else f"{view.asked_by} cannot be messaged yet: tell them."
    )
    await show_card(turn.context, overspend_card(view, note=note))


async def _show_as_it_is(chat: ChatServices, turn: Turn, overspend_id: int | None) -> None:
    """After a refused press, the card shows the request as it is now (approved or not)."""
    if overspend_id is None or not turn.profile.has_role(Role.OFFICER):
        return
    async with chat.database.session() as session:
        found = await session.get(OverspendRequest, overspend_id)
        if found is None or found.approved_by_person_id is None:
            return
        view = await overspend_view(session, found)
    await show_card(turn.context, overspend_card(view))
