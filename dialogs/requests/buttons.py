"""Requests in the personal chat: My requests, the chair's queue, and the card buttons on them.

Every button carries a request id; the domain re-checks it against who pressed it
(a forged or replayed card for another school or community is refused and audited).
"""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from cards.elements import Card
from cards.outcomes.telling import outcome_section
from cards.requests.detail import request_detail_card, withdraw_confirm_card, withdraw_outcome_card
from cards.requests.lists import my_requests_card, queue_card, queue_summary_card
from communities.clock import Clock
from communities.outcomes.telling import confirmed_outcome_of
from communities.permissions import is_triager
from communities.requests import service as request_service
from communities.requests.conflicts import conflict_refusal, flagged_members
from communities.requests.lifecycle import IllegalTransition, RequestStatus
from communities.requests.returns import exchange_of
from communities.requests.tables import Request
from communities.requests.views import lines_for_reader, request_lines, waiting_by_community
from communities.roster.directory import PersonProfile, community_by_code
from communities.roster.roles import Role
from communities.roster.tables import Community, Person
from dialogs.community_code import community_asked
from dialogs.replies import send_card, show_card
from dialogs.requests.form import RequestFormDialog
from dialogs.routing import Turn
from dialogs.services import ChatServices

REQUEST_OPEN = "request_open"
REQUEST_WITHDRAW = "request_withdraw"
REQUEST_ACCEPT = "request_accept"
REQUEST_RETURN = "request_return"
REQUEST_CONTINUE = "request_continue"
#: The confirmation a withdrawal asks for.
REQUEST_WITHDRAW_CONFIRM = "request_withdraw_confirm"
REQUEST_WITHDRAW_KEEP = "request_withdraw_keep"


async def show_my_requests(chat: ChatServices, turn: Turn) -> None:
    async with chat.database.session() as session:
        mine = await request_service.school_requests(session, turn.profile)
        lines = await lines_for_reader(session, chat.clock, turn.profile.person_id, mine)
        await session.commit()
    await send_card(turn.context, my_requests_card(lines))


async def show_queue(chat: ChatServices, turn: Turn) -> None:
    """A chair's queue; an officer's summary of every queue; one community's (`queue CANT1`)."""
    profile = turn.profile
    code = community_asked("queue", turn.text, turn.value)
    cards: list[Card] = []
    refusal = ""
    async with chat.database.session() as session:
        if code is not None:
            community = await community_by_code(session, code)
            try:
                if community is None:
                    raise request_service.RequestRefused(f"I don't know a community with the code “{code}”.")
                cards.append(await _queue_card(session, profile, community, chat.clock))
            except request_service.RequestRefused as refused:
                refusal = f"Sorry: {refused} Write `queue` for the queues you can see."
        elif profile.has_role(Role.OFFICER):
            cards.append(queue_summary_card(await waiting_by_community(session)))
        else:
            for community in await _triaged_communities(session, profile):
                cards.append(await _queue_card(session, profile, community, chat.clock))
        await session.commit()  # the reads of the requests listed
    if refusal or not cards:
        await turn.context.send_activity(refusal or "You are not the chair or vice chair of a community.")
    for content in cards:
        await send_card(turn.context, content)


