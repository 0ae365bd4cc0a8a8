"""RSVPs: who may answer, changing an answer, the quorum rule, and concurrent clicks."""

from __future__ import annotations

import asyncio
from fractions import Fraction

import pytest
from sqlalchemy import update
from sqlmodel import col, select

from communities.clock import FixedClock
from communities.db import Database
from communities.meetings import rsvp
from communities.meetings.rsvp import QuorumRule, Rsvp, RsvpAnswer, RsvpRefused, RsvpTally
from communities.meetings.service import cancel
from communities.roster.directory import PersonProfile, find_person, load_profile
from communities.roster.roles import Role
from communities.roster.tables import Area, Community, Membership, Person, School
from tests.support.meetings import add_meeting
from tests.support.people import DANIEL, GRACE, HANNAH, PRIYA, TOM, profile_of

ATTENDING, APOLOGIES, COLLEAGUE = RsvpAnswer.ATTENDING, RsvpAnswer.APOLOGIES, RsvpAnswer.COLLEAGUE


async def tomorrows_meeting(
    db: Database, clock: FixedClock, code: str, start: str = "2026-11-24 16:00"
) -> int:
    return await add_meeting(db, clock, code, start)


async def say(
    db: Database, clock: FixedClock, meeting_id: int, who: PersonProfile, answer: RsvpAnswer
) -> None:
    async with db.session() as session:
        await rsvp.answer(session, clock, meeting_id, who, answer)
        await session.commit()


async def count(db: Database, meeting_id: int, rule: QuorumRule = rsvp.DEFAULT_QUORUM) -> RsvpTally:
    async with db.session() as session:
        return await rsvp.tally(session, meeting_id, rule)


async def rows(db: Database, meeting_id: int) -> list[Rsvp]:
    async with db.session() as session:
        return list((await session.exec(select(Rsvp).where(Rsvp.meeting_id == meeting_id))).all())


@pytest.fixture
async def cant1(demo_db: Database, clock: FixedClock) -> int:
    """A CANT1 meeting tomorrow. CANT1 has four schools: two of them (Westgate, St Dunstan's) have people."""
    return await tomorrows_meeting(demo_db, clock, "CANT1")


# ---- answering -------------------------------------------------------------------------------


async def test_a_member_answers_and_a_new_answer_replaces_the_old_one(
    demo_db: Database, clock: FixedClock, cant1: int
) -> None:
    hannah = await profile_of(demo_db, HANNAH)
    await say(demo_db, clock, cant1, hannah, ATTENDING)
    first = await count(demo_db, cant1)
    assert (first.attending, first.apologies, first.colleague) == (1, 0, 0)

    clock.advance(minutes=5)
    await say(demo_db, clock, cant1, hannah, APOLOGIES)
    second = await count(demo_db, cant1)
    assert (second.attending, second.apologies, second.colleague) == (0, 1, 0)
    [row] = await rows(demo_db, cant1)
    assert row.answer == APOLOGIES and row.updated_at == clock.now() and row.created_at < row.updated_at
    async with demo_db.session() as session:
        assert await rsvp.answer_of(session, cant1, hannah.person_id) == APOLOGIES


async def test_people_outside_the_community_are_refused_and_nothing_is_recorded(
    demo_db: Database, clock: FixedClock, cant1: int
) -> None:
    for email in (TOM, PRIYA):  # the chair of another community; an officer (not a member)
        with pytest.raises(RsvpRefused) as refused:
            await say(demo_db, clock, cant1, await profile_of(demo_db, email), ATTENDING)
        assert str(refused.value) == rsvp.NOT_A_MEMBER
    assert await rows(demo_db, cant1) == []


async def test_the_roster_decides_not_the_profile_the_bot_remembered(
    demo_db: Database, clock: FixedClock, cant1: int
) -> None:
    hannah = await profile_of(demo_db, HANNAH)  # a SENCO of Westgate, as the bot last saw her
    async with demo_db.session() as session:
        await session.exec(
            update(Membership).where(col(Membership.person_id) == hannah.person_id).values(active=False)
        )
        await session.commit()
    with pytest.raises(RsvpRefused, match="only the chair, vice chair"):
        await say(demo_db, clock, cant1, hannah, ATTENDING)


