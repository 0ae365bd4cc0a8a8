"""The chair's outcomes card in the personal chat: opened from the menu or the after-meeting message,
then attendance, and confirming (asked first; then one read-only result naming who was told).

Each press shows its answer in place of the card pressed. Every button carries the meeting; the
domain checks who pressed it (a refusal changes nothing but its audit row) and a restart loses
nothing: every saved part is in the database.
"""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from cards.elements import Card
from cards.outcomes.inputs import OUTCOMES_ATTENDANCE, OUTCOMES_CONFIRM, OUTCOMES_CONFIRM_YES
from cards.outcomes.recording import COLLEAGUE, attendance_card, confirm_card, confirmed_card, outcomes_card
from cards.outcomes.telling import outcomes_channel_card, school_outcome_card
from communities.clock import Clock
from communities.meetings.chairing import last_meeting_held
from communities.meetings.rsvp import QuorumRule
from communities.meetings.tables import Meeting
from communities.outcomes import telling
from communities.outcomes.access import OutcomeRefused, may_not_record
from communities.outcomes.attendance import Mark, attendance, attendance_tally, save_attendance
from communities.outcomes.confirming import confirm_outcomes
from communities.outcomes.recording import open_recording
from communities.outcomes.reviews import reviews_for
from communities.outcomes.tables import AttendanceStatus
from communities.permissions import is_triager
from communities.roster.directory import PersonProfile
from communities.roster.roles import Role
from communities.roster.tables import Community
from dialogs.card_values import as_id
from dialogs.community_code import community_asked
from dialogs.replies import send_card, show_card
from dialogs.routing import Turn
from dialogs.services import ChatServices

OUT_OF_DATE = "That card is out of date. Write `outcomes` for the latest."


async def show_outcomes(chat: ChatServices, turn: Turn) -> None:
    """The outcomes of the latest meeting that has taken place, for each community the person chairs
    (an officer writes `outcomes CANT1`)."""
    profile, now = turn.profile, chat.clock.now()
    code = community_asked("outcomes", turn.text, turn.value)
    notes: list[str] = []
    shown: list[Card] = []
    async with chat.database.session() as session:
        query = select(Community).where(col(Community.active)).order_by(col(Community.code))
        if code:
            query = query.where(col(Community.code) == code.upper())
        found = list((await session.exec(query)).all())
        communities = [c for c in found if c.id is not None and is_triager(profile, c.id)]
        if not code:  # an officer names the community; a chair or vice chair gets their own
            communities = [c for c in communities if _chairs(profile, c)]
        notes += [f"Sorry: {may_not_record(c.code)}" for c in found if code and c not in communities]
        for community in communities:
            assert community.id is not None
            meeting = await last_meeting_held(session, community.id, now)
            if meeting is None or meeting.id is None:
                notes.append(
                    f"{community.code} has no meeting that has taken place yet, so no outcomes to record."
                )
                continue
            try:
                shown.append(await hub(session, chat.clock, chat.quorum_rule, profile, meeting.id))
            except OutcomeRefused as refusal:
                notes.append(f"Sorry: {refusal}")
        await session.commit()
    if not communities and not notes:
        notes.append(
            f"Sorry: no community has the code {code.upper()}. Write `outcomes` and the community's "
            "code, for example `outcomes CANT1`."
            if code
            else "Write `outcomes` and the community's code to record a meeting's outcomes, for example "
            "`outcomes CANT1`; `decisions` shows what every community has decided this year."
        )
    for note in notes:
        await turn.context.send_activity(note)
    for outcomes in shown:  # new messages, even from the menu's button (the menu stays)
        await send_card(turn.context, outcomes)


def _chairs(profile: PersonProfile, community: Community) -> bool:
    return any(profile.has_role(role, community.id) for role in (Role.CHAIR, Role.VICE_CHAIR))


async def hub(
    session: AsyncSession,
    clock: Clock,
    rule: QuorumRule,
    profile: PersonProfile,
    meeting_id: int,
    note: str = "",
) -> Card:
    """The meeting's outcomes card (the domain checks the person may record them)."""
    recording = await open_recording(session, clock, profile, meeting_id)
    meeting = await session.get(Meeting, meeting_id)
    assert meeting is not None
    tally = await attendance_tally(session, meeting_id, rule)
    return outcomes_card(recording, tally, await reviews_for(session, meeting), note)


async def press(chat: ChatServices, turn: Turn) -> None:
    """Open, attendance, confirm: shown in place of the card pressed."""
    value = turn.value or {}
    meeting_id = as_id(value.get("meeting_id"))
    if meeting_id is None:
        await turn.context.send_activity(OUT_OF_DATE)
        return
    try:
        async with chat.database.session() as session:
            shown = await _answer(chat, session, turn, meeting_id)
            await session.commit()
    except OutcomeRefused as refusal:
        await turn.context.send_activity(f"Sorry: {refusal}")
        return
    if turn.action == OUTCOMES_CONFIRM_YES:
        chat.outbox.wake()
    await show_card(turn.context, shown)


async def _answer(chat: ChatServices, session: AsyncSession, turn: Turn, meeting_id: int) -> Card:
    clock, rule, profile, value = chat.clock, chat.quorum_rule, turn.profile, turn.value or {}
    if turn.action == OUTCOMES_ATTENDANCE:
        recording = await open_recording(session, clock, profile, meeting_id)
        lines = await attendance(session, meeting_id)
        return attendance_card(recording, lines, await attendance_tally(session, meeting_id, rule))
    if turn.action == OUTCOMES_CONFIRM:
        recording = await open_recording(session, clock, profile, meeting_id)
        if recording.confirmed:
            return confirmed_card(recording.community_code, recording.when, None)
        if not recording.complete:
            return await hub(
                session, clock, rule, profile, meeting_id, "Record an outcome for every request first."
            )
        return confirm_card(recording, await attendance_tally(session, meeting_id, rule))
    if turn.action == OUTCOMES_CONFIRM_YES:
        confirmation = await confirm_outcomes(session, clock, profile, meeting_id)
        recording = await open_recording(session, clock, profile, meeting_id)
        if confirmation.nothing_new:
            return confirmed_card(recording.community_code, recording.when, None)
        told = await telling.tell_confirmed(
            session,
            clock,
            chat.outbox,
            confirmation,
            school_card=school_outcome_card,
            channel_card=outcomes_channel_card,
        )
        return confirmed_card(recording.community_code, recording.when, told)
    if turn.action == "outcomes_attendance_save":
        marks = {}
        for line in await attendance(session, meeting_id):
            chosen = value.get(f"attendance_{line.person_id}")
            if chosen == COLLEAGUE:
                marks[line.person_id] = Mark(AttendanceStatus.APOLOGIES, sent_colleague=True)
            elif chosen in set(AttendanceStatus):
                marks[line.person_id] = Mark(AttendanceStatus(chosen))
        await save_attendance(session, clock, profile, meeting_id, marks)
        return await hub(session, clock, rule, profile, meeting_id, "Attendance saved.")
    return await hub(session, clock, rule, profile, meeting_id)
