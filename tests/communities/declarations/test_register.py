"""The register of interests: declare, update, end, nothing to declare, the academic year,
the chair's and officer's compliance view, and the conflict rules fed from real rows."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from communities.academic_year import (
    LONDON,
    academic_year_bounds,
    academic_year_label,
    academic_year_of,
)
from communities.audit import AuditEvent
from communities.clock import FixedClock
from communities.db import Database
from communities.declarations.conflict_facts import community_member_facts, member_facts
from communities.declarations.conflict_rules import (
    ConflictKind,
    InterestKind,
    RequestFacts,
    Ruling,
    conflicts_for,
)
from communities.declarations.register import (
    InterestDetails,
    Refusal,
    confirm_current,
    declare_interest,
    end_interest,
    nothing_to_declare,
    update_interest,
)
from communities.declarations.tables import Answer, DeclarationConfirmation, EndReason, InterestDeclaration
from communities.declarations.views import CommunityCompliance, compliance_view
from communities.declarations.year_register import (
    active_interests,
    interest_history,
    is_confirmed,
    live_answer,
    register_for_year,
)
from communities.roster.directory import community_by_code
from communities.roster.tables import Person, School
from tests.support.people import DANIEL, GRACE, HANNAH, PRIYA, TOM, profile_of

SECRET = "my sister-in-law is the bursar"  # description text: must never reach the audit log

GOVERNOR = InterestDetails(
    InterestKind.GOVERNANCE, "Governor at Harbledown Park Academy", pecuniary=False, school_urn="990103"
)
DIRECTOR = InterestDetails(
    InterestKind.BUSINESS_OR_FINANCIAL,
    "Director and shareholder",
    pecuniary=True,
    provider="Speech Works Ltd",
)
RELATIVE = InterestDetails(InterestKind.RELATIONSHIP, SECRET, pecuniary=False, school_urn="990104")


def at_london(year: int, month: int, day: int, hour: int, minute: int) -> FixedClock:
    """A clock at a London wall-clock time (BST or GMT as it falls)."""
    return FixedClock(datetime(year, month, day, hour, minute, tzinfo=LONDON))


async def pid(db: Database, email: str) -> int:
    return (await profile_of(db, email)).person_id


async def declare(db: Database, clock: FixedClock, person_id: int, details: InterestDetails) -> int:
    async with db.session() as session:
        row = await declare_interest(session, clock, person_id, details)
        await session.commit()
    assert isinstance(row, InterestDeclaration), row
    assert row.id is not None
    return row.id


async def interests_of(db: Database, person_id: int) -> list[InterestDeclaration]:
    async with db.session() as session:
        rows = await session.exec(
            select(InterestDeclaration)
            .where(InterestDeclaration.person_id == person_id)
            .order_by(col(InterestDeclaration.id))
        )
        return list(rows.all())


async def answers_of(db: Database, person_id: int) -> list[DeclarationConfirmation]:
    async with db.session() as session:
        rows = await session.exec(
            select(DeclarationConfirmation)
            .where(DeclarationConfirmation.person_id == person_id)
            .order_by(col(DeclarationConfirmation.id))
        )
        return list(rows.all())


async def audit_rows(db: Database, action: str | None = None) -> list[AuditEvent]:
    async with db.session() as session:
        query = select(AuditEvent).order_by(col(AuditEvent.id))
        if action is not None:
            query = query.where(AuditEvent.action == action)
        return list((await session.exec(query)).all())


# ---- the academic year --------------------------------------------------------------------------


def test_the_academic_year_turns_at_midnight_london_time_on_1_september() -> None:
    late_august = datetime(2026, 8, 31, 23, 30, tzinfo=LONDON)  # BST: 22:30 UTC
    early_september = datetime(2026, 9, 1, 0, 30, tzinfo=LONDON)  # BST: still 31 August in UTC
    assert early_september.astimezone(UTC).day == 31
    assert academic_year_of(late_august) == 2025
    assert academic_year_of(early_september) == 2026
    assert academic_year_of(early_september.astimezone(UTC)) == 2026  # the zone decides, not UTC
    assert academic_year_of(datetime(2027, 8, 31, 12, tzinfo=UTC)) == 2026
    assert academic_year_of(datetime(2026, 9, 1, 0, 30, tzinfo=UTC), UTC) == 2026
    assert academic_year_of(datetime(2026, 8, 31, 23, 30, tzinfo=UTC), UTC) == 2025


def test_labels_and_bounds() -> None:
    assert academic_year_label(2026) == "2026/27"
    assert academic_year_label(1999) == "1999/00"
    start, end = academic_year_bounds(2026)
    assert start == datetime(2026, 8, 31, 23, 0, tzinfo=UTC)  # 1 Sep 00:00 BST
    assert end == datetime(2027, 8, 31, 23, 0, tzinfo=UTC)
    with pytest.raises(ValueError, match="aware"):
        academic_year_of(datetime(2026, 9, 1))


# ---- declaring, updating, ending ----------------------------------------------------------------


async def test_a_declaration_is_recorded_and_answers_for_the_year(
    demo_db: Database, clock: FixedClock
) -> None:
    grace = await pid(demo_db, GRACE)
    interest_id = await declare(demo_db, clock, grace, GOVERNOR)

    [row] = await interests_of(demo_db, grace)
    assert row.id == interest_id
    assert (row.kind, row.school_urn, row.pecuniary, row.active) == ("governance", "990103", False, True)
    assert row.declared_at == clock.now()
    async with demo_db.session() as session:
        assert await is_confirmed(session, grace, 2026)
        assert not await is_confirmed(session, grace, 2025)
        answer = await live_answer(session, grace, 2026)
    assert answer is not None and answer.answer == Answer.INTERESTS and answer.confirmed_at == clock.now()
    [declared] = await audit_rows(demo_db, "interest_declared")
    assert (declared.actor_person_id, declared.entity_id) == (grace, str(interest_id))
    assert declared.detail == {"kind": "governance", "pecuniary": False}


async def test_the_same_declaration_submitted_twice_is_one_row(demo_db: Database, clock: FixedClock) -> None:
    grace = await pid(demo_db, GRACE)
    first = await declare(demo_db, clock, grace, GOVERNOR)
    clock.advance(minutes=1)
    assert await declare(demo_db, clock, grace, GOVERNOR) == first
    assert len(await interests_of(demo_db, grace)) == 1
    assert len(await answers_of(demo_db, grace)) == 1


async def test_an_update_ends_the_old_version_and_keeps_it(demo_db: Database, clock: FixedClock) -> None:
    grace = await pid(demo_db, GRACE)
    first = await declare(demo_db, clock, grace, GOVERNOR)
    clock.advance(days=30)
    changed = InterestDetails(
        InterestKind.GOVERNANCE, "Chair of governors at Harbledown Park", pecuniary=False, school_urn="990103"
    )
    async with demo_db.session() as session:
        new = await update_interest(session, clock, grace, first, changed)
        await session.commit()
    assert isinstance(new, InterestDeclaration) and new.id is not None

    old, current = await interests_of(demo_db, grace)
    assert old.id == first and old.ended_at == clock.now() and old.end_reason == EndReason.UPDATED
    assert old.description == "Governor at Harbledown Park Academy"  # the history is intact
    assert current.id == new.id and current.previous_id == first and current.active
    assert current.description == "Chair of governors at Harbledown Park"
    async with demo_db.session() as session:
        assert [v.id for v in await interest_history(session, grace, new.id)] == [first, new.id]
        assert [i.id for i in await active_interests(session, grace)] == [new.id]
        register = await register_for_year(session, grace, 2026)
        stale = await update_interest(session, clock, grace, first, GOVERNOR)  # a replayed card
    assert [i.id for i in register.interests] == [new.id]  # the replaced version is history, not register
    assert isinstance(stale, Refusal) and "updated on 23 December 2026" in stale.reason
    [updated] = await audit_rows(demo_db, "interest_updated")
    assert updated.detail == {"kind": "governance", "pecuniary": False, "previous_id": first}


async def test_ending_an_interest_keeps_it_in_the_register(demo_db: Database, clock: FixedClock) -> None:
    grace = await pid(demo_db, GRACE)
    interest_id = await declare(demo_db, clock, grace, DIRECTOR)
    clock.advance(days=2)
    async with demo_db.session() as session:
        ended = await end_interest(session, clock, grace, interest_id)
        await session.commit()
    assert isinstance(ended, InterestDeclaration)

    [row] = await interests_of(demo_db, grace)
    assert row.ended_at == clock.now() and row.end_reason == EndReason.ENDED
    async with demo_db.session() as session:
        register = await register_for_year(session, grace, 2026)
        again = await end_interest(session, clock, grace, interest_id)
        answer = await live_answer(session, grace, 2026)
    assert [i.id for i in register.ended] == [interest_id] and register.current == ()
    assert isinstance(again, Refusal) and "ended on 25 November 2026" in again.reason
    # Ending the last interest does not invent a "nothing to declare": the year's answer stands.
    assert answer is not None and answer.answer == Answer.INTERESTS
    assert [a.answer for a in await answers_of(demo_db, grace)] == [Answer.INTERESTS]
    assert len(await audit_rows(demo_db, "interest_ended")) == 1


async def test_nothing_to_declare_is_recorded_with_its_date(demo_db: Database, clock: FixedClock) -> None:
    hannah = await pid(demo_db, HANNAH)
    async with demo_db.session() as session:
        answer = await nothing_to_declare(session, clock, hannah)
        await session.commit()
    assert isinstance(answer, DeclarationConfirmation)
    [row] = await answers_of(demo_db, hannah)
    assert (row.answer, row.academic_year, row.confirmed_at) == (
        Answer.NOTHING_TO_DECLARE,
        2026,
        datetime(2026, 11, 23, 9, 30, tzinfo=UTC),
    )
    clock.advance(days=1)
    async with demo_db.session() as session:
        again = await nothing_to_declare(session, clock, hannah)  # idempotent: keeps the first date
    assert isinstance(again, DeclarationConfirmation) and again.id == row.id
    [audited] = await audit_rows(demo_db, "declarations_confirmed")
    assert audited.detail == {"academic_year": 2026, "answer": "nothing_to_declare"}


async def test_a_declaration_supersedes_nothing_to_declare(demo_db: Database, clock: FixedClock) -> None:
    hannah = await pid(demo_db, HANNAH)
    async with demo_db.session() as session:
        await nothing_to_declare(session, clock, hannah)
        await session.commit()
    clock.advance(days=7)
    await declare(demo_db, clock, hannah, RELATIVE)

    nothing, interests = await answers_of(demo_db, hannah)
    assert nothing.answer == Answer.NOTHING_TO_DECLARE and nothing.superseded_at == clock.now()
    assert interests.answer == Answer.INTERESTS and interests.superseded_at is None
    async with demo_db.session() as session:
        refused = await nothing_to_declare(session, clock, hannah)
        assert isinstance(refused, Refusal) and "1 interest in force" in refused.reason
        live = await live_answer(session, hannah, 2026)
    assert live is not None and live.id == interests.id


async def test_nothing_to_declare_after_ending_every_interest(demo_db: Database, clock: FixedClock) -> None:
    hannah = await pid(demo_db, HANNAH)
    interest_id = await declare(demo_db, clock, hannah, RELATIVE)
    clock.advance(days=1)
    async with demo_db.session() as session:
        await end_interest(session, clock, hannah, interest_id)
        answer = await nothing_to_declare(session, clock, hannah)
        await session.commit()
    assert isinstance(answer, DeclarationConfirmation)
    first, second = await answers_of(demo_db, hannah)
    assert first.answer == Answer.INTERESTS and first.superseded_at == clock.now()
    assert second.answer == Answer.NOTHING_TO_DECLARE and second.superseded_at is None


async def test_one_live_answer_per_person_and_year_is_kept_by_the_database(
    demo_db: Database, clock: FixedClock
) -> None:
    hannah = await pid(demo_db, HANNAH)
    async with demo_db.session() as session:
        await nothing_to_declare(session, clock, hannah)
        await session.commit()
    async with demo_db.session() as session:
        session.add(
            DeclarationConfirmation(
                person_id=hannah, academic_year=2026, answer=Answer.INTERESTS, confirmed_at=clock.now()
            )
        )
        with pytest.raises(IntegrityError):
            await session.commit()


async def test_the_year_turns_at_london_midnight_for_answers(demo_db: Database) -> None:
    hannah = await pid(demo_db, HANNAH)
    late_august = at_london(2026, 8, 31, 23, 30)
    async with demo_db.session() as session:
        answer = await nothing_to_declare(session, late_august, hannah)
        await session.commit()
    assert isinstance(answer, DeclarationConfirmation) and answer.academic_year == 2025

    early_september = at_london(2026, 9, 1, 0, 30)  # an hour later, still 31 August in UTC
    async with demo_db.session() as session:
        assert await is_confirmed(session, hannah, 2025)
        assert not await is_confirmed(session, hannah, academic_year_of(early_september.now()))
        answer = await nothing_to_declare(session, early_september, hannah)
        await session.commit()
    assert isinstance(answer, DeclarationConfirmation) and answer.academic_year == 2026
    assert [(a.academic_year, a.superseded_at) for a in await answers_of(demo_db, hannah)] == [
        (2025, None),
        (2026, None),
    ]


async def test_last_years_interests_confirmed_as_current(demo_db: Database) -> None:
    grace = await pid(demo_db, GRACE)
    last_year = at_london(2026, 3, 10, 10, 0)
    interest_id = await declare(demo_db, last_year, grace, GOVERNOR)
    this_year = at_london(2026, 9, 14, 10, 0)
    async with demo_db.session() as session:
        assert not await is_confirmed(session, grace, 2026)
        confirmed = await confirm_current(session, this_year, grace)
        await session.commit()
    assert isinstance(confirmed, DeclarationConfirmation)
    assert (confirmed.academic_year, confirmed.answer) == (2026, Answer.INTERESTS)
    async with demo_db.session() as session:
        assert await is_confirmed(session, grace, 2025) and await is_confirmed(session, grace, 2026)
        register = await register_for_year(session, grace, 2026)
    assert register.label == "2026/27" and [i.id for i in register.current] == [interest_id]
    audited = (await audit_rows(demo_db, "declarations_confirmed"))[-1]
    assert audited.detail["interest_ids"] == [interest_id]


async def test_confirm_current_needs_an_interest_in_force(demo_db: Database, clock: FixedClock) -> None:
    async with demo_db.session() as session:
        refused = await confirm_current(session, clock, await pid(demo_db, HANNAH))
    assert isinstance(refused, Refusal) and "nothing to declare" in refused.reason


async def test_a_past_years_register_shows_the_version_in_force_then(demo_db: Database) -> None:
    grace = await pid(demo_db, GRACE)
    first = await declare(demo_db, at_london(2026, 3, 10, 10, 0), grace, GOVERNOR)
    changed = InterestDetails(InterestKind.GOVERNANCE, "Vice chair of governors", False, school_urn="990103")
    async with demo_db.session() as session:
        new = await update_interest(session, at_london(2026, 10, 1, 9, 0), grace, first, changed)
        await session.commit()
    assert isinstance(new, InterestDeclaration)
    async with demo_db.session() as session:
        last_year = await register_for_year(session, grace, 2025)
        this_year = await register_for_year(session, grace, 2026)
        before = await register_for_year(session, grace, 2024)
    assert [i.id for i in last_year.current] == [first] and last_year.confirmed
    assert [i.id for i in this_year.current] == [new.id] and this_year.confirmed
    assert before.interests == () and not before.confirmed


@pytest.mark.parametrize(
    ("details", "reason"),
    [
        (InterestDetails(InterestKind.GOVERNANCE, "Governor", False, school_urn="123456"), "(URN) 123456"),
        (InterestDetails(InterestKind.GOVERNANCE, "Governor", False, school_urn="99010"), "6 digits"),
        (InterestDetails(InterestKind.BUSINESS_OR_FINANCIAL, "Shares", True, trust="X Trust"), "provider"),
        (InterestDetails(InterestKind.RELATIONSHIP, "My brother", False, trust="  "), "Choose the school"),
        (InterestDetails(InterestKind.EMPLOYMENT_OR_ROLE, "Consultant", True), "Name the school, the trust"),
        (InterestDetails(InterestKind.OTHER, "   ", False), "Describe"),
        (InterestDetails(InterestKind.OTHER, "x" * 1001, False), "1000 characters"),
    ],
)
async def test_invalid_declarations_are_refused_with_a_reason(
    demo_db: Database, clock: FixedClock, details: InterestDetails, reason: str
) -> None:
    grace = await pid(demo_db, GRACE)
    async with demo_db.session() as session:
        refused = await declare_interest(session, clock, grace, details)
        await session.commit()
    assert isinstance(refused, Refusal) and reason in refused.reason
    assert await interests_of(demo_db, grace) == [] and await answers_of(demo_db, grace) == []


async def test_free_text_is_tidied_and_other_needs_no_organisation(
    demo_db: Database, clock: FixedClock
) -> None:
    grace = await pid(demo_db, GRACE)
    details = InterestDetails(InterestKind.OTHER, "  Writes   for a SEND blog ", False, provider=" ")
    await declare(demo_db, clock, grace, details)
    [row] = await interests_of(demo_db, grace)
    assert (row.description, row.provider, row.kind) == ("Writes for a SEND blog", None, "other")


async def test_someone_elses_interest_cannot_be_changed_and_the_attempt_is_audited(
    demo_db: Database, clock: FixedClock
) -> None:
    grace, hannah = await pid(demo_db, GRACE), await pid(demo_db, HANNAH)
    interest_id = await declare(demo_db, clock, grace, GOVERNOR)
    async with demo_db.session() as session:
        ended = await end_interest(session, clock, hannah, interest_id)
        updated = await update_interest(session, clock, hannah, interest_id, DIRECTOR)
        missing = await end_interest(session, clock, hannah, 9999)
        await session.commit()
    assert all(isinstance(r, Refusal) for r in (ended, updated, missing))
    [row] = await interests_of(demo_db, grace)
    assert row.active and row.description == GOVERNOR.description
    refusals = await audit_rows(demo_db, "declaration_refused")
    assert [(r.actor_person_id, r.entity_id, r.detail) for r in refusals] == [
        (hannah, str(interest_id), {"action": "end", "why": "not_owner"}),
        (hannah, str(interest_id), {"action": "update", "why": "not_owner"}),
        (hannah, "9999", {"action": "end", "why": "not_found"}),
    ]


async def test_the_audit_log_never_holds_the_free_text(demo_db: Database, clock: FixedClock) -> None:
    hannah = await pid(demo_db, HANNAH)
    interest_id = await declare(demo_db, clock, hannah, RELATIVE)
    director = InterestDetails(
        InterestKind.BUSINESS_OR_FINANCIAL, SECRET, True, provider="Secret Provider Ltd", trust="Secret Trust"
    )
    async with demo_db.session() as session:
        await update_interest(session, clock, hannah, interest_id, director)
        await session.commit()
    logged = json.dumps([(r.action, r.entity_id, r.detail) for r in await audit_rows(demo_db)])
    assert "interest_updated" in logged
    for text in (SECRET, "Secret", "sister"):
        assert text not in logged


# ---- the compliance view ----------------------------------------------------------------------


def by_code(views: list[CommunityCompliance] | Refusal) -> dict[str, CommunityCompliance]:
    assert not isinstance(views, Refusal), views
    return {view.code: view for view in views}


async def view(
    db: Database, clock: FixedClock, email: str, code: str | None = None
) -> list[CommunityCompliance] | Refusal:
    actor = await profile_of(db, email)
    async with db.session() as session:
        result = await compliance_view(session, clock, actor, code)
        await session.commit()
    return result


async def test_the_chair_sees_who_has_confirmed_in_their_community(
    demo_db: Database, clock: FixedClock
) -> None:
    hannah, grace = await pid(demo_db, HANNAH), await pid(demo_db, GRACE)
    async with demo_db.session() as session:
        await nothing_to_declare(session, clock, hannah)
        await session.commit()
    clock.advance(hours=1)
    await declare(demo_db, clock, grace, GOVERNOR)
    await declare(demo_db, clock, await pid(demo_db, TOM), GOVERNOR)  # another community
    clock.advance(hours=1)

    cant1 = by_code(await view(demo_db, clock, DANIEL))["CANT1"]
    assert cant1.label == "2026/27"
    assert [(m.name, m.answer, m.confirmed_at, m.active_interests) for m in cant1.confirmed] == [
        ("Grace Li", Answer.INTERESTS, clock.now() - timedelta(hours=1), 1),
        ("Hannah Reid", Answer.NOTHING_TO_DECLARE, clock.now() - timedelta(hours=2), 0),
    ]
    [daniel] = cant1.not_confirmed
    assert daniel.name == "Daniel Okafor" and daniel.confirmed_at is None
    assert daniel.roles == ("School leader, Westgate Meadow Primary School", "Community chair")

    [read] = await audit_rows(demo_db, "declaration_compliance_viewed")
    assert read.actor_person_id == await pid(demo_db, DANIEL)
    assert read.detail == {"communities": ["CANT1"], "academic_year": 2026, "members": 3, "confirmed": 2}


async def test_a_chair_cannot_see_another_community(demo_db: Database, clock: FixedClock) -> None:
    refused = await view(demo_db, clock, DANIEL, "THAN2")
    assert isinstance(refused, Refusal) and "chair or vice chair" in refused.reason
    assert by_code(await view(demo_db, clock, TOM)).keys() == {"THAN2"}
    assert by_code(await view(demo_db, clock, GRACE, "cant1")).keys() == {"CANT1"}  # vice chair
    [refusal] = await audit_rows(demo_db, "declaration_compliance_refused")
    assert refusal.entity_id == "THAN2"
    assert len(await audit_rows(demo_db, "declaration_compliance_viewed")) == 2


async def test_an_officer_sees_every_community_or_one(demo_db: Database, clock: FixedClock) -> None:
    await declare(demo_db, clock, await pid(demo_db, TOM), GOVERNOR)
    every = by_code(await view(demo_db, clock, PRIYA))
    assert every.keys() == {"CANT1", "MAID1", "THAN2"}
    assert [m.name for m in every["THAN2"].confirmed] == ["Tom Walsh"]
    assert [m.name for m in every["MAID1"].not_confirmed] == ["Amara Bello"]
    assert all(m.name != "Priya Shah" for v in every.values() for m in v.members)  # officers aren't members
    assert by_code(await view(demo_db, clock, PRIYA, "MAID1")).keys() == {"MAID1"}
    reads = await audit_rows(demo_db, "declaration_compliance_viewed")
    assert [(r.entity_id, r.detail["communities"]) for r in reads] == [
        ("*", ["CANT1", "MAID1", "THAN2"]),
        ("MAID1", ["MAID1"]),
    ]


async def test_a_senco_is_refused_and_the_attempt_is_audited(demo_db: Database, clock: FixedClock) -> None:
    for code in (None, "CANT1"):
        refused = await view(demo_db, clock, HANNAH, code)
        assert isinstance(refused, Refusal), code
    refusals = await audit_rows(demo_db, "declaration_compliance_refused")
    assert [(r.actor_person_id, r.entity_id) for r in refusals] == [
        (await pid(demo_db, HANNAH), "*"),
        (await pid(demo_db, HANNAH), "CANT1"),
    ]
    assert await audit_rows(demo_db, "declaration_compliance_viewed") == []


async def test_an_unknown_community_is_refused(demo_db: Database, clock: FixedClock) -> None:
    refused = await view(demo_db, clock, PRIYA, "NOPE9")
    assert isinstance(refused, Refusal) and "NOPE9" in refused.reason


async def test_a_past_year_can_be_viewed(demo_db: Database, clock: FixedClock) -> None:
    hannah = await pid(demo_db, HANNAH)
    async with demo_db.session() as session:
        await nothing_to_declare(session, at_london(2026, 5, 1, 9, 0), hannah)
        await session.commit()
    actor = await profile_of(demo_db, DANIEL)
    async with demo_db.session() as session:
        past = by_code(await compliance_view(session, clock, actor, "CANT1", academic_year=2025))
        now = by_code(await compliance_view(session, clock, actor, "CANT1"))
    assert [m.name for m in past["CANT1"].confirmed] == ["Hannah Reid"]
    assert now["CANT1"].confirmed == ()


# ---- facts for the conflict rules ---------------------------------------------------------------

REQUEST = RequestFacts(
    school_urn="990201",
    school_name="Ramsgate Cliffs Primary Academy",
    school_trust="Coastal Schools Partnership",
    providers=("SpeechWorks", "Kent Outreach Service"),
)


async def test_member_facts_feed_the_conflict_rules(demo_db: Database, clock: FixedClock) -> None:
    grace = await pid(demo_db, GRACE)
    async with demo_db.session() as session:
        facts = await member_facts(session, grace)
    assert facts.school_urns == {"990102"} and facts.trusts == {"Stour Valley Learning Trust"}
    assert facts.interests == () and conflicts_for(facts, REQUEST) == []

    interest_id = await declare(demo_db, clock, grace, DIRECTOR)
    async with demo_db.session() as session:
        facts = await member_facts(session, grace)
    [conflict] = conflicts_for(facts, REQUEST)
    assert (conflict.kind, conflict.ruling) == (ConflictKind.DECLARED_PROVIDER, Ruling.WITHDRAW)
    assert "SpeechWorks" in conflict.reason

    async with demo_db.session() as session:
        await end_interest(session, clock, grace, interest_id)
        await session.commit()
        assert conflicts_for(await member_facts(session, grace), REQUEST) == []


async def test_member_facts_of_a_community(demo_db: Database, clock: FixedClock) -> None:
    await declare(demo_db, clock, await pid(demo_db, HANNAH), RELATIVE)
    async with demo_db.session() as session:
        than2 = await community_by_code(session, "THAN2")
        cant1 = await community_by_code(session, "CANT1")
        assert than2 is not None and than2.id is not None and cant1 is not None and cant1.id is not None
        thanet = await community_member_facts(session, than2.id)
        canterbury = await community_member_facts(session, cant1.id)
        with pytest.raises(LookupError):
            await member_facts(session, 9999)
    assert [m.name for m in thanet] == ["Tom Walsh"]
    assert [m.name for m in canterbury] == ["Daniel Okafor", "Grace Li", "Hannah Reid"]
    hannah = canterbury[2]
    assert [(i.kind, i.school_urn) for i in hannah.interests] == [(InterestKind.RELATIONSHIP, "990104")]
    own_school = RequestFacts("990101", "Westgate Meadow Primary School", None)
    assert [c.kind for c in conflicts_for(hannah, own_school)] == [ConflictKind.OWN_SCHOOL]


async def test_people_who_left_are_not_members_and_cannot_declare(
    demo_db: Database, clock: FixedClock
) -> None:
    hannah = await pid(demo_db, HANNAH)
    async with demo_db.session() as session:
        person = await session.get(Person, hannah)
        assert person is not None
        person.active = False
        session.add(person)
        await session.commit()
    cant1 = by_code(await view(demo_db, clock, DANIEL))["CANT1"]
    assert [m.name for m in cant1.members] == ["Daniel Okafor", "Grace Li"]
    async with demo_db.session() as session:
        refused = await declare_interest(session, clock, hannah, RELATIVE)
        nothing = await nothing_to_declare(session, clock, hannah)
    assert isinstance(refused, Refusal) and isinstance(nothing, Refusal)


async def test_staff_of_a_closed_school_are_not_its_members(demo_db: Database, clock: FixedClock) -> None:
    async with demo_db.session() as session:
        westgate = (await session.exec(select(School).where(School.urn == "990101"))).one()
        westgate.active = False
        session.add(westgate)
        await session.commit()
    cant1 = by_code(await view(demo_db, clock, DANIEL))["CANT1"]
    assert [(m.name, m.roles) for m in cant1.members] == [
        ("Daniel Okafor", ("Community chair",)),
        ("Grace Li", ("School leader, St Dunstan's Church of England Primary School", "Vice chair")),
    ]
    async with demo_db.session() as session:
        assert (await member_facts(session, await pid(demo_db, DANIEL))).school_urns == frozenset()
