"""The school calendar loaded from the term dates table (the pure rules: :mod:`communities.school_days`)."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from communities.school_days import SchoolCalendar, Term
from communities.terms.tables import INSET, TermDate


async def load_calendar(session: AsyncSession) -> SchoolCalendar:
    """Every academic year's terms and INSET days (a few dozen rows)."""
    rows = (await session.exec(select(TermDate))).all()
    terms = tuple(
        sorted(
            (
                Term(row.academic_year, row.name, row.starts_on, row.ends_on)
                for row in rows
                if row.kind != INSET
            ),
            key=lambda term: term.starts_on,
        )
    )
    inset = frozenset(
        row.starts_on + timedelta(days=n)
        for row in rows
        if row.kind == INSET
        for n in range((row.ends_on - row.starts_on).days + 1)
    )
    return SchoolCalendar(terms, inset)
