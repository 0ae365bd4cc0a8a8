"""The Code of Conduct: accepted once per version, with its date."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from communities.audit import AuditEvent
from communities.clock import FixedClock
from communities.db import Database
from communities.declarations.code_of_conduct import (
    CODE_OF_CONDUCT_POINTS,
    CODE_OF_CONDUCT_SUMMARY,
    CODE_OF_CONDUCT_VERSION,
    CodeOfConductAcceptance,
    accept,
    acceptance_of,
    needs_acceptance,
)
from tests.support.people import GRACE, HANNAH, profile_of

NEXT_VERSION = "2026-01"


async def acceptances(db: Database) -> list[CodeOfConductAcceptance]:
    async with db.session() as session:
        query = select(CodeOfConductAcceptance).order_by(col(CodeOfConductAcceptance.id))
        return list((await session.exec(query)).all())


async def accepted_events(db: Database) -> list[AuditEvent]:
    async with db.session() as session:
        query = select(AuditEvent).where(AuditEvent.action == "code_of_conduct_accepted")
        return list((await session.exec(query.order_by(col(AuditEvent.id)))).all())


async def test_a_member_accepts_once_and_the_version_and_date_are_kept(
    demo_db: Database, clock: FixedClock
) -> None:
    grace = (await profile_of(demo_db, GRACE)).person_id
    async with demo_db.session() as session:
        assert await needs_acceptance(session, grace, CODE_OF_CONDUCT_VERSION)
        row = await accept(session, clock, grace, CODE_OF_CONDUCT_VERSION)
        await session.commit()
    first_date = clock.now()
    clock.advance(days=3)
    async with demo_db.session() as session:
        assert not await needs_acceptance(session, grace, CODE_OF_CONDUCT_VERSION)
        again = await accept(session, clock, grace, f" {CODE_OF_CONDUCT_VERSION} ")  # a second click
        await session.commit()
    assert again.id == row.id and again.accepted_at == first_date
    [stored] = await acceptances(demo_db)
    assert (stored.person_id, stored.version, stored.accepted_at) == (grace, "2025-04", first_date)
    [event] = await accepted_events(demo_db)
    assert (event.actor_person_id, event.detail) == (grace, {"version": "2025-04", "acceptance_id": row.id})


async def test_a_new_version_needs_a_new_acceptance(demo_db: Database, clock: FixedClock) -> None:
    grace = (await profile_of(demo_db, GRACE)).person_id
    async with demo_db.session() as session:
        await accept(session, clock, grace)
        await session.commit()
    clock.advance(days=200)
    async with demo_db.session() as session:
        assert not await needs_acceptance(session, grace)
        assert await needs_acceptance(session, grace, NEXT_VERSION)
        await accept(session, clock, grace, NEXT_VERSION)
        await session.commit()
    async with demo_db.session() as session:
        assert not await needs_acceptance(session, grace, NEXT_VERSION)
        old = await acceptance_of(session, grace, CODE_OF_CONDUCT_VERSION)
    assert old is not None and old.accepted_at == clock.now() - timedelta(days=200)  # history kept
    assert [(a.version, a.accepted_at) for a in await acceptances(demo_db)] == [
        ("2025-04", clock.now() - timedelta(days=200)),
        ("2026-01", clock.now()),
    ]
    assert len(await accepted_events(demo_db)) == 2


async def test_acceptance_is_per_person(demo_db: Database, clock: FixedClock) -> None:
    grace = (await profile_of(demo_db, GRACE)).person_id
    hannah = (await profile_of(demo_db, HANNAH)).person_id
    async with demo_db.session() as session:
        await accept(session, clock, grace)
        await session.commit()
        assert await needs_acceptance(session, hannah)


async def test_the_database_refuses_a_duplicate_acceptance(demo_db: Database, clock: FixedClock) -> None:
    grace = (await profile_of(demo_db, GRACE)).person_id
    async with demo_db.session() as session:
        await accept(session, clock, grace)
        await session.commit()
    async with demo_db.session() as session:
        session.add(CodeOfConductAcceptance(person_id=grace, version="2025-04", accepted_at=clock.now()))
        with pytest.raises(IntegrityError):
            await session.commit()


@pytest.mark.parametrize("version", ["", "   ", "x" * 33])
async def test_a_version_must_be_given(demo_db: Database, clock: FixedClock, version: str) -> None:
    grace = (await profile_of(demo_db, GRACE)).person_id
    async with demo_db.session() as session:
        with pytest.raises(ValueError, match="version"):
            await accept(session, clock, grace, version)
    assert await acceptances(demo_db) == []


def test_the_summary_says_it_is_a_summary_and_what_a_member_agrees_to() -> None:
    assert CODE_OF_CONDUCT_VERSION == "2025-04"
    assert "summary, pending the full Code of Conduct from Kent County Council" in CODE_OF_CONDUCT_SUMMARY
    for point in CODE_OF_CONDUCT_POINTS:
        assert f"- {point}" in CODE_OF_CONDUCT_SUMMARY
    text = " ".join(CODE_OF_CONDUCT_POINTS)
    for promise in ("all children and young people", "declare my interests", "confidential", "evidence"):
        assert promise in text
