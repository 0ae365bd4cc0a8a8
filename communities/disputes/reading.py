"""Reading a dispute: who may, and every read audited (a refused read too, on its own).

The school's staff, the community's chair and vice chair, council officers, and whoever deals with
its current stage (an Area Board member) may read it.
"""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from communities import audit
from communities.clock import Clock
from communities.disputes import words
from communities.disputes.access import may_handle
from communities.disputes.steps import DisputeRefused
from communities.disputes.tables import Dispute
from communities.permissions import is_school_staff, is_triager
from communities.roster.directory import PersonProfile

MAY_NOT_READ = (
    "Only the school that raised it, the people dealing with it and council officers can read a dispute."
)


async def may_read(session: AsyncSession, profile: PersonProfile, dispute: Dispute) -> bool:
    return (
        is_school_staff(profile, dispute.school_id)
        or is_triager(profile, dispute.community_id)
        or await may_handle(session, profile, dispute)
    )


async def open_for_reading(
    session: AsyncSession, clock: Clock, actor: PersonProfile, dispute_id: int
) -> Dispute:
    """The dispute, if the actor may read it (the caller commits the audit row)."""
    dispute = await session.get(Dispute, dispute_id)
    if dispute is None:
        raise DisputeRefused(words.NO_SUCH_DISPUTE)
    if not await may_read(session, actor, dispute):
        await audit.keep_only_refusal(
            session,
            clock,
            actor_person_id=actor.person_id,
            action="dispute_read_refused",
            entity="dispute",
            entity_id=str(dispute_id),
        )
        raise DisputeRefused(MAY_NOT_READ)
    audit.record_read(
        session,
        clock,
        audit.Read.DISPUTE,
        actor_person_id=actor.person_id,
        entity="dispute",
        entity_id=str(dispute_id),
        detail={"stage": int(dispute.stage), "status": str(dispute.status)},
    )
    return dispute
