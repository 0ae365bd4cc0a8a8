"""Who may do what to a request: a table of role x action x outcome over the demo roster."""

from __future__ import annotations

import pytest
from sqlmodel import select

from communities.db import Database
from communities.permissions import RequestScope, may_act_on_request, may_raise_request, may_view_request
from communities.requests.lifecycle import RequestAction
from communities.roster.directory import community_by_code
from communities.roster.tables import School
from tests.support.people import DANIEL, GRACE, HANNAH, PRIYA, TOM, profile_of

A = RequestAction
SAM = "sam.carter@kent-demo.example.org"  # finance officer

# A request from Westgate Meadow Primary (CANT1). Daniel leads Westgate and chairs CANT1; Hannah is its
# SENCO; Grace leads St Dunstan's and is CANT1's vice chair; Tom chairs THAN2; Priya is an officer.
TABLE = [
    # who,  action,             allowed
    (HANNAH, A.SUBMIT, True),
    (HANNAH, A.WITHDRAW, True),
    (HANNAH, A.RESUBMIT, True),
    (HANNAH, A.EDIT, True),
    (HANNAH, A.ACCEPT, False),
    (HANNAH, A.RETURN_FOR_INFO, False),
    (DANIEL, A.SUBMIT, True),
    (DANIEL, A.ACCEPT, True),
    (GRACE, A.SUBMIT, False),
    (GRACE, A.WITHDRAW, False),
    (GRACE, A.ACCEPT, True),
    (GRACE, A.RETURN_FOR_INFO, True),
    (TOM, A.ACCEPT, False),
    (TOM, A.SUBMIT, False),
    (PRIYA, A.ACCEPT, True),
    (PRIYA, A.RETURN_FOR_INFO, True),
    (PRIYA, A.WITHDRAW, False),
    (SAM, A.ACCEPT, False),
    (SAM, A.SUBMIT, False),
]


async def westgate_scope(db: Database) -> RequestScope:
    async with db.session() as session:
        community = await community_by_code(session, "CANT1")
        school = (await session.exec(select(School).where(School.urn == "990101"))).one()
    assert community is not None and community.id is not None and school is not None
    return RequestScope(school_id=school.id, community_id=community.id, community_code="CANT1")


@pytest.mark.parametrize(("who", "action", "allowed"), TABLE)
async def test_role_action_outcome(demo_db: Database, who: str, action: RequestAction, allowed: bool) -> None:
    decision = may_act_on_request(await profile_of(demo_db, who), action, await westgate_scope(demo_db))
    assert decision.allowed is allowed
    assert allowed or decision.reason


async def test_who_may_see_the_detail(demo_db: Database) -> None:
    scope = await westgate_scope(demo_db)
    seen = {
        who: may_view_request(await profile_of(demo_db, who), scope).allowed
        for who in (HANNAH, DANIEL, GRACE, TOM, PRIYA, SAM)
    }
    assert seen == {HANNAH: True, DANIEL: True, GRACE: True, TOM: False, PRIYA: True, SAM: False}


async def test_only_the_schools_own_staff_raise_its_requests(demo_db: Database) -> None:
    scope = await westgate_scope(demo_db)
    assert may_raise_request(await profile_of(demo_db, HANNAH), scope.school_id).allowed
    refused = may_raise_request(await profile_of(demo_db, GRACE), scope.school_id)
    assert not refused.allowed and "school leader or SENCO of the school" in refused.reason
