"""Requests in the personal chat: My requests, the chair's queue, and the card buttons on them.

Every button carries a request id; the domain re-checks it against who pressed it
(a forged or replayed card for another school or community is refused and audited).
"""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from cards.elements import Card
from cards.requests.detail import request_detail_card
from cards.requests.lists import my_requests_card, queue_card
from communities.permissions import is_triager
from communities.requests import service as request_service
from communities.requests.conflicts import flagged_members
from communities.requests.lifecycle import IllegalTransition, RequestStatus
from communities.requests.tables import Request
from communities.requests.views import request_lines
from communities.roster.directory import PersonProfile
from communities.roster.roles import Role
from communities.roster.tables import Community
from dialogs.replies import send_card
from dialogs.requests.form import RequestFormDialog
from dialogs.routing import Turn
from dialogs.services import ChatServices

REQUEST_OPEN = "request_open"
REQUEST_WITHDRAW = "request_withdraw"
REQUEST_ACCEPT = "request_accept"
REQUEST_RETURN = "request_return"
REQUEST_CONTINUE = "request_continue"


async def show_my_requests(chat: ChatServices, turn: Turn) -> None:
    async with chat.database.session() as session:
        lines = await request_lines(session, await request_service.school_requests(session, turn.profile))
    await send_card(turn.context, my_requests_card(lines))


async def show_queue(chat: ChatServices, turn: Turn) -> None:
    profile = turn.profile
    async with chat.database.session() as session:
        cards = [
            queue_card(
                f"{c.name} ({c.code})", await request_lines(session, await _queue(session, profile, c))
            )
            for c in await _triaged_communities(session, profile)
        ]
    if not cards:
        await turn.context.send_activity("You are not the chair or vice chair of a community.")
    for card in cards:
        await send_card(turn.context, card)


async def press(chat: ChatServices, turn: Turn) -> None:
    """A button on one request (``data.request_id``)."""
    ctx, value = turn.context, turn.value or {}
    request_id = value.get("request_id")
    if not isinstance(request_id, int) or isinstance(request_id, bool):
        await ctx.send_activity("That card is out of date. Write `help` for the menu.")
        return
    if turn.action == REQUEST_CONTINUE:
        await turn.dialog_context.begin_dialog(RequestFormDialog.ID, {"request_id": request_id})
        return
    reply: str | Card
    try:
        async with chat.database.session() as session:
            reply = await _act(chat, session, turn.profile, turn.action, request_id, value)
            await session.commit()
    except (request_service.RequestRefused, IllegalTransition) as refusal:
        await ctx.send_activity(f"Sorry: {refusal}")
        return
    chat.outbox.wake()
    if isinstance(reply, str):
        await ctx.send_activity(reply)
    else:
        await send_card(ctx, reply)


async def _act(
    chat: ChatServices,
    session: AsyncSession,
    profile: PersonProfile,
    action: str,
    request_id: int,
    value: dict[str, Any],
) -> str | Card:
    clock, outbox = chat.clock, chat.outbox
    if action == REQUEST_OPEN:
        request = await request_service.open_for_reading(session, clock, profile, request_id)
        [line] = await request_lines(session, [request])
        flagged = await flagged_members(session, request)
        return request_detail_card(
            line, request.details, flagged, can_triage=is_triager(profile, request.community_id)
        )
    if action == REQUEST_WITHDRAW:
        await request_service.withdraw(session, clock, outbox, profile, request_id)
        return f"Request {await _ref(session, request_id)} is withdrawn. The chair has been told."
    if action == REQUEST_ACCEPT:
        await request_service.accept(session, clock, outbox, profile, request_id)
        return f"Request {await _ref(session, request_id)} is accepted. The school has been told."
    if action == REQUEST_RETURN:
        note = value.get("note") if isinstance(value.get("note"), str) else ""
        await request_service.return_for_info(session, clock, outbox, profile, request_id, str(note))
        return f"Request {await _ref(session, request_id)} is returned to the school with your note."
    raise request_service.RequestRefused("I don't know that action.")


async def _ref(session: AsyncSession, request_id: int) -> str:
    request = await session.get(Request, request_id)
    return request.ref if request else "?"


async def _triaged_communities(session: AsyncSession, profile: PersonProfile) -> list[Community]:
    """An officer's: every community with requests waiting; a chair's: their own communities."""
    if profile.has_role(Role.OFFICER):
        waiting = select(Request.community_id).where(Request.status == RequestStatus.SUBMITTED)
        query = select(Community).where(col(Community.id).in_(waiting))
    else:
        ids = [c.id for c in profile.communities if is_triager(profile, c.id)]
        query = select(Community).where(col(Community.id).in_(ids))
    return list((await session.exec(query.order_by(col(Community.code)))).all())


async def _queue(session: AsyncSession, profile: PersonProfile, community: Community) -> list[Request]:
    assert community.id is not None
    return await request_service.triage_queue(session, profile, community.id)
