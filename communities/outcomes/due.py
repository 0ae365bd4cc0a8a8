"""After a meeting: what its chair and vice chair are asked to record, and how they are reached.

The meeting's items (the requests on its published agenda) and the reviews due by its date, by
reference and school only. The chair of the meeting and the community's vice chairs are told; if
none of them can be reached, the council's officers, with a line saying so.
"""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from communities.agendas.items import school_names
from communities.meetings.audiences import meeting_chair
from communities.meetings.tables import Meeting
from communities.messaging import notices
from communities.messaging.outbox import OutgoingMessage
from communities.outcomes.access import item_requests
from communities.outcomes.reviews import reviews_for
from communities.roster.directory import people_with_role
from communities.roster.roles import Role


async def outcomes_to_record(
    session: AsyncSession, meeting: Meeting
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """``(items, reviews)``, each as ``(reference, school)``."""
    assert meeting.id is not None
    requests = await item_requests(session, meeting.id)
    schools = await school_names(session, {r.school_id for r in requests})
    items = [(r.ref, schools.get(r.school_id, "?")) for r in requests]
    reviews = [(r.ref, r.school) for r in await reviews_for(session, meeting)]
    return items, reviews


async def to_chair_and_vice_or_officers(
    session: AsyncSession, meeting: Meeting, key: str, message: OutgoingMessage, passed_on: str
) -> notices.Notice:
    """The meeting's chair and the community's vice chairs; failing them, the officers."""
    vice = [p.id for p in await people_with_role(session, Role.VICE_CHAIR, meeting.community_id)]
    for_officers = OutgoingMessage(text=passed_on, card=message.card, summary=message.summary)
    return notices.Notice.to(
        notices.People.of(await meeting_chair(session, meeting), *vice),
        key,
        message,
        fallbacks=(notices.Tier(notices.OFFICERS, (for_officers,)),),
    )
