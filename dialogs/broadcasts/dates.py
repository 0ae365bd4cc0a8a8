"""An officer broadcasts meeting dates from the personal chat: choose, preview, send, watch, retry.

Each step is a card whose submit carries everything the next step needs, checked again on the
server: only an officer may preview, send or retry, whatever a card claims. Sending records the
broadcast and queues one card per community channel and the officer's report card in one
transaction; :mod:`bot.outbox.broadcast_reports` then edits the report in place as cards arrive.
"""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from typing import Any

from botbuilder.core import TurnContext
from sqlmodel import col, select

from cards.elements import Card, card, heading, text
from cards.meetings.dates import (
    BROADCAST_CHOOSE,
    BROADCAST_CONFIRM,
    dates_card,
    preview_card,
    report_card,
)
from communities import audit
from communities.broadcasts import report as broadcast_report
from communities.broadcasts import service as broadcasts
from communities.broadcasts.selection import BroadcastRefused, Selection
from communities.meetings.tables import LONDON
from communities.messaging import notices
from communities.messaging.outbox import OutgoingMessage
from communities.roster.directory import PersonProfile
from communities.roster.tables import Area
from communities.wording import counted
from dialogs.replies import send_card
from dialogs.routing import Turn
from dialogs.services import ChatServices

#: How far ahead the date picker starts by default.
DEFAULT_SPAN = timedelta(days=120)


async def show_form(chat: ChatServices, turn: Turn) -> None:
    async with chat.database.session() as session:
        areas = list((await session.exec(select(Area.name).order_by(col(Area.name)))).all())
    today = chat.clock.now().astimezone(LONDON).date()
    await send_card(turn.context, choose_card(areas, today, today + DEFAULT_SPAN))


def choose_card(areas: list[str], first: date, last: date) -> Card:
    choices = [{"title": "All communities", "value": ""}] + [{"title": a, "value": a} for a in areas]
    body = [
        heading("Broadcast meeting dates"),
        text("Choose the meetings: a date range, and all communities, an area or some communities."),
        {
            "type": "Input.Date",
            "id": "first",
            "label": "From",
            "value": first.isoformat(),
            "isRequired": True,
        },
        {"type": "Input.Date", "id": "last", "label": "To", "value": last.isoformat(), "isRequired": True},
        {"type": "Input.ChoiceSet", "id": "area", "label": "Area", "value": "", "choices": choices},
        {
            "type": "Input.Text",
            "id": "codes",
            "label": "Only these communities (codes, optional)",
            "placeholder": "e.g. CANT1, THAN2",
        },
    ]
    return card(body, [{"type": "Action.Submit", "title": "Preview", "data": {"action": BROADCAST_CHOOSE}}])


async def press(chat: ChatServices, turn: Turn) -> None:
    """A step's button; the route lets only an officer press it (see :mod:`.routes`)."""
    ctx, action, value = turn.context, turn.action, turn.value or {}
    try:
        if action == BROADCAST_CHOOSE:
            await _preview(chat, ctx, _selection_from_form(value))
        elif action == BROADCAST_CONFIRM:
            selection = Selection.from_json(value.get("selection") or {})
            key = str(value.get("confirm_key") or "")[:64]
            await _send_broadcast(chat, turn, turn.profile, selection, key)
        else:
            await _retry(chat, ctx, value.get("broadcast_id"))
    except BroadcastRefused as refusal:
        await ctx.send_activity(f"Sorry: {refusal}")


def _selection_from_form(value: dict[str, Any]) -> Selection:
    try:
        first = date.fromisoformat(str(value.get("first") or ""))
        last = date.fromisoformat(str(value.get("last") or ""))
    except ValueError as exc:
        raise BroadcastRefused("Choose both dates (From and To).") from exc
    codes = tuple(
        c.strip().upper() for c in str(value.get("codes") or "").replace(";", ",").split(",") if c.strip()
    )
    return Selection(first, last, area=str(value.get("area") or "") or None, community_codes=codes)


def _plan_options(chat: ChatServices) -> dict[str, Any]:
    return {
        "feed_base_url": chat.public_url or None,
        "bot_name": chat.bot_name,
        "invitations": chat.invitations,
    }


async def _preview(chat: ChatServices, ctx: TurnContext, selection: Selection) -> None:
    async with chat.database.session() as session:
        planned, empty = await broadcasts.plan(session, chat.clock, selection, **_plan_options(chat))
        await session.commit()  # keeps new feed tokens, so the preview's link is the real one
    if not planned:
        raise BroadcastRefused(f"There are no meetings in {selection.describe()}. Import the dates first.")
    await send_card(ctx, preview_card(selection, planned, empty, secrets.token_urlsafe(16)))


async def _send_broadcast(
    chat: ChatServices, turn: Turn, profile: PersonProfile, selection: Selection, key: str
) -> None:
    async with chat.database.session() as session:
        planned, _ = await broadcasts.plan(session, chat.clock, selection, **_plan_options(chat))
        broadcast = await broadcasts.start(
            session,
            chat.clock,
            chat.outbox,
            actor_person_id=profile.person_id,
            selection=selection,
            planned=planned,
            render=dates_card,
            confirm_key=key or None,
        )
        assert broadcast.id is not None
        if broadcast.report_message_id is None:
            report = await broadcast_report.report(session, broadcast.id)
            told = await notices.tell(
                session,
                chat.outbox,
                notices.Notice.to(
                    notices.Conversation(turn.reference),
                    f"broadcast:{broadcast.id}:report",
                    OutgoingMessage(card=report_card(report), summary="Meeting dates: delivery report"),
                ),
            )
            row = told.rows[0]
            broadcast.report_message_id = row.id
            session.add(broadcast)
            audit.record(
                session,
                chat.clock,
                actor_person_id=profile.person_id,
                action="broadcast_sent",
                entity="broadcast",
                entity_id=str(broadcast.id),
                detail={"selection": selection.to_json(), "communities": len(planned)},
            )
            await session.commit()
            queued = report.count(broadcast_report.Delivery.PENDING)
            reply = (
                f"Sending the dates to {counted(queued, 'channel')}. "
                "The report below updates as the cards arrive."
            )
        else:
            reply = "That broadcast was already sent; its report is above."
    await turn.context.send_activity(reply)
    chat.outbox.wake()


async def _retry(chat: ChatServices, ctx: TurnContext, broadcast_id: Any) -> None:
    if not isinstance(broadcast_id, int) or isinstance(broadcast_id, bool):
        raise BroadcastRefused("That card is out of date.")
    async with chat.database.session() as session:
        again = await broadcasts.retry_failed(
            session,
            chat.clock,
            chat.outbox,
            broadcast_id,
            render=dates_card,
            **_plan_options(chat),
        )
        await session.commit()
    chat.outbox.wake()
    if again:
        await ctx.send_activity(
            f"Trying {counted(again, 'channel')} again; the report updates as they arrive."
        )
    else:
        await ctx.send_activity("Nothing could be sent again yet: the report says what each one needs.")
