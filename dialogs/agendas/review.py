"""The chair reviews the next meeting's agenda in the personal chat, then publishes it to the channel.

Every button carries the meeting id and the agenda version it was drawn from; the domain
re-checks who pressed it and refuses a stale card (the latest copy is sent instead).
Refusal texts can quote an AOB line back, so they are shown to the person and never logged.
"""

from __future__ import annotations

from typing import Any

from botbuilder.core import TurnContext
from sqlmodel import col, select

from cards.agenda_cards import (
    AGENDA_ADD_AOB,
    AGENDA_DEFER,
    AGENDA_MOVE_DOWN,
    AGENDA_MOVE_UP,
    AGENDA_PUBLISH,
    AGENDA_REMOVE_AOB,
    AOB_INPUT,
    chair_agenda_cards,
    chair_agenda_outcome_cards,
    channel_agenda_cards,
)
from cards.elements import Card
from communities.agendas import changes as agendas
from communities.agendas import publishing
from communities.agendas import view as agenda_view
from communities.agendas.access import AgendaChanged, AgendaRefused
from communities.agendas.changes import Move
from communities.agendas.view import AgendaView
from communities.meetings.tables import UPCOMING, Meeting
from communities.permissions import is_triager
from communities.roster.roles import Role
from communities.roster.tables import Community
from dialogs.community_code import community_asked
from dialogs.replies import send_cards, show_card
from dialogs.routing import Turn
from dialogs.services import ChatServices

AGENDA_BUTTONS = frozenset(
    {AGENDA_MOVE_UP, AGENDA_MOVE_DOWN, AGENDA_DEFER, AGENDA_ADD_AOB, AGENDA_REMOVE_AOB, AGENDA_PUBLISH}
)


async def show_agenda(chat: ChatServices, turn: Turn) -> None:
    """The next meeting's agenda for each community the person chairs (or `agenda CODE`)."""
    ctx, profile = turn.context, turn.profile
    code = community_asked("agenda", turn.text, turn.value)
    now = chat.clock.now()
    async with chat.database.session() as session:
        query = select(Community).where(col(Community.active)).order_by(col(Community.code))
        if code:
            query = query.where(col(Community.code) == code.upper())
        communities = [
            c
            for c in (await session.exec(query)).all()
            if c.id is not None and (is_triager(profile, c.id) or profile.has_role(Role.OFFICER))
        ]
        if not code and profile.has_role(Role.OFFICER) and len(communities) > 1:
            communities = [c for c in communities if c.id is not None and is_triager(profile, c.id)]
        views: list[AgendaView] = []
        notes: list[str] = []  # sent after the session closes: a reply never holds the connection
        for community in communities:
            meeting = (
                await session.exec(
                    select(Meeting)
                    .where(
                        Meeting.community_id == community.id,
                        col(Meeting.status).in_(UPCOMING),
                        col(Meeting.starts_at) > now,
                    )
                    .order_by(col(Meeting.starts_at))
                    .limit(1)
                )
            ).first()
            if meeting is None or meeting.id is None:
                notes.append(f"{community.code} has no meeting coming up, so there is no agenda yet.")
                continue
            try:
                views.append(await agenda_view.open_for_review(session, chat.clock, profile, meeting.id))
            except AgendaRefused as refusal:
                notes.append(f"Sorry: {refusal}")
        await session.commit()
    if not communities:
        notes.append(
            "Sorry: only the chair or vice chair of a community, or a council officer, can review its "
            "agenda (an officer writes `agenda` and the community's code). The agenda is posted in "
            "your community's channel once the chair publishes it."
        )
    for note in notes:
        await ctx.send_activity(note)
    for agenda in views:
        await send_cards(ctx, chair_agenda_cards(agenda))


