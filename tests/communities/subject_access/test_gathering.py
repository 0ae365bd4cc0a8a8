"""A member of staff's subject access export: every row that names them, and the pupil detail withheld
unless the policy includes it (the child is a different data subject)."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from communities.audit import AuditEvent
from communities.clock import FixedClock
from communities.db import Database
from communities.requests.service import open_for_reading
from communities.subject_access.gathering import PersonExport, UnknownPerson, gather, record_export
from communities.subject_access.pupil_fields import WITHHELD
from communities.subject_access.summary import manifest, summary_markdown
from tests.support.outcomes import as_person, person_id
from tests.support.people import DANIEL, GRACE, HANNAH, personal_chat
from tests.support.requests import COMPLETE, WESTGATE, raise_and_accept


async def export_of(db: Database, clock: FixedClock, email: str, *, include: bool = False) -> PersonExport:
    async with db.session() as session:
        return await gather(session, clock, email, include_pupil_detail=include)


async def hannahs_accepted_request(db: Database, clock: FixedClock) -> str:
    """Hannah (who can be messaged) raises a request; Grace, the vice chair, accepts it; Daniel reads it."""
    async with db.session() as session:
        session.add(personal_chat(await person_id(db, HANNAH), HANNAH, clock.now()))
        await session.commit()
    request = await raise_and_accept(db, clock, HANNAH, WESTGATE)
    assert request.id is not None
    request_id = request.id
    await as_person(db, DANIEL, lambda s, a: open_for_reading(s, clock, a, request_id))
    return request.ref


async def test_the_export_holds_her_roster_rows_requests_audit_and_messages(
    demo_db: Database, clock: FixedClock
) -> None:
    ref = await hannahs_accepted_request(demo_db, clock)
    export = await export_of(demo_db, clock, "  Hannah.Reid@Westgate-Demo.example.org ")

    assert export.email == HANNAH and export.display_name == "Hannah Reid"
    kinds = export.kinds
    assert kinds["person"][0]["email"] == HANNAH
    assert {row["role"] for row in kinds["memberships"]} >= {"senco"}
    [raised] = kinds["requests_raised"]
    assert raised["ref"] == ref and raised["status"] == "accepted"
    actions = [row["action"] for row in kinds["audit_events"]]
    assert "request_started" in actions and "request_submit" in actions
    assert "request_read" not in actions  # Daniel's read is his, not hers
    [message] = [m for m in kinds["messages_sent_to_them"] if ref in json.dumps(m)]
    assert "accepted" in message["payload"]["text"]
    assert kinds["personal_chats"][0]["teams_user_id"] == f"29:{HANNAH}"


async def test_pupil_detail_is_withheld_by_default_and_included_when_the_policy_says(
    demo_db: Database, clock: FixedClock
) -> None:
    ref = await hannahs_accepted_request(demo_db, clock)

    withheld = await export_of(demo_db, clock, HANNAH)
    [raised] = withheld.kinds["requests_raised"]
    assert raised["ref"] == ref and raised["details"] == WITHHELD
    everything = json.dumps(withheld.kinds)
    assert COMPLETE["needs_summary"] not in everything and COMPLETE["pupil_ref"] not in everything
    assert WITHHELD in summary_markdown(withheld) and "not included" in summary_markdown(withheld)

    included = await export_of(demo_db, clock, HANNAH, include=True)
    assert included.kinds["requests_raised"][0]["details"]["needs_summary"] == COMPLETE["needs_summary"]
    assert manifest(included)["policy"]["include_pupil_detail"] is True
    assert manifest(withheld)["policy"]["include_pupil_detail"] is False


async def test_a_chair_who_accepted_a_request_finds_it_among_those_triaged(
    demo_db: Database, clock: FixedClock
) -> None:
    ref = await hannahs_accepted_request(demo_db, clock)
    grace = await export_of(demo_db, clock, GRACE)
    assert [row["ref"] for row in grace.kinds["requests_triaged"]] == [ref]
    assert grace.kinds["requests_triaged"][0]["details"] == WITHHELD
    assert "requests_raised" not in grace.kinds
    assert f"- {ref}: accepted" in summary_markdown(grace)
    daniel = await export_of(demo_db, clock, DANIEL)  # he read it: his read is in his export
    assert "request_read" in [row["action"] for row in daniel.kinds["audit_events"]]
    assert "requests_triaged" not in daniel.kinds


async def test_the_export_is_audited_about_the_person_with_counts_only(
    demo_db: Database, clock: FixedClock
) -> None:
    await hannahs_accepted_request(demo_db, clock)
    export = await export_of(demo_db, clock, HANNAH)
    async with demo_db.session() as session:
        record_export(session, clock, export)
        await session.commit()
        [row] = (
            await session.exec(select(AuditEvent).where(AuditEvent.action == "subject_access_exported"))
        ).all()
    assert row.entity == "person" and row.entity_id == str(export.person_id)
    assert row.detail == {"rows": export.rows, "include_pupil_detail": False}
    again = await export_of(demo_db, clock, HANNAH)  # the next export shows the last one
    assert "subject_access_exported" in [r["action"] for r in again.kinds["audit_events"]]


@pytest.mark.parametrize(
    ("email", "said"),
    [
        ("nobody@kent-demo.example.org", "no one in the roster has the email nobody@kent-demo.example.org"),
        ("hannah reid", "“hannah reid” is not an email address"),
        ("", "is not an email address"),
    ],
)
async def test_an_unknown_person_or_not_an_email_is_refused(
    demo_db: Database, clock: FixedClock, email: str, said: str
) -> None:
    with pytest.raises(UnknownPerson, match=said):
        await export_of(demo_db, clock, email)
