"""The chair writes the minutes of the community's last meeting in the personal chat, and approves them.

`minutes` (or the menu's button) drafts them from the meeting's record once its outcomes are
confirmed, and sends the chair's copy. Every button carries the meeting and the version of the
minutes it was drawn from; the domain re-checks who pressed it and refuses a stale card (the latest
copy is shown in its place). Save shows the minutes saved on the card pressed; Approve asks first,
on the same card; "Yes, approve" shows what came of it there, read-only. Refusals can quote the
chair's text back, so they are shown to the person and never logged.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from cards.elements import Card
from cards.minutes.chair import (
    MINUTES_APPROVE,
    MINUTES_APPROVE_CONFIRM,
    MINUTES_APPROVE_KEEP,
    MINUTES_SAVE,
    approve_confirm_card,
    approved_minutes_card,
    chair_minutes_card,
    section_input,
)
from cards.minutes.members import members_minutes_card, minutes_approved_channel_card
from communities.meetings.chairing import last_meeting_held
from communities.minutes import approving, drafting
from communities.minutes.access import LATEST, MinutesChanged, MinutesRefused
from communities.minutes.approving import Approved
from communities.minutes.tables import MinutesSection
from communities.minutes.view import MinutesView
from communities.permissions import is_triager
from communities.roster.roles import Role
from communities.roster.tables import Community
from communities.wording import counted
from dialogs.community_code import community_asked
from dialogs.replies import send_card, show_card
from dialogs.routing import Turn
from dialogs.services import ChatServices


async def show_minutes(chat: ChatServices, turn: Turn) -> None:
    """The minutes of the last meeting of each community the person chairs (or `minutes CODE`)."""
    ctx, profile = turn.context, turn.profile
    code = community_asked("minutes", turn.text, turn.value)
    now = chat.clock.now()
    cards: list[Card] = []
    notes: list[str] = []  # sent after the session closes: a reply never holds the connection
    async with chat.database.session() as session:
        query = select(Community).where(col(Community.active)).order_by(col(Community.code))
        if code:
            query = query.where(col(Community.code) == code.upper())
        communities = [
            c for c in (await session.exec(query)).all() if c.id is not None and is_triager(profile, c.id)
        ]
        if not code and profile.has_role(Role.OFFICER) and len(communities) > 1:
            communities = [c for c in communities if c.id is not None and profile.has_role(Role.CHAIR, c.id)]
            if not communities:
                notes.append("Write `minutes` and the community's code for the minutes of its last meeting.")
        for community in communities:
            assert community.id is not None
            meeting = await last_meeting_held(session, community.id, now)
            if meeting is None or meeting.id is None:
                notes.append(f"{community.code} has not met yet, so there are no minutes to write.")
                continue
            try:
                shown = await drafting.open_minutes(session, chat.clock, profile, meeting.id)
            except MinutesRefused as refusal:
                notes.append(f"Sorry: {refusal}")
                continue
            cards.append(_copy(shown))
        await session.commit()
    if code and not communities:
        notes.append(
            f"Sorry: there is no community {code.upper()} whose minutes you can write. Only the chair or "
            "vice chair of a community, or a council officer, can write its minutes."
        )
    for note in notes:
        await ctx.send_activity(note)
    for shown_card in cards:
        await send_card(ctx, shown_card)


def _copy(shown: MinutesView) -> Card:
    if shown.approved:
        return approved_minutes_card(shown, "These minutes are approved: the members have been sent them.")
    return chair_minutes_card(shown)


async def press(chat: ChatServices, turn: Turn) -> None:
    """A button on the chair's minutes, or on the confirmation of approving them."""
    ctx, value = turn.context, turn.value or {}
    meeting_id, version = _int(value.get("meeting_id")), _int(value.get("version"))
    if meeting_id is None:
        await ctx.send_activity(f"That card is out of date. {LATEST}")
        return
    try:
        shown, note = await _change(chat, turn, meeting_id, version)
    except MinutesChanged as changed:
        await _show_latest(chat, turn, meeting_id, f"{changed} I have not used that button.")
        return
    except MinutesRefused as refusal:
        await ctx.send_activity(f"Sorry: {refusal}")
        return
    chat.outbox.wake()
    await show_card(ctx, shown, note)


async def _change(chat: ChatServices, turn: Turn, meeting_id: int, version: int | None) -> tuple[Card, str]:
    clock, profile, action, value = chat.clock, turn.profile, turn.action, turn.value or {}
    async with chat.database.session() as session:
        if action == MINUTES_SAVE:
            section = str(value.get("section") or "")
            known = section in set(MinutesSection)
            words = value.get(section_input(MinutesSection(section))) if known else ""
            current = await drafting.edit_section(
                session, clock, profile, meeting_id, section, str(words or ""), version=version
            )
            shown, note = chair_minutes_card(current), "Saved."
        elif action == MINUTES_APPROVE:
            asked = await drafting.may_approve(session, clock, profile, meeting_id, version)
            shown, note = approve_confirm_card(asked), ""
        elif action == MINUTES_APPROVE_KEEP:
            current = await drafting.may_approve(session, clock, profile, meeting_id, None)
            shown, note = chair_minutes_card(current), "Not approved yet: nobody was told."
        else:
            assert action == MINUTES_APPROVE_CONFIRM
            approved = await approving.approve(
                session,
                clock,
                chat.outbox,
                profile,
                meeting_id,
                version=version,
                render_members=members_minutes_card,
                render_channel=minutes_approved_channel_card,
            )
            shown, note = approved_minutes_card(approved.view, _told(approved)), ""
        await session.commit()
    return shown, note


def _told(approved: Approved) -> str:
    """Who was told, saying only what is true."""
    if not approved.newly:
        return "These minutes were already approved: nobody was told again."
    said = ["Approved."]
    if approved.told:
        said.append(f"Sent to {counted(len(approved.told), 'member')} in their chat with the bot.")
    if approved.unreachable:
        missed = counted(len(approved.unreachable), "member")
        said.append(f"{missed.capitalize()} could not be sent them: no chat with the bot yet.")
    if approved.posted_in_channel:
        said.append("The community's channel is told they are approved.")
    else:
        said.append("The community has no linked channel, so no channel was told.")
    return " ".join(said)


async def _show_latest(chat: ChatServices, turn: Turn, meeting_id: int, why: str) -> None:
    async with chat.database.session() as session:
        try:
            current = await drafting.open_minutes(session, chat.clock, turn.profile, meeting_id)
        except MinutesRefused as refusal:
            refused = str(refusal)
            current = None
        else:
            await session.commit()
    if current is None:
        await turn.context.send_activity(f"Sorry: {refused}")
        return
    await show_card(turn.context, _copy(current), why)


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None
