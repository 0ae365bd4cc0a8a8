"""The request read in one statement (communities/requests/loaded.py) and saved from that copy."""

from __future__ import annotations

import pytest

from communities.clock import FixedClock
from communities.db import Database
from communities.requests.drafts import NotEditable, editable_request, latest_draft
from communities.requests.loaded import places_read
from communities.requests.service import RequestRefused, save_answers
from communities.requests.tables import Request
from communities.roster.tables import Community, School
from tests.communities.requests.test_service import audited, draft
from tests.support.people import DANIEL, HANNAH, TOM, profile_of


async def test_the_copy_read_holds_what_the_orm_loads_and_the_names_with_it(
    demo_db: Database, clock: FixedClock
) -> None:
    request_id = await draft(demo_db, clock, answers={"needs_summary": "Settling after break."})
    hannah = await profile_of(demo_db, HANNAH)
    async with demo_db.session() as session:
        copy = await editable_request(session, clock, hannah, request_id)
        places = places_read(session, request_id)
    async with demo_db.session() as session:
        loaded = await session.get(Request, request_id)
        assert loaded is not None
        school = await session.get(School, loaded.school_id)
        community = await session.get(Community, loaded.community_id)
    assert {k: getattr(copy, k) for k in Request.model_fields} == {
        k: getattr(loaded, k) for k in Request.model_fields
    }
    assert copy.details == {"needs_summary": "Settling after break."} and copy.created_at.tzinfo
    assert school is not None and community is not None and places is not None
    assert (places.school, places.community, places.community_code) == (
        school.name,
        community.name,
        community.code,
    )


async def test_a_save_from_a_copy_read_before_someone_else_s_is_refused_and_theirs_stands(
    demo_db: Database, clock: FixedClock
) -> None:
    request_id = await draft(demo_db, clock)
    hannah, daniel = await profile_of(demo_db, HANNAH), await profile_of(demo_db, DANIEL)
    async with demo_db.session() as slow:
        copy = await editable_request(slow, clock, hannah, request_id)
        await slow.commit()  # as a turn that read it, then waited
        async with demo_db.session() as other:
            await save_answers(other, clock, daniel, request_id, {"needs_summary": "Daniel's wording."})
            await other.commit()
        with pytest.raises(RequestRefused, match="Someone else changed this request just now"):
            await save_answers(slow, clock, hannah, request_id, {"needs_summary": "Hannah's."}, read=copy)
    async with demo_db.session() as session:
        stored = await session.get(Request, request_id)
    assert stored is not None and stored.details["needs_summary"] == "Daniel's wording."
    assert stored.version == copy.version + 1


async def test_a_save_from_the_copy_still_checks_who_saves_it(demo_db: Database, clock: FixedClock) -> None:
    request_id = await draft(demo_db, clock)
    hannah, tom = await profile_of(demo_db, HANNAH), await profile_of(demo_db, TOM)
    async with demo_db.session() as session:
        copy = await editable_request(session, clock, hannah, request_id)
        with pytest.raises(RequestRefused, match="Only a school leader or SENCO"):
            await save_answers(session, clock, tom, request_id, {"needs_summary": "Not theirs."}, read=copy)
        await session.commit()  # the refusal's audit row
    async with demo_db.session() as session:
        stored = await session.get(Request, request_id)
    assert stored is not None and "needs_summary" not in stored.details
    assert ("request_edit_refused", stored.ref) in await audited(demo_db)


async def test_a_copy_of_another_request_id_is_not_used_for_this_one(
    demo_db: Database, clock: FixedClock
) -> None:
    first, second = await draft(demo_db, clock), await draft(demo_db, clock)
    hannah = await profile_of(demo_db, HANNAH)
    async with demo_db.session() as session:
        copy = await editable_request(session, clock, hannah, first)
        saved = await save_answers(session, clock, hannah, second, {"urgency": "urgent"}, read=copy)
        await session.commit()
    assert saved.id == second and saved.urgency == "urgent" and copy.urgency == "standard"


async def test_another_school_s_request_is_not_editable_and_the_refusal_is_audited(
    demo_db: Database, clock: FixedClock
) -> None:
    request_id = await draft(demo_db, clock)
    tom = await profile_of(demo_db, TOM)
    async with demo_db.session() as session:
        with pytest.raises(NotEditable, match="Only a school leader or SENCO"):
            await editable_request(session, clock, tom, request_id)
    async with demo_db.session() as session:
        ref = (await session.get(Request, request_id)).ref  # type: ignore[union-attr]
    assert ("request_edit_refused", ref) in await audited(demo_db)


async def test_the_latest_draft_is_the_person_s_most_recently_changed(
    demo_db: Database, clock: FixedClock
) -> None:
    hannah, tom = await profile_of(demo_db, HANNAH), await profile_of(demo_db, TOM)
    async with demo_db.session() as session:
        assert await latest_draft(session, hannah) is None
    await draft(demo_db, clock)
    clock.advance(minutes=1)
    newest = await draft(demo_db, clock)
    async with demo_db.session() as session:
        found = await latest_draft(session, hannah)
        assert found is not None and found.id == newest
        assert await latest_draft(session, tom) is None