async def press(chat: ChatServices, turn: Turn) -> None:
    """A button on the chair's copy of the agenda, shown on that card: reordered, deferred, AOB
    added or removed in place; published, read-only with what happened. The domain checks who
    pressed it. On a card from before a change the latest copy replaces it: a line of AOB typed on
    it is added to the latest, other buttons are not used (the agenda they were pressed on is gone)."""
    ctx, value = turn.context, turn.value or {}
    meeting_id, version = _int(value.get("meeting_id")), _int(value.get("version"))
    if meeting_id is None:
        await ctx.send_activity("That card is out of date. Write `agenda` for the latest.")
        return
    try:
        try:
            current, note, done = await _change(chat, turn, meeting_id, version)
        except AgendaChanged as changed:
            if turn.action != AGENDA_ADD_AOB:
                raise
            current, note, done = await _change(chat, turn, meeting_id, None)
            note = f"{changed} Your line is added to it, below."
    except AgendaChanged as changed:
        await _show_latest(chat, turn, meeting_id, f"{changed}")
        return
    except AgendaRefused as refusal:
        await ctx.send_activity(f"Sorry: {refusal}")
        return
    chat.outbox.wake()
    if done:
        await _show(ctx, chair_agenda_outcome_cards(current, note), "")
    else:
        await _show(ctx, chair_agenda_cards(current), note)


async def _change(
    chat: ChatServices, turn: Turn, meeting_id: int, version: int | None
) -> tuple[AgendaView, str, bool]:
    """Make the change the button asks for: the agenda now, what to say, and whether it was published."""
    clock, outbox, profile, action, value = (
        chat.clock,
        chat.outbox,
        turn.profile,
        turn.action,
        turn.value or {},
    )
    note, published_now = "", False
    async with chat.database.session() as session:
        request_id = _int(value.get("request_id"))
        if action in (AGENDA_MOVE_UP, AGENDA_MOVE_DOWN, AGENDA_DEFER) and request_id is None:
            raise AgendaRefused("That card is out of date. Write `agenda` for the latest.")
        if action == AGENDA_MOVE_UP or action == AGENDA_MOVE_DOWN:
            assert request_id is not None
            where = Move.UP if action == AGENDA_MOVE_UP else Move.DOWN
            current = await agendas.move_item(
                session, clock, profile, meeting_id, request_id, where, version=version
            )
        elif action == AGENDA_DEFER:
            assert request_id is not None
            deferred = await agendas.defer_item(
                session, clock, outbox, profile, meeting_id, request_id, version=version
            )
            current = deferred.view
            note = f"{deferred.ref} moved to the meeting on {deferred.to_meeting}; the school is told."
        elif action == AGENDA_ADD_AOB:
            text = str(value.get(AOB_INPUT) or "")
            current = await agendas.add_aob(session, clock, profile, meeting_id, text, version=version)
        elif action == AGENDA_REMOVE_AOB:
            index = _int(value.get("aob_index"))
            if index is None:
                raise AgendaRefused("That card is out of date. Write `agenda` for the latest.")
            current = await agendas.remove_aob(session, clock, profile, meeting_id, index, version=version)
        else:
            published = await publishing.publish(
                session, clock, outbox, profile, meeting_id, channel_agenda_cards, version=version
            )
            current, published_now = published.view, True
            if published.unchanged:
                note = "The channel already shows this agenda."
            elif published.edited_in_place:
                note = "Republished: the agenda in the channel is updated in place."
            else:
                parts = "one card" if published.parts == 1 else f"{published.parts} cards"
                note = f"Published to the community's channel ({parts})."
        await session.commit()
    return current, note, published_now


async def _show(ctx: TurnContext, cards: list[Card], note: str) -> None:
    """The agenda on the card pressed (its first part there, any further parts sent after it)."""
    first, *rest = cards
    await show_card(ctx, first, note)
    await send_cards(ctx, rest)


async def _show_latest(chat: ChatServices, turn: Turn, meeting_id: int, why: str) -> None:
    async with chat.database.session() as session:
        try:
            current = await agenda_view.open_for_review(session, chat.clock, turn.profile, meeting_id)
        except AgendaRefused as refusal:
            current = None
            refused = str(refusal)
        else:
            await session.commit()
    if current is None:
        await turn.context.send_activity(f"Sorry: {refused}")
        return
    await _show(turn.context, chair_agenda_cards(current), f"{why} I have not used that button.")


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None