async def test_an_answer_stops_counting_when_its_person_leaves_the_community(
    demo_db: Database, clock: FixedClock, cant1: int
) -> None:
    hannah = await profile_of(demo_db, HANNAH)
    await say(demo_db, clock, cant1, hannah, ATTENDING)
    async with demo_db.session() as session:
        await session.exec(
            update(Membership).where(col(Membership.person_id) == hannah.person_id).values(active=False)
        )
        await session.commit()
    left = await count(demo_db, cant1)
    assert (left.attending, left.schools_represented) == (0, 0)


async def test_a_cancelled_or_past_meeting_takes_no_answers(
    demo_db: Database, clock: FixedClock, cant1: int
) -> None:
    hannah = await profile_of(demo_db, HANNAH)
    with pytest.raises(RsvpRefused, match="cannot find that meeting"):
        await say(demo_db, clock, 999_999, hannah, ATTENDING)

    later = await tomorrows_meeting(demo_db, clock, "CANT1", "2026-12-01 16:00")
    async with demo_db.session() as session:
        await cancel(session, clock, await profile_of(demo_db, PRIYA), later, "Snow")
        await session.commit()
    with pytest.raises(RsvpRefused, match="has been cancelled"):
        await say(demo_db, clock, later, hannah, ATTENDING)

    clock.advance(days=2)  # cant1 (24 Nov, 16:00–17:30) is over
    with pytest.raises(RsvpRefused, match="already taken place"):
        await say(demo_db, clock, cant1, hannah, ATTENDING)
    assert await rows(demo_db, cant1) == []


# ---- the quorum rule -------------------------------------------------------------------------


def test_the_share_of_schools_is_exact_and_rounds_up() -> None:
    rule = QuorumRule()
    assert [rule.schools_needed(n) for n in (0, 1, 4, 9, 30)] == [0, 1, 2, 5, 15]
    assert QuorumRule(school_share=0.6).schools_needed(10) == 6  # not 7 from 0.6 * 10 = 6.000000000000001
    assert QuorumRule(school_share=Fraction(2, 3)).schools_needed(9) == 6
    with pytest.raises(ValueError):
        QuorumRule(school_share=1.5)


async def test_quorum_needs_the_chair_or_vice_attending_and_half_the_schools(
    demo_db: Database, clock: FixedClock, cant1: int
) -> None:
    daniel, grace, hannah = [await profile_of(demo_db, e) for e in (DANIEL, GRACE, HANNAH)]

    empty = await count(demo_db, cant1)
    assert (empty.schools_total, empty.schools_needed, empty.quorate) == (4, 2, False)
    assert empty.needs() == "the chair or vice chair and 2 of 4 schools"
    assert len(empty.unrepresented) == 4

    await say(demo_db, clock, cant1, hannah, ATTENDING)  # Westgate represented; no chair
    await say(demo_db, clock, cant1, daniel, ATTENDING)  # the chair, also of Westgate: still one school
    one_school = await count(demo_db, cant1)
    assert (one_school.schools_represented, one_school.chair_or_vice_attending) == (1, True)
    assert not one_school.quorate

    # Grace (vice chair, leader of St Dunstan's) sends a colleague: her school is represented.
    await say(demo_db, clock, cant1, grace, COLLEAGUE)
    met = await count(demo_db, cant1)
    assert (met.attending, met.colleague, met.schools_represented, met.quorate) == (2, 1, 2, True)
    assert met.unrepresented == ("Harbledown Park Academy", "Wincheap Infant School")

    # The chair sends apologies; a vice chair who sends a colleague does not stand in for the chair.
    await say(demo_db, clock, cant1, daniel, APOLOGIES)
    no_chair = await count(demo_db, cant1)
    assert (no_chair.schools_represented, no_chair.chair_or_vice_attending, no_chair.quorate) == (
        2,
        False,
        False,
    )
    await say(demo_db, clock, cant1, grace, ATTENDING)
    assert (await count(demo_db, cant1)).quorate


async def test_the_rule_is_configurable(demo_db: Database, clock: FixedClock, cant1: int) -> None:
    hannah = await profile_of(demo_db, HANNAH)
    await say(demo_db, clock, cant1, hannah, COLLEAGUE)
    schools_only = QuorumRule(school_share=Fraction(1, 4), chair_or_vice_required=False)
    counted = await count(demo_db, cant1, schools_only)
    assert counted.quorate and counted.needs() == "1 of 4 schools"
    assert not (await count(demo_db, cant1, QuorumRule(school_share=1, chair_or_vice_required=False))).quorate


