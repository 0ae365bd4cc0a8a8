"""A refused action changes nothing but its refusal's audit row, whatever it did on the way."""

from __future__ import annotations

from sqlmodel import select

from communities import audit
from communities.audit import AuditEvent
from communities.clock import FixedClock
from communities.db import Database
from communities.roster.tables import Area, Community


async def test_a_refusal_keeps_only_its_audit_row(demo_db: Database, clock: FixedClock) -> None:
    async with demo_db.session() as session:
        community = (await session.exec(select(Community).where(Community.code == "CANT1"))).one()
        community.name = "Renamed on the way"  # changed before the check: flushed below
        await session.flush()
        session.add(Area(name="Added on the way"))  # pending, not flushed
        audit.record(
            session, clock, actor_person_id=None, action="looked", entity="community", entity_id="CANT1"
        )
        await audit.keep_only_refusal(
            session,
            clock,
            actor_person_id=None,
            action="thing_refused",
            entity="community",
            entity_id="CANT1",
        )
        await session.rollback()  # what the caller does after the refusal: nothing left to undo

    async with demo_db.session() as session:
        community = (await session.exec(select(Community).where(Community.code == "CANT1"))).one()
        areas = (await session.exec(select(Area.name))).all()
        actions = (await session.exec(select(AuditEvent.action))).all()
    assert community.name != "Renamed on the way"
    assert "Added on the way" not in areas
    assert "looked" not in actions and actions.count("thing_refused") == 1
