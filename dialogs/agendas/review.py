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
    AGENDA_BUTTONS,
    AGENDA_DEFER,
    AGENDA_MOVE_DOWN,
    AGENDA_MOVE_UP,
    AGENDA_REMOVE_AOB,
    AOB_INPUT,
    chair_agenda_cards,
    chair_agenda_outcome_cards,
    channel_agenda_cards,
)
from cards.agenda_changes import (
    AGENDA_REMOVE_AOB_CONFIRM,
    AGENDA_REMOVE_AOB_KEEP,
    AOB_LINE,
    PARTS,
    agenda_outcome_card,
    aob_remove_confirm_card,
    retired_part_card,
    with_parts,
)
from cards.elements import Card
from communities.agendas import changes as agendas
from communities.agendas import publishing
from communities.agendas import view as agenda_view
from communities.agendas.access import AgendaChanged, AgendaRefused
from communities.agendas.changes import Move
from communities.agendas.tables import AgendaStatus
from communities.agendas.view import AgendaView
from communities.meetings.tables import UPCOMING, Meeting
from communities.permissions import is_triager
from communities.roster.roles import Role
from communities.roster.tables import Community
from dialogs.community_code import community_asked
from dialogs.replies import pressed_card, replace_card, send_card, show_card
from dialogs.routing import Turn
from dialogs.services import ChatServices

LATEST = "Write `agenda` for the latest."
#: Every button the chair's agenda and its confirmations carry.
AGENDA_PRESSES = AGENDA_BUTTONS | {AGENDA_REMOVE_AOB_CONFIRM, AGENDA_REMOVE_AOB_KEEP}


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
    for agenda in views:  # new messages, even from the menu's button (the menu stays)
        await _show_parts(ctx, chair_agenda_cards(agenda), "", [], pressed=False)


async def press(chat: ChatServices, turn: Turn) -> None:
    """A button on the chair's copy of the agenda, shown on that card (on every part of a long one):
    reordered, deferred, AOB added in place; published, read-only with what happened. Removing a
    line of AOB asks first. The domain checks who pressed it. On a card from before a change the
    latest copy replaces it: a line of AOB typed on it is added to the latest, other buttons are not
    used (the agenda they were pressed on is gone)."""
    ctx, value = turn.context, turn.value or {}
    meeting_id, version = _int(value.get("meeting_id")), _int(value.get("version"))
    if meeting_id is None:
        await ctx.send_activity("That card is out of date. Write `agenda` for the latest.")
        return
    if turn.action in (AGENDA_REMOVE_AOB, AGENDA_REMOVE_AOB_CONFIRM, AGENDA_REMOVE_AOB_KEEP):
        await _removing(chat, turn, meeting_id, version)
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
        await _show_latest(chat, turn, meeting_id, f"{changed}", _parts(turn))
        return
    except AgendaRefused as refusal:
        await ctx.send_activity(f"Sorry: {refusal}")
        return
    chat.outbox.wake()
    if done:
        await _show_parts(ctx, chair_agenda_outcome_cards(current, note), "", _parts(turn), live=False)
    else:
        await _show_parts(ctx, chair_agenda_cards(current), note, _parts(turn))


async def _removing(chat: ChatServices, turn: Turn, meeting_id: int, version: int | None) -> None:
    """Remove on the agenda asks first (a confirmation of its own, a new message); "Yes, remove it"
    or "Keep it" shows what came of it in place of the confirmation, read-only, and brings every
    part of the agenda up to date in place. An agenda changed since says so, and nothing is removed."""
    ctx, action, value = turn.context, turn.action, turn.value or {}
    parts = _parts(turn) if action == AGENDA_REMOVE_AOB else _listed(value.get(PARTS))
    try:
        current, shown = await _remove_step(chat, turn, meeting_id, version, parts)
    except AgendaChanged as changed:
        if action == AGENDA_REMOVE_AOB:
            await _show_latest(chat, turn, meeting_id, f"{changed}", parts)
            return
        said = f"{changed} Nothing was removed." + ("" if parts else f" {LATEST}")
        await show_card(ctx, agenda_outcome_card("Nothing was changed", [said]))
        if parts:
            await _show_latest(chat, turn, meeting_id, "", parts, quiet=True)
        return
    except AgendaRefused as refusal:
        await ctx.send_activity(f"Sorry: {refusal}")
        return
    if action == AGENDA_REMOVE_AOB:
        await send_card(ctx, shown)
        return
    await show_card(ctx, shown)
    if current is not None and parts:
        await _show_parts(ctx, chair_agenda_cards(current), "", parts, pressed=False)