async def _queue_card(
    session: AsyncSession, profile: PersonProfile, community: Community, clock: Clock
) -> Card:
    assert community.id is not None
    waiting = await request_service.triage_queue(session, profile, community.id)
    lines = await lines_for_reader(session, clock, profile.person_id, waiting)  # triage_queue checked
    return queue_card(f"{community.name} ({community.code})", lines)


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
    if turn.action in (REQUEST_WITHDRAW_CONFIRM, REQUEST_WITHDRAW_KEEP):
        await _answer_withdraw_confirmation(chat, turn, request_id)
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
        [line] = await request_lines(session, [request], now=clock.now(), with_pupil_ref=True)
        flagged = await flagged_members(session, request)
        can_triage = is_triager(profile, request.community_id)
        doing = f"accept or return {request.ref}"
        conflicted = None
        if can_triage:  # a conflicted chair sees who may act and why, in place of the buttons
            conflicted = await conflict_refusal(session, profile.person_id, request, doing)
        shown = request_detail_card(
            line,
            request.details,
            flagged,
            can_triage=can_triage,
            exchange=exchange_of(request),
            conflicted=conflicted,
        )
        decided = await confirmed_outcome_of(session, request_id)  # a decided request: what was agreed
        if decided is not None:
            shown["body"] += outcome_section(decided)
        return shown
    if action == REQUEST_WITHDRAW:
        request = await request_service.may_withdraw(session, clock, profile, request_id)
        assert request.id is not None
        return withdraw_confirm_card(request.ref, request.id, draft=request.status == RequestStatus.DRAFT)
    if action == REQUEST_ACCEPT:
        told = await request_service.accept(session, clock, outbox, profile, request_id)
        done = f"Request {await _ref(session, request_id)} is accepted."
        return done + await _told(session, told, "the person at the school who raised it")
    if action == REQUEST_RETURN:
        note = value.get("note") if isinstance(value.get("note"), str) else ""
        told = await request_service.return_for_info(session, clock, outbox, profile, request_id, str(note))
        done = f"Request {await _ref(session, request_id)} is returned to the school with your note."
        return done + await _told(session, told, "the person at the school who raised it")
    raise request_service.RequestRefused("I don't know that action.")


async def _answer_withdraw_confirmation(chat: ChatServices, turn: Turn, request_id: int) -> None:
    """ "Yes, withdraw" or "Keep it": the confirmation card pressed becomes what happened, read-only,
    and that is the one message. A request withdrawn already (a second press, an old card) says so
    and changes nothing; a refusal (not this person's school) leaves the card alone."""
    ctx, profile = turn.context, turn.profile
    try:
        async with chat.database.session() as session:
            try:
                request = await request_service.may_withdraw(session, chat.clock, profile, request_id)
            except IllegalTransition as moved:
                request = await session.get_one(Request, request_id)
                outcome = withdraw_outcome_card(f"Request {request.ref}: nothing has changed", f"{moved}")
            else:
                if turn.action == REQUEST_WITHDRAW_KEEP:
                    outcome = withdraw_outcome_card(
                        f"Request {request.ref} is kept",
                        "Nothing has changed. You can still withdraw it from *My requests*.",
                    )
                else:
                    outcome = await _withdraw(chat, session, profile, request)
            await session.commit()
    except request_service.RequestRefused as refusal:
        await ctx.send_activity(f"Sorry: {refusal}")
        return
    chat.outbox.wake()
    await show_card(ctx, outcome)


async def _withdraw(
    chat: ChatServices, session: AsyncSession, profile: PersonProfile, request: Request
) -> Card:
    """Withdrawn: the outcome names only the people really told."""
    assert request.id is not None
    draft, ref = request.status == RequestStatus.DRAFT, request.ref
    told = await request_service.withdraw(session, chat.clock, chat.outbox, profile, request.id)
    if draft:
        said = f"Your draft {ref} is withdrawn. Nobody else had seen it, so nobody else has been told."
        return withdraw_outcome_card(f"Draft {ref} withdrawn", said)
    said = f"Request {ref} is withdrawn." + await _told(session, told, "your community's chair or vice chair")
    return withdraw_outcome_card(f"Request {ref} withdrawn", said)


async def _told(session: AsyncSession, told: list[request_service.Notice], who: str) -> str:
    """Who was really told, by name; or that ``who`` could not be (no chat with the bot)."""
    names = await _names(session, [notice.person_id for notice in told])
    if not names:
        return f" I could not tell {who}: they have not opened a chat with me, or have left."
    return f" I've told {_and(names)}."


async def _names(session: AsyncSession, person_ids: list[int]) -> list[str]:
    found = await session.exec(select(Person).where(col(Person.id).in_(person_ids)))
    by_id = {person.id: person.display_name for person in found.all()}
    return [by_id[p] for p in dict.fromkeys(person_ids) if p in by_id]


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


async def _ref(session: AsyncSession, request_id: int) -> str:
    request = await session.get(Request, request_id)
    return request.ref if request else "?"


async def _triaged_communities(session: AsyncSession, profile: PersonProfile) -> list[Community]:
    """The communities of which ``profile`` is the chair or vice chair."""
    ids = [c.id for c in profile.communities if is_triager(profile, c.id)]
    query = select(Community).where(col(Community.id).in_(ids))
    return list((await session.exec(query.order_by(col(Community.code)))).all())
