"""Who may change an agenda, and how a change is written.

Every change is checked against the person's roles (the community's chair or vice chair, or
an officer; a refusal is audited and changes nothing else), is made to a meeting still to come,
carries the version of the card it came from (a stale card is refused, never applied to an
agenda it did not show), is written under the version check, and is audited.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from communities import audit
from communities.agendas.items import attached, fair
from communities.agendas.tables import Agenda, AgendaStatus
from communities.clock import Clock
from communities.db import update_if_unchanged, upsert_into
from communities.meetings.chairing import meeting_with_community, refuse_unless_chairing
from communities.meetings.tables import UPCOMING, Meeting, MeetingStatus
from communities.roster.directory import PersonProfile
from communities.roster.tables import Community


class AgendaRefused(Exception):
    """The change is not allowed or not possible; the message says why, for the person."""


class AgendaChanged(AgendaRefused):
    """The card was out of date (someone changed the agenda since): show the latest instead."""


async def build_draft(
    session: AsyncSession, clock: Clock, meeting_id: int, actor: PersonProfile | None = None
) -> Agenda:
    """The meeting's agenda, made as a draft the first time (the scheduler passes no actor).

    Idempotent: a second call, or two at once, returns the one agenda, whatever its state.
    """
    meeting, community = await load_meeting(session, meeting_id)
    if actor is not None:
        await check_may_change(session, clock, actor, meeting, community, "build")
    existing = await agenda_of(session, meeting_id)
    if existing is not None:
        return existing
    still_to_come(clock, meeting)
    order = [r.id for r in fair(await attached(session, meeting_id)) if r.id is not None]
    now = clock.now()
    created = await session.execute(
        upsert_into(session, Agenda)
        .values(
            meeting_id=meeting_id,
            status=AgendaStatus.DRAFT.value,
            version=1,
            aob=[],
            item_order=order,
            meeting_sequence=meeting.sequence,
            channel_part_ids=[],
            created_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing(index_elements=["meeting_id"])
        .returning(col(Agenda.id))
    )
    made = created.first() is not None  # None: another call made it just now
    agenda = await agenda_of(session, meeting_id)
    assert agenda is not None
    if made:
        audit_meeting(session, clock, actor, "agenda_built", meeting, {"items": len(order)})
    return agenda


async def load_meeting(session: AsyncSession, meeting_id: int) -> tuple[Meeting, Community]:
    found = await meeting_with_community(session, meeting_id)
    if found is None:
        raise AgendaRefused("That meeting does not exist (the card may be from somewhere else).")
    return found


async def agenda_of(session: AsyncSession, meeting_id: int) -> Agenda | None:
    return (await session.exec(select(Agenda).where(Agenda.meeting_id == meeting_id))).first()


async def check_may_change(
    session: AsyncSession,
    clock: Clock,
    actor: PersonProfile,
    meeting: Meeting,
    community: Community,
    what: str,
) -> None:
    """The community's chair or vice chair, or an officer; a refusal is audited and kept."""
    refusal = AgendaRefused(
        f"Only the chair or vice chair of {community.code}, or a council officer, can change or "
        "publish its agenda. The agenda is posted in the community's channel once it is published."
    )
    await refuse_unless_chairing(
        session, clock, actor, meeting, community, action=f"agenda_{what}_refused", refusal=refusal
    )


def still_to_come(clock: Clock, meeting: Meeting) -> None:
    if meeting.status not in UPCOMING:
        label = MeetingStatus(meeting.status).label.lower()
        raise AgendaRefused(f"That meeting is {label}, so its agenda cannot change.")
    if meeting.ends_at <= clock.now():
        raise AgendaRefused("That meeting has already taken place, so its agenda cannot change.")


async def editable(
    session: AsyncSession,
    clock: Clock,
    actor: PersonProfile,
    meeting_id: int,
    version: int | None,
    what: str,
) -> tuple[Agenda, Meeting, Community]:
    """Permission, a meeting still to come, the agenda (built if missing), and the card's version."""
    meeting, community = await load_meeting(session, meeting_id)
    await check_may_change(session, clock, actor, meeting, community, what)
    still_to_come(clock, meeting)
    agenda = await build_draft(session, clock, meeting_id, actor)
    if version is not None and version != agenda.version:
        raise AgendaChanged("The agenda has changed since this card was sent. Here is the latest.")
    return agenda, meeting, community


async def save(
    session: AsyncSession, clock: Clock, agenda: Agenda, *, bump: bool = True, **values: Any
) -> None:
    """Write with the version check: a concurrent change makes this one fail, not overwrite."""
    assert agenda.id is not None
    if bump:
        values["version"] = agenda.version + 1
    if not await update_if_unchanged(
        session, Agenda, agenda.id, agenda.version, {"updated_at": clock.now(), **values}
    ):
        await session.rollback()
        raise AgendaChanged("Someone else changed the agenda just now. Open it again to see the latest.")
    await session.refresh(agenda)


def audit_meeting(
    session: AsyncSession,
    clock: Clock,
    actor: PersonProfile | None,
    action: str,
    meeting: Meeting,
    detail: dict[str, Any],
) -> None:
    audit.record(
        session,
        clock,
        actor_person_id=actor.person_id if actor else None,
        action=action,
        entity="meeting",
        entity_id=str(meeting.id),
        detail=detail,
    )
