"""Meetings for tests, added through the domain service as an officer would add them."""

from __future__ import annotations

from datetime import datetime, timedelta

from communities.clock import Clock
from communities.db import Database
from communities.meetings.service import MeetingTimes, schedule
from communities.meetings.tables import MeetingOffsets, london_wall_time
from communities.roster.directory import community_by_code
from tests.support.people import PRIYA, profile_of


async def add_meeting(db: Database, clock: Clock, code: str, start: str, *, minutes: int = 90) -> int:
    """A Teams meeting for community ``code`` at ``start`` (London time, ``2027-01-19 16:00``)."""
    officer = await profile_of(db, PRIYA)
    starts = london_wall_time(datetime.fromisoformat(start))
    async with db.session() as session:
        community = await community_by_code(session, code)
        assert community is not None, code
        meeting = await schedule(
            session,
            clock,
            officer,
            community,
            MeetingTimes(starts, starts + timedelta(minutes=minutes)),
            location=None,
            online=True,
            offsets=MeetingOffsets(),
        )
        await session.commit()
        assert meeting.id is not None
        return meeting.id
