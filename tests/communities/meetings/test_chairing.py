"""Acting for a meeting: its community's chair or vice chair, or an officer; a refusal is audited."""

from __future__ import annotations

import pytest
from sqlmodel import select

from communities.audit import AuditEvent
from communities.clock import FixedClock
from communities.db import Database
from communities.meetings.chairing import meeting_with_community, refuse_unless_chairing
from tests.support.meetings import add_meeting
from tests.support.people import GRACE, HANNAH, PRIYA, TOM, profile_of


class Refused(Exception):
    pass


async def test_only_the_communitys_chairs_and_officers_act_and_a_refusal_is_kept(
    demo_db: Database, clock: FixedClock
) -> None:
    meeting_id = await add_meeting(demo_db, clock, "CANT1", "2027-01-19 16:00")
    for allowed in (GRACE, PRIYA):  # the vice chair of CANT1, an officer
        actor = await profile_of(demo_db, allowed)
        async with demo_db.session() as session:
            found = await meeting_with_community(session, meeting_id)
            assert found is not None and found[1].code == "CANT1"
            await refuse_unless_chairing(
                session, clock, actor, *found, action="test_refused", refusal=Refused()
            )
    for refused in (HANNAH, TOM):  # a SENCO at a CANT1 school, the chair of another community
        actor = await profile_of(demo_db, refused)
        async with demo_db.session() as session:
            found = await meeting_with_community(session, meeting_id)
            assert found is not None
            with pytest.raises(Refused):
                await refuse_unless_chairing(
                    session, clock, actor, *found, action="test_refused", refusal=Refused()
                )
    async with demo_db.session() as session:
        audited = (await session.exec(select(AuditEvent).where(AuditEvent.action == "test_refused"))).all()
        assert await meeting_with_community(session, 999_999) is None
    assert len(audited) == 2 and all(a.entity_id == str(meeting_id) for a in audited)
    assert {a.detail["community"] for a in audited} == {"CANT1"}