# ---- concurrent clicks -----------------------------------------------------------------------


async def nine_schools(db: Database, clock: FixedClock) -> tuple[int, list[PersonProfile]]:
    """BIG9: nine schools, a leader and a SENCO at each and a second SENCO at two (20 people).

    The leader of the first school is the chair, the leader of the second the vice chair. Returns
    a meeting tomorrow and the twenty people.
    """
    now = clock.now()
    async with db.session() as session:
        area = (await session.exec(select(Area))).first()
        assert area is not None and area.id is not None
        community = Community(code="BIG9", name="Nine Schools Community", area_id=area.id, district="Test")
        session.add(community)
        await session.flush()
        assert community.id is not None
        emails: list[str] = []

        async def member(email: str, role: Role, school: School | None) -> None:
            person = (await session.exec(select(Person).where(Person.email == email))).first()
            if person is None:
                person = Person(email=email, display_name=email.split("@")[0])
                session.add(person)
                await session.flush()
                emails.append(email)
            assert person.id is not None
            session.add(
                Membership(
                    person_id=person.id,
                    role=role,
                    school_id=school.id if school else None,
                    community_id=None if school else community.id,
                    scope_key=Membership.make_scope_key(role, school.urn if school else None, "BIG9"),
                    updated_at=now,
                )
            )

        for n in range(1, 10):
            school = School(urn=f"98800{n}", name=f"School {n}", phase="primary", community_id=community.id)
            session.add(school)
            await session.flush()
            await member(f"lead{n}@big9.example.org", Role.SCHOOL_LEADER, school)
            await member(f"senco{n}@big9.example.org", Role.SENCO, school)
            if n <= 2:
                await member(f"senco{n}b@big9.example.org", Role.SENCO, school)
        await member("lead1@big9.example.org", Role.CHAIR, None)
        await member("lead2@big9.example.org", Role.VICE_CHAIR, None)
        await session.commit()
        profiles = []
        for email in emails:
            person = await find_person(session, aad_object_id=None, email=email)
            assert person is not None
            profiles.append(await load_profile(session, person))
    assert len(profiles) == 20
    return await tomorrows_meeting(db, clock, "BIG9"), profiles


async def test_twenty_people_answering_at_once_are_all_counted(demo_db: Database, clock: FixedClock) -> None:
    meeting_id, people = await nine_schools(demo_db, clock)

    await asyncio.gather(*(say(demo_db, clock, meeting_id, person, ATTENDING) for person in people))

    counted = await count(demo_db, meeting_id)
    assert (counted.attending, counted.apologies, counted.colleague) == (20, 0, 0)
    assert (counted.schools_represented, counted.schools_total, counted.quorate) == (9, 9, True)
    assert len(await rows(demo_db, meeting_id)) == 20


async def test_the_same_person_clicking_twice_at_once_leaves_one_answer(
    demo_db: Database, clock: FixedClock
) -> None:
    meeting_id, people = await nine_schools(demo_db, clock)
    chair = people[0]

    await asyncio.gather(
        *(say(demo_db, clock, meeting_id, chair, answer) for answer in (ATTENDING, APOLOGIES))
    )

    [row] = await rows(demo_db, meeting_id)
    counted = await count(demo_db, meeting_id)
    assert counted.answered == 1
    assert counted.count(row.answer) == 1


async def test_everyone_changing_their_mind_at_once_gives_an_exact_tally(
    demo_db: Database, clock: FixedClock
) -> None:
    meeting_id, people = await nine_schools(demo_db, clock)
    # Each of the twenty presses two buttons at the same moment; then half press Apologies again.
    await asyncio.gather(
        *(say(demo_db, clock, meeting_id, p, answer) for p in people for answer in (ATTENDING, COLLEAGUE))
    )
    assert (await count(demo_db, meeting_id)).answered == 20
    await asyncio.gather(*(say(demo_db, clock, meeting_id, p, APOLOGIES) for p in people[::2]))

    counted = await count(demo_db, meeting_id)
    stored = await rows(demo_db, meeting_id)
    assert len(stored) == 20
    assert counted.apologies == 10
    assert counted.attending == sum(1 for r in stored if r.answer == ATTENDING)
    assert counted.colleague == sum(1 for r in stored if r.answer == COLLEAGUE)
    assert counted.attending + counted.colleague == 10
