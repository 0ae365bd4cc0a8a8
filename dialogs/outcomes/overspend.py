"""The chair asks the council officers to approve funding above what the community has left.

Pressed on the item's card after the funding was refused: the amount typed is read again (what
was typed stays on the card), a pending request is recorded and each officer is sent a card with
an "Approve overspend" button and a required reason. The chair is told when one approves.
"""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from cards.budget_ledger import overspend_card
from cards.elements import Card
from cards.outcomes.item import item_card
from communities.budget.funding import funding_room
from communities.budget.overspend import ask as ask_approval
from communities.budget.overspend import tell_officers
from communities.money import pounds
from communities.outcomes.access import OutcomeRefused, load_meeting, outcome_of
from communities.outcomes.attendance import attendance
from communities.outcomes.recording import open_recording
from communities.outcomes.validation import FUNDING_PROBLEM, pence
from communities.wording import counted
from dialogs.outcomes.entry import read_entry
from dialogs.routing import Turn
from dialogs.services import ChatServices


async def ask(
    chat: ChatServices, session: AsyncSession, turn: Turn, meeting_id: int, request_id: int
) -> Card:
    profile, value = turn.profile, turn.value or {}
    recording = await open_recording(
        session, chat.clock, profile, meeting_id
    )  # the chair, vice chair or an officer
    item = next((i for i in recording.items if i.request_id == request_id), None)
    if item is None:
        raise OutcomeRefused("That request is not on this meeting's agenda.")
    members = {line.person_id: line.name for line in await attendance(session, meeting_id)}
    read = await read_entry(session, value, [f.person_id for f in item.flagged])
    meeting, community = await load_meeting(session, meeting_id)
    room = await funding_room(session, meeting, community, request_id)

    def again(note: str = "", problem: str = "") -> Card:
        problems = {"funding": problem} if problem else None
        return item_card(
            meeting_id,
            item,
            read.values,
            members=members,
            schools=read.schools,
            note=note,
            problems=problems,
            room=room,
        )

    try:
        amount = pence(read.entry.funding or "")
    except ValueError:
        return again(problem=FUNDING_PROBLEM)
    if amount <= room.left_pence:
        return again(note=f"{pounds(amount)} is within what {community.code} has left: save the outcome.")
    existing = await outcome_of(session, meeting_id, request_id)
    asked = await ask_approval(
        session,
        chat.clock,
        profile,
        meeting_id=meeting_id,
        request_id=request_id,
        outcome_id=existing.id if existing is not None else None,
        amount_pence=amount,
        available_pence=room.left_pence,
    )
    told = await tell_officers(session, chat.outbox, asked, overspend_card)
    who = (
        f"I've asked the council officers ({counted(len(told), 'officer')}) to approve"
        if told
        else "No council officer can be messaged yet, so nobody was asked to approve"
    )
    return again(
        note=f"{who} funding of {pounds(amount)} for {item.ref}. You will be told here when one does; "
        "then save this outcome. Nothing was saved yet."
    )
