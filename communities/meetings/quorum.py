"""The chair's DM the day before a meeting that is not quorate yet.

The community's chair(s) are told; if none has a chat with the bot, the vice chair(s); failing
them, the council's officers, in words that say the chair cannot be reached. Keys are
``quorum:{meeting_id}:{sequence}:{person_id}``, so a check run twice tells nobody twice, and a
moved meeting is checked afresh.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession

from communities.clock import Clock
from communities.meetings import rsvp
from communities.meetings.rsvp import DEFAULT_QUORUM, QuorumRule, RsvpTally
from communities.meetings.tables import UPCOMING, Meeting
from communities.messaging import notices
from communities.messaging.outbox import Outbox, OutgoingMessage
from communities.roster.roles import Role
from communities.roster.tables import Community


@dataclass(frozen=True)
class QuorumCheck:
    tally: RsvpTally
    #: The people sent a DM (none when the meeting is quorate).
    told: tuple[int, ...] = ()
    #: Not quorate, and neither the chair, the vice chair nor an officer can be reached.
    unreachable: bool = False


async def notify_if_not_quorate(
    session: AsyncSession, clock: Clock, outbox: Outbox, meeting_id: int, rule: QuorumRule = DEFAULT_QUORUM
) -> QuorumCheck | None:
    """DM the chair when the coming meeting is not quorate yet (the caller commits and wakes).

    None when the meeting does not exist or is not coming up any more.
    """
    meeting = await session.get(Meeting, meeting_id)
    if meeting is None or meeting.status not in UPCOMING or meeting.starts_at <= clock.now():
        return None
    community = await session.get(Community, meeting.community_id)
    facts = await rsvp.reminder_facts(session, meeting_id)
    assert community is not None and community.id is not None and facts is not None
    counted = await rsvp.tally(session, meeting_id, rule)
    if counted.quorate:
        return QuorumCheck(counted)
    chair_text, officer_text = _words(community, facts.when, counted)
    officers = OutgoingMessage(text=officer_text)
    told = await notices.tell(
        session,
        outbox,
        notices.Notice.to(
            notices.RoleHolders((Role.CHAIR,), community.id),
            f"quorum:{meeting_id}:{meeting.sequence}",
            OutgoingMessage(text=chair_text),
            fallbacks=(
                notices.Tier(notices.RoleHolders((Role.VICE_CHAIR,), community.id)),
                notices.Tier(notices.OFFICERS, (officers,)),
            ),
        ),
    )
    return QuorumCheck(counted, told=told.people, unreachable=not told.anyone)


def _words(community: Community, when: str, counted: RsvpTally) -> tuple[str, str]:
    """The chair's (and vice chair's) words, and the officers'."""
    where = f"{community.name} ({community.code})"
    so_far = (
        f"So far: {counted.attending} attending, {counted.apologies} sending apologies, {counted.colleague} "
        f"sending a colleague; {counted.schools_represented} of {counted.schools_total} schools represented."
    )
    missing = f" Not represented yet: {', '.join(counted.unrepresented)}." if counted.unrepresented else ""
    not_met = f"Quorum is not met yet for the {where} meeting on {when}: it needs {counted.needs()}."
    chair_text = (
        f"{not_met} {so_far}{missing} "
        "You may want to remind members to answer on the reminder card in the channel."
    )
    officer_text = (
        f"{not_met} Its chair and vice chair cannot be reached by the bot (they have not opened a chat "
        f"with it). {so_far}{missing}"
    )
    return chair_text, officer_text