async def _remove_step(
    chat: ChatServices, turn: Turn, meeting_id: int, version: int | None, parts: list[str]
) -> tuple[AgendaView | None, Card]:
    """The confirmation to ask (Remove), or what came of it (confirmed or kept): the agenda now if
    it changed, and the card to show."""
    clock, profile, action, value = chat.clock, turn.profile, turn.action, turn.value or {}
    index = _int(value.get("aob_index"))
    line = value.get(AOB_LINE) if isinstance(value.get(AOB_LINE), str) else ""
    if index is None or (action == AGENDA_REMOVE_AOB_CONFIRM and version is None):
        raise AgendaRefused(f"That card is out of date. {LATEST}")
    current: AgendaView | None = None
    async with chat.database.session() as session:
        if action == AGENDA_REMOVE_AOB:
            found = await agendas.may_remove_aob(session, clock, profile, meeting_id, index, version=version)
            agenda = await agenda_view.view(session, meeting_id=meeting_id)
            published = agenda.status is not AgendaStatus.DRAFT
            shown = aob_remove_confirm_card(
                meeting_id, agenda.version, index, found, published=published, parts=parts
            )
        elif action == AGENDA_REMOVE_AOB_KEEP:
            await agendas.may_remove_aob(session, clock, profile, meeting_id, index)
            shown = agenda_outcome_card("Nothing was changed", [f"“{line}” stays on the agenda."])
        else:
            current = await agendas.remove_aob(session, clock, profile, meeting_id, index, version=version)
            said = f"“{line}” is removed. {_who_sees(current)}"
            shown = agenda_outcome_card("Removed from the agenda", [said])
        await session.commit()
    return current, shown


def _who_sees(agenda: AgendaView) -> str:
    if agenda.status is AgendaStatus.DRAFT:
        return "Nobody else was told: the agenda is not published yet."
    return "Nobody was told: the channel keeps the published agenda until you Republish."


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


def _parts(turn: Turn) -> list[str]:
    """The messages showing the agenda pressed: every part (from the button), or the card pressed."""
    listed = _listed((turn.value or {}).get(PARTS))
    if listed:
        return listed
    pressed = pressed_card(turn.context)
    return [pressed] if pressed else []


def _listed(value: Any) -> list[str]:
    if isinstance(value, list) and value and all(isinstance(v, str) and v for v in value):
        return list(value)
    return []


async def _show_parts(
    ctx: TurnContext,
    cards: list[Card],
    note: str,
    shown: list[str],
    *,
    live: bool = True,
    pressed: bool = True,
) -> None:
    """The agenda's parts in place of the messages ``shown`` (the first with ``note``); parts beyond
    them are sent new, and messages the agenda no longer needs say so, read-only. Live parts then
    carry the ids of all the parts, so the next change edits every one.

    With nothing shown, a press edits the card pressed (unless ``pressed`` is False)."""
    if live and len(cards) <= len(shown):
        cards = with_parts(cards, shown[: len(cards)])  # the ids are known before anything is sent
    ids: list[str | None] = []
    for number, part in enumerate(cards):
        words = note if number == 0 else ""
        if number < len(shown):
            ids.append(await show_card(ctx, part, words, in_place_of=shown[number]))
        elif number == 0 and pressed:
            ids.append(await show_card(ctx, part, words))
        else:
            ids.append(await send_card(ctx, part, words))
    for extra in shown[len(cards) :]:
        await replace_card(ctx, extra, retired_part_card(len(cards)))
    known = [i for i in ids if i]
    if live and len(cards) > 1 and len(known) == len(cards) and known != shown[: len(cards)]:
        for message, part in zip(known, with_parts(cards, known), strict=True):
            await replace_card(ctx, message, part, note if message == known[0] else "")


async def _show_latest(
    chat: ChatServices, turn: Turn, meeting_id: int, why: str, shown: list[str], *, quiet: bool = False
) -> None:
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
    note = "" if quiet else f"{why} I have not used that button."
    await _show_parts(turn.context, chair_agenda_cards(current), note, shown, pressed=not quiet)


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None
