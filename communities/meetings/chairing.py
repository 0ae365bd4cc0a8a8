"""What the agenda, the outcomes and the minutes share: a meeting read with its community, and the
rule that only its chair or vice chair, or a council officer, acts for it (a refusal is audited
and kept, and the session's other changes are thrown away)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from communities import audit
from communities.clock import Clock
from communities.meetings.tables import Meeting, MeetingStatus
from communities.permissions import is_triager
from communities.roster.directory import PersonProfile
from communities.roster.tables import Community


async def meeting_with_community(session: AsyncSession, meeting_id: int) -> tuple[Meeting, Community] | None:
    meeting = await session.get(Meeting, meeting_id)
    community = await session.get(Community, meeting.community_id) if meeting else None
    return (meeting, community) if meeting is not None and community is not None else None


async def refuse_unless_chairing(
    session: AsyncSession,
    clock: Clock,
    actor: PersonProfile,
    meeting: Meeting,
    community: Community,
    *,
    action: str,
    refusal: Exception,
) -> None:
    """Raise ``refusal`` (built by the caller before the session is expired), audited as ``action``,
    unless ``actor`` chairs the community or is an officer."""
    assert community.id is not None
    if is_triager(actor, community.id):
        return
    await audit.keep_only_refusal(
        session,
        clock,
        actor_person_id=actor.person_id,
        action=action,
        entity="meeting",
        entity_id=str(meeting.id),
        detail={"community": community.code},
    )
    raise refusal


async def last_meeting_held(session: AsyncSession, community_id: int, now: datetime) -> Meeting | None:
    """The community's latest meeting that has started by ``now`` and was not cancelled."""
    query = (
        select(Meeting)
        .where(
            Meeting.community_id == community_id,
            col(Meeting.status) != MeetingStatus.CANCELLED,
            col(Meeting.starts_at) <= now,
        )
        .order_by(col(Meeting.starts_at).desc())
        .limit(1)
    )
    return (await session.exec(query)).first()
