"""One item's outcome, and a review due, recorded on cards that update in place.

Saving checks everything (every problem shown on the card, with what was typed kept), warns about
text that may identify a child (the chair can keep it: it is not about a pupil), and refuses a card
older than the outcome saved since (the latest is shown instead). Someone the conflict rules keep
out of the decision sees why and who may record it. Problems and warnings can quote what was typed,
so they are shown to the person and never logged. The funding part shows what the community has
left for the year; funding above it is refused with the numbers, and the chair can ask the officers
to approve an overspend (:mod:`dialogs.outcomes.overspend`).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from cards.elements import Card
from cards.outcomes.inputs import KEEP_WORDING, OUTCOME_REVIEW, OUTCOME_REVIEW_SAVE, OUTCOME_SAVE
from cards.outcomes.item import OVERSPEND_ASK, item_card
from cards.outcomes.review import review_card
from communities.budget.funding import FundingRefused, FundingRoom, funding_room
from communities.meetings.tables import Meeting
from communities.outcomes.access import OutcomeChanged, OutcomeRefused, load_meeting, outcome_of, ruled_out
from communities.outcomes.attendance import attendance
from communities.outcomes.decisions import ConflictRuling, ReviewResult
from communities.outcomes.recording import (
    OWN_RULING,
    IdentifyingText,
    open_item,
    open_recording,
    save_outcome,
)
from communities.outcomes.reviews import ReviewItem, record_review, reviews_for
from communities.outcomes.telling import tell_review
from communities.outcomes.validation import OutcomeInvalid
from communities.outcomes.views import ItemView
from communities.requests.conflicts import conflict_refusal
from communities.requests.tables import Request
from communities.roster.directory import PersonProfile
from communities.wording import listed
from dialogs.card_values import as_id
from dialogs.outcomes import overspend
from dialogs.outcomes.entry import Read, read_entry, saved_values
from dialogs.outcomes.showing import OUT_OF_DATE, hub
from dialogs.replies import show_card
from dialogs.routing import Turn
from dialogs.services import ChatServices


async def press(chat: ChatServices, turn: Turn) -> None:
    value = turn.value or {}
    meeting_id, request_id = as_id(value.get("meeting_id")), as_id(value.get("request_id"))
    if meeting_id is None or request_id is None:
        await turn.context.send_activity(OUT_OF_DATE)
        return
    try:
        async with chat.database.session() as session:
            if turn.action in (OUTCOME_REVIEW, OUTCOME_REVIEW_SAVE):
                shown = await _review(chat, session, turn, meeting_id, request_id)
            elif turn.action == OVERSPEND_ASK:
                shown = await overspend.ask(chat, session, turn, meeting_id, request_id)
            else:
                shown = await _item(chat, session, turn, meeting_id, request_id)
            await session.commit()
        chat.outbox.wake()
    except OutcomeRefused as refusal:
        await turn.context.send_activity(f"Sorry: {refusal}")
        return
    await show_card(turn.context, shown)


async def _item(
    chat: ChatServices, session: AsyncSession, turn: Turn, meeting_id: int, request_id: int
) -> Card:
    clock, profile, value = chat.clock, turn.profile, turn.value or {}
    _, item = await open_item(session, clock, profile, meeting_id, request_id)
    if item is None:
        return await hub(
            session,
            clock,
            chat.quorum_rule,
            profile,
            meeting_id,
            "That request is not on this meeting's agenda.",
        )
    members = {line.person_id: line.name for line in await attendance(session, meeting_id)}
    room = await room_for(session, meeting_id, request_id)
    refusal = "" if turn.action == OUTCOME_SAVE else await _kept_out(session, profile, item)
    if turn.action != OUTCOME_SAVE:
        values, schools = await saved_values(session, await outcome_of(session, meeting_id, request_id))
        return item_card(
            meeting_id, item, values, members=members, schools=schools, refusal=refusal, room=room
        )
    read = await read_entry(session, value, [f.person_id for f in item.flagged])
    if read.problems:
        return _again(meeting_id, item, read, members, room, problems=read.problems)
    version = as_id(value.get("version"))
    try:
        await save_outcome(
            session,
            clock,
            profile,
            meeting_id,
            request_id,
            read.entry,
            version=version,
            not_about_a_pupil=value.get(KEEP_WORDING) is True,
        )
    except OutcomeInvalid as invalid:
        return _again(meeting_id, item, read, members, room, problems=invalid.problems)
    except FundingRefused as refused:
        problems = {"funding": f"Nothing was saved: {refused}"}
        return _again(meeting_id, item, read, members, refused.room, problems=problems, overspend=True)
    except IdentifyingText as found:
        return _again(meeting_id, item, read, members, room, warning=str(found))
    except OutcomeChanged as changed:
        await session.rollback()
        latest = await open_recording(session, clock, profile, meeting_id)
        item = next(i for i in latest.items if i.request_id == request_id)
        values, schools = await saved_values(session, await outcome_of(session, meeting_id, request_id))
        return item_card(
            meeting_id,
            item,
            values,
            members=members,
            schools=schools,
            note=f"{changed} Nothing of yours was saved.",
            room=room,
        )
    return await hub(
        session,
        clock,
        chat.quorum_rule,
        profile,
        meeting_id,
        f"The outcome of {item.ref} is saved as a draft.",
    )


async def room_for(session: AsyncSession, meeting_id: int, request_id: int) -> FundingRoom:
    meeting, community = await load_meeting(session, meeting_id)
    return await funding_room(session, meeting, community, request_id)


def _again(
    meeting_id: int,
    item: ItemView,
    read: Read,
    members: dict[int, str],
    room: FundingRoom | None,
    *,
    problems: dict[str, str] | None = None,
    warning: str = "",
    overspend: bool = False,
) -> Card:
    return item_card(
        meeting_id,
        item,
        read.values,
        members=members,
        schools=read.schools,
        problems=problems,
        warning=warning,
        room=room,
        overspend=overspend,
    )


async def _kept_out(session: AsyncSession, profile: PersonProfile, item: ItemView) -> str:
    """Why this person may not record the item (the domain's words), or ""."""
    request = await session.get(Request, item.request_id)
    assert request is not None
    refusal = await conflict_refusal(session, profile.person_id, request, f"record the outcome of {item.ref}")
    if refusal:
        return refusal
    if profile.person_id in {f.person_id for f in item.flagged}:
        return OWN_RULING
    recorded = next((f.recorded for f in item.flagged if f.person_id == profile.person_id), None)
    if (
        item.outcome is not None
        and recorded is not None
        and ConflictRuling(recorded).kept_out_of_the_decision
    ):
        return ruled_out(f"record the outcome of {item.ref}", recorded)
    return ""


async def _review(
    chat: ChatServices, session: AsyncSession, turn: Turn, meeting_id: int, request_id: int
) -> Card:
    clock, profile, value = chat.clock, turn.profile, turn.value or {}
    await open_recording(session, clock, profile, meeting_id)  # the meeting's chair, vice chair or an officer
    meeting = await session.get(Meeting, meeting_id)
    assert meeting is not None
    review = next((r for r in await reviews_for(session, meeting) if r.request_id == request_id), None)
    if review is None:
        return await hub(
            session,
            clock,
            chat.quorum_rule,
            profile,
            meeting_id,
            "That review is not due at this meeting, or it is recorded.",
        )
    values = {k: v for k, v in value.items() if isinstance(v, str)}
    if turn.action == OUTCOME_REVIEW:
        return review_card(meeting_id, review, {})
    return await _record_review(chat, session, turn, meeting_id, review, values)


async def _record_review(
    chat: ChatServices,
    session: AsyncSession,
    turn: Turn,
    meeting_id: int,
    review: ReviewItem,
    values: dict[str, Any],
) -> Card:
    clock, profile, value = chat.clock, turn.profile, turn.value or {}
    request = await session.get(Request, review.request_id)
    assert request is not None
    conflicted = await conflict_refusal(session, profile.person_id, request, "record the review") is not None
    try:
        result = ReviewResult(values.get("result", ""))
    except ValueError:
        return review_card(meeting_id, review, values, said="Choose how the support went.")
    typed = str(values.get("next_review_date") or "").strip()
    try:
        until = date.fromisoformat(typed) if typed else None
    except ValueError:
        return review_card(meeting_id, review, values, said="Give the next review date with the date picker.")
    try:
        recorded = await record_review(
            session,
            clock,
            profile,
            review.request_id,
            result,
            str(values.get("note") or ""),
            continue_until=until,
            meeting_id=meeting_id,
            not_about_a_pupil=value.get(KEEP_WORDING) is True,
        )
    except IdentifyingText as found:
        return review_card(meeting_id, review, values, warning=str(found))
    except OutcomeRefused as refused:
        if conflicted or isinstance(refused, OutcomeChanged):
            raise  # the domain's refusal (audited), said as it is
        return review_card(meeting_id, review, values, said=str(refused))
    after = "closed" if recorded.next_review_date is None else "continues in delivery"
    told = await tell_review(session, clock, chat.outbox, recorded)
    said = f"I've told {listed(list(told))}." if told else "Nobody at the school can be messaged yet."
    how = recorded.result.label.lower()
    note = f"The review of {recorded.ref} is recorded ({how}): the request {after}. {said}"
    return await hub(session, clock, chat.quorum_rule, profile, meeting_id, note)
