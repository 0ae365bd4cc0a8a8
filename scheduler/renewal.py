"""The weekly reminder to confirm one's declarations of interest for the academic year."""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from cards.meetings.timeline import renewal_card
from communities.academic_year import academic_year_label
from communities.declarations.conflict_facts import community_member_facts
from communities.declarations.tables import DeclarationConfirmation
from communities.messaging import notices
from communities.messaging.outbox import Outbox, OutgoingMessage
from communities.roster.tables import Community


async def remind_unconfirmed(session: AsyncSession, outbox: Outbox, academic_year: int, day: str) -> int:
    """DM each member of an active community who has not confirmed for ``academic_year`` yet;
    keyed ``declarations:renewal:{year}:{day}:{person}``. How many were queued."""
    members: set[int] = set()
    communities = (await session.exec(select(Community.id).where(col(Community.active)))).all()
    for community_id in communities:
        if community_id is not None:
            members.update(m.person_id for m in await community_member_facts(session, community_id))
    confirmed = set(
        (
            await session.exec(
                select(DeclarationConfirmation.person_id).where(
                    col(DeclarationConfirmation.person_id).in_(members),
                    DeclarationConfirmation.academic_year == academic_year,
                    col(DeclarationConfirmation.superseded_at).is_(None),
                )
            )
        ).all()
    )
    label = academic_year_label(academic_year)
    message = OutgoingMessage(
        card=renewal_card(label), summary=f"Please confirm your declarations for {label}"
    )
    told = await notices.tell(
        session,
        outbox,
        notices.Notice.to(
            notices.People(tuple(sorted(members - confirmed))),
            f"declarations:renewal:{academic_year}:{day}",
            message,
        ),
    )
    return len(told.rows)
