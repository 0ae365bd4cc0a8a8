"""The Code of Conduct each member accepts on first use, and again when its version changes.

The text below is a summary written for the bot from what is known of the Kent
"Communities of Schools Code of Conduct" (domain.md §1.2): its full text is not yet in the
project. Replace the points and bump ``CODE_OF_CONDUCT_VERSION`` when the KCC document is
added; every member is then asked to accept the new version.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, UniqueConstraint
from sqlmodel import Field, SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from communities import audit
from communities.clock import Clock
from communities.sqltypes import UtcDateTime

VERSION_MAX = 32

CODE_OF_CONDUCT_VERSION = "2025-04"
CODE_OF_CONDUCT_TITLE = "Communities of Schools: Code of Conduct"
CODE_OF_CONDUCT_NOTICE = (
    "This is a summary, pending the full Code of Conduct from Kent County Council. "
    "Where they differ, the KCC document applies."
)
CODE_OF_CONDUCT_INTRO = "As a member of a Community of Schools, I agree to:"
CODE_OF_CONDUCT_POINTS: tuple[str, ...] = (
    "act in the best interests of all children and young people in the community, "
    "not only those of my own school;",
    "declare my interests openly and promptly, keep my declaration up to date, confirm it "
    "each academic year, and take no part in a decision where I have a conflict of interest "
    "unless the chair rules that I may;",
    "keep information about pupils confidential, use it only for the community's work, and "
    "never share pupil details in a channel or outside the process;",
    "not use my position in the community for my own benefit or my school's;",
    "be courteous and respectful, challenge others and be open to challenge, and be honest "
    "and open in what I say;",
    "base decisions on evidence;",
    "support the decisions the community makes together, and speak for the community only "
    "when I am authorised to.",
)
CODE_OF_CONDUCT_SUMMARY = "\n".join(
    [CODE_OF_CONDUCT_INTRO, *(f"- {point}" for point in CODE_OF_CONDUCT_POINTS), "", CODE_OF_CONDUCT_NOTICE]
)


class CodeOfConductAcceptance(SQLModel, table=True):
    """A person accepted one version of the Code of Conduct. Rows are only ever added."""

    __tablename__ = "code_of_conduct_acceptance"
    __table_args__ = (
        UniqueConstraint("person_id", "version", name="uq_code_of_conduct_acceptance_person_version"),
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    version: str = Field(max_length=VERSION_MAX)
    accepted_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


async def acceptance_of(
    session: AsyncSession, person_id: int, version: str = CODE_OF_CONDUCT_VERSION
) -> CodeOfConductAcceptance | None:
    return (
        await session.exec(
            select(CodeOfConductAcceptance).where(
                CodeOfConductAcceptance.person_id == person_id,
                CodeOfConductAcceptance.version == version,
            )
        )
    ).first()


async def needs_acceptance(
    session: AsyncSession, person_id: int, current_version: str = CODE_OF_CONDUCT_VERSION
) -> bool:
    """Whether the person has yet to accept this version (an earlier version's acceptance doesn't count)."""
    return await acceptance_of(session, person_id, current_version) is None


async def accept(
    session: AsyncSession, clock: Clock, person_id: int, version: str = CODE_OF_CONDUCT_VERSION
) -> CodeOfConductAcceptance:
    """Record the acceptance. Accepting the same version again keeps the first date.

    Two racing submits may both insert: the unique key refuses the second, and
    ``in_transaction`` retries it, which then finds the first.
    """
    version = version.strip()
    if not version or len(version) > VERSION_MAX:
        raise ValueError(f"a Code of Conduct version is 1 to {VERSION_MAX} characters")
    existing = await acceptance_of(session, person_id, version)
    if existing is not None:
        return existing
    row = CodeOfConductAcceptance(person_id=person_id, version=version, accepted_at=clock.now())
    session.add(row)
    await session.flush()
    audit.record(
        session,
        clock,
        actor_person_id=person_id,
        action="code_of_conduct_accepted",
        entity="person",
        entity_id=str(person_id),
        detail={"version": version, "acceptance_id": row.id},
    )
    return row
