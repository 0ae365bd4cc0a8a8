"""Who may write a meeting's minutes, for which meeting, and how a change is written.

The community's chair or vice chair, or a council officer, as for the agenda and the outcomes.
A refusal of permission is audited and changes nothing else. Minutes are drafted once the
meeting has taken place and its outcomes are confirmed; approved minutes no longer change.
"""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from communities import audit
from communities.clock import Clock
from communities.db import update_if_unchanged
from communities.meetings.chairing import meeting_with_community, refuse_unless_chairing
from communities.meetings.tables import Meeting, MeetingStatus
from communities.minutes.tables import Minutes
from communities.minutes.view import day_text
from communities.outcomes.access import item_requests, outcome_of
from communities.outcomes.tables import OutcomeStatus
from communities.roster.directory import PersonProfile
from communities.roster.tables import Community


class MinutesRefused(Exception):
    """The minutes cannot be written or changed; the message says why, and what can be done instead."""


class MinutesChanged(MinutesRefused):
    """The card was out of date (someone changed the minutes since): show the latest instead."""


NO_SUCH_MEETING = "That meeting does not exist (the card may be from somewhere else)."
CANCELLED = "That meeting was cancelled, so it has no minutes."
NOT_HELD = "That meeting has not taken place yet. Its minutes are written once its outcomes are confirmed."
LATEST = "Write `minutes` for the latest."


def may_not_write(community_code: str) -> str:
    return (
        f"Only the chair or vice chair of {community_code}, or a council officer, can write or approve "
        "the minutes of its meetings. The members are sent the minutes once the chair approves them."
    )


def outcomes_first(missing: list[str], when: str) -> str:
    return (
        f"Confirm the outcomes of the meeting on {when} first: {', '.join(missing)} "
        f"{'has' if len(missing) == 1 else 'have'} no confirmed outcome yet. The minutes are drafted "
        "from the confirmed outcomes."
    )


async def load_meeting(session: AsyncSession, meeting_id: int) -> tuple[Meeting, Community]:
    found = await meeting_with_community(session, meeting_id)
    if found is None:
        raise MinutesRefused(NO_SUCH_MEETING)
    return found


async def check_may_write(
    session: AsyncSession,
    clock: Clock,
    actor: PersonProfile,
    meeting: Meeting,
    community: Community,
    what: str,
) -> None:
    """The community's chair or vice chair, or an officer; a refusal is audited and kept."""
    refusal = MinutesRefused(may_not_write(community.code))  # read before the session is expired
    await refuse_unless_chairing(
        session, clock, actor, meeting, community, action=f"minutes_{what}_refused", refusal=refusal
    )


async def check_ready(session: AsyncSession, clock: Clock, meeting: Meeting) -> None:
    """The meeting took place, and every item on it has a confirmed outcome."""
    assert meeting.id is not None
    if meeting.status == MeetingStatus.CANCELLED:
        raise MinutesRefused(CANCELLED)
    if meeting.starts_at > clock.now():
        raise MinutesRefused(NOT_HELD)
    missing = []
    for request in await item_requests(session, meeting.id):
        assert request.id is not None
        outcome = await outcome_of(session, meeting.id, request.id)
        if outcome is None or OutcomeStatus(outcome.status) is not OutcomeStatus.CONFIRMED:
            missing.append(request.ref)
    if missing:
        raise MinutesRefused(outcomes_first(missing, day_text(meeting.starts_at)))


async def save(session: AsyncSession, clock: Clock, minutes: Minutes, **values: Any) -> bool:
    """Write under the version check, one version on; False when someone changed them first."""
    assert minutes.id is not None
    changed = {**values, "version": minutes.version + 1, "updated_at": clock.now()}
    if not await update_if_unchanged(session, Minutes, minutes.id, minutes.version, changed):
        return False
    await session.refresh(minutes)
    return True


def audit_meeting(
    session: AsyncSession,
    clock: Clock,
    actor: PersonProfile,
    action: str,
    meeting_id: int,
    detail: dict[str, Any],
) -> None:
    audit.record(
        session,
        clock,
        actor_person_id=actor.person_id,
        action=action,
        entity="meeting",
        entity_id=str(meeting_id),
        detail=detail,
    )
