"""Reading the register: a person's interests in force, their answer for a year, and their history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from sqlmodel import and_, col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from communities.academic_year import LONDON, academic_year_bounds, academic_year_label
from communities.declarations.tables import (
    DeclarationConfirmation,
    EndReason,
    InterestDeclaration,
)


@dataclass(frozen=True)
class YearRegister:
    """A person's register for one academic year.

    ``interests`` are the versions that stood in the year: those still in force at its end
    (or now), and those ended during it. A version replaced by an update within the year is
    left out (its history is in ``interest_history``).
    """

    person_id: int
    academic_year: int
    answer: DeclarationConfirmation | None
    interests: tuple[InterestDeclaration, ...]
    year_end: datetime

    @property
    def label(self) -> str:
        return academic_year_label(self.academic_year)

    @property
    def confirmed(self) -> bool:
        return self.answer is not None

    @property
    def current(self) -> tuple[InterestDeclaration, ...]:
        return tuple(i for i in self.interests if i.ended_at is None or i.ended_at >= self.year_end)

    @property
    def ended(self) -> tuple[InterestDeclaration, ...]:
        return tuple(i for i in self.interests if i.ended_at is not None and i.ended_at < self.year_end)


async def active_interests(session: AsyncSession, person_id: int) -> list[InterestDeclaration]:
    """The person's interests in force now, oldest first."""
    rows = await session.exec(
        select(InterestDeclaration)
        .where(InterestDeclaration.person_id == person_id, col(InterestDeclaration.ended_at).is_(None))
        .order_by(col(InterestDeclaration.declared_at), col(InterestDeclaration.id))
    )
    return list(rows.all())


async def live_answer(session: AsyncSession, person_id: int, year: int) -> DeclarationConfirmation | None:
    """The person's answer for the academic year, if they have given one."""
    return (
        await session.exec(
            select(DeclarationConfirmation).where(
                DeclarationConfirmation.person_id == person_id,
                DeclarationConfirmation.academic_year == year,
                col(DeclarationConfirmation.superseded_at).is_(None),
            )
        )
    ).first()


async def is_confirmed(session: AsyncSession, person_id: int, year: int) -> bool:
    return await live_answer(session, person_id, year) is not None


async def register_for_year(
    session: AsyncSession, person_id: int, year: int, zone: tzinfo = LONDON
) -> YearRegister:
    start, end = academic_year_bounds(year, zone)
    ended_at = col(InterestDeclaration.ended_at)
    rows = await session.exec(
        select(InterestDeclaration)
        .where(
            InterestDeclaration.person_id == person_id,
            col(InterestDeclaration.declared_at) < end,
            or_(
                ended_at.is_(None),
                ended_at >= end,
                and_(InterestDeclaration.end_reason == EndReason.ENDED, ended_at >= start),
            ),
        )
        .order_by(col(InterestDeclaration.declared_at), col(InterestDeclaration.id))
    )
    answer = await live_answer(session, person_id, year)
    return YearRegister(person_id, year, answer, tuple(rows.all()), end)


async def interest_history(
    session: AsyncSession, person_id: int, interest_id: int
) -> list[InterestDeclaration]:
    """Every version of an interest of the person's, up to ``interest_id``, oldest first."""
    versions: list[InterestDeclaration] = []
    next_id: int | None = interest_id
    while next_id is not None:
        row = await session.get(InterestDeclaration, next_id)
        if row is None or row.person_id != person_id:
            break
        versions.append(row)
        next_id = row.previous_id
    return versions[::-1]
