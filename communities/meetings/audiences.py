"""Who hears about a meeting when the bot speaks of its own accord.

The chair of a meeting is the one named on it, else the community's current chair. What is the
chair's (the draft agenda at the cut-off, the nudge when the agenda is due) goes to the council's
officers instead when the chair cannot be reached, with a line saying so; the officers alone hear
when an agenda is overdue. (The quorum DM has its own tiers: :mod:`communities.meetings.quorum`.)
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel.ext.asyncio.session import AsyncSession

from communities.meetings.service import current_chair
from communities.meetings.tables import Meeting
from communities.messaging import notices
from communities.messaging.outbox import OutgoingMessage


async def meeting_chair(session: AsyncSession, meeting: Meeting) -> int | None:
    """The person who chairs ``meeting``: its own chair, else the community's (None: nobody)."""
    if meeting.chair_person_id is not None:
        return meeting.chair_person_id
    return await current_chair(session, meeting.community_id)


async def to_chair_or_officers(
    session: AsyncSession, meeting: Meeting, key: str, messages: Sequence[OutgoingMessage], passed_on: str
) -> notices.Notice:
    """The meeting's chair; if they cannot be reached, the officers, with ``passed_on`` put first."""
    first = messages[0]
    for_officers = OutgoingMessage(
        text=f"{passed_on}\n\n{first.text}" if first.text else passed_on,
        card=first.card,
        summary=first.summary,
    )
    return notices.Notice.to(
        notices.People.of(await meeting_chair(session, meeting)),
        key,
        *messages,
        fallbacks=(notices.Tier(notices.OFFICERS, (for_officers, *messages[1:])),),
    )


def to_officers(key: str, *messages: OutgoingMessage) -> notices.Notice:
    return notices.Notice.to(notices.OFFICERS, key, *messages)
