from __future__ import annotations

from sqlmodel import select

from communities.clock import FixedClock
from communities.db import Database
from communities.declarations.conflict_rules import ConflictKind, InterestKind, Ruling
from communities.declarations.register import InterestDetails, declare_interest
from communities.requests.conflicts import flagged_members, providers_named
from communities.requests.service import save_answers, start_draft
from communities.requests.tables import Request
from communities.roster.tables import School
from tests.support.people import GRACE, HANNAH, profile_of


async def test_the_chair_sees_own_school_same_trust_and_declared_provider_conflicts(
    demo_db: Database, clock: FixedClock
) -> None:
    hannah = await profile_of(demo_db, HANNAH)
    grace = await profile_of(demo_db, GRACE)
    async with demo_db.session() as session:
        school = (await session.exec(select(School).where(School.urn == "990102"))).one()  # St Dunstan's
        assert school.id is not None
        request = await start_draft(session, clock, grace, school.id)
        assert request.id is not None
        await save_answers(session, clock, grace, request.id, {"providers": ["Speech Works Ltd"]})
        await declare_interest(
            session,
            clock,
            hannah.person_id,
            InterestDetails(
                InterestKind.BUSINESS_OR_FINANCIAL, "Director", pecuniary=True, provider="SpeechWorks"
            ),
        )
        await session.commit()
        stored = await session.get(Request, request.id)
        assert stored is not None
        flagged = {f.member.name: f for f in await flagged_members(session, stored)}
    # Hannah withdraws (pecuniary interest in the named provider); Grace's own school; Harbledown Park
    # Academy is in the same trust as St Dunstan's, but nobody from it is in the demo roster.
    assert flagged["Hannah Reid"].ruling is Ruling.WITHDRAW
    assert [c.kind for c in flagged["Grace Li"].conflicts] == [ConflictKind.OWN_SCHOOL]
    assert flagged["Grace Li"].ruling is Ruling.MAY_PRESENT_NOT_DECIDE
    assert list(flagged)[0] == "Hannah Reid"  # those who withdraw come first
    assert "Priya Shah" not in flagged  # an officer is not a member of the community


def test_providers_are_read_from_the_form_leniently() -> None:
    assert providers_named({"providers": [" Speech Works ", "", 3]}) == ("Speech Works",)
    assert providers_named({"providers": "Speech Works"}) == ()
