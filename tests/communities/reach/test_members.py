"""Team members matched to the roster, and who the notices can now reach: on a real database with
the demo roster."""

from __future__ import annotations

from sqlmodel import col, select

from communities.clock import FixedClock
from communities.db import Database
from communities.messaging import notices
from communities.messaging.notices import OFFICERS, Notice, RoleHolders, Tier
from communities.messaging.outbox import Outbox, OutboxMessage, OutgoingMessage
from communities.reach import members
from communities.reach.members import START_CHAT_KEY, MemberSeen, record_problem, record_team_members
from communities.reach.report import COUNCIL_WIDE, Way, reach_report
from communities.reach.tables import TeamMember, Unreachable
from communities.roster.directory import community_by_code
from communities.roster.roles import Role
from tests.support.people import AMARA, DANIEL, GRACE, HANNAH, PRIYA, aad_id, personal_chat, profile_of
from tests.support.reach import TEAM, TENANT, install_team, member_id

SERVICE = "https://smba.example/uk/"
HELLO = OutgoingMessage(text="Hello")
PASS_IT_ON = OutgoingMessage(text="The chair cannot be reached: please pass this on.")


async def seen(
    db: Database, clock: FixedClock, *found: MemberSeen, team: str = TEAM
) -> members.MembersMatched:
    async with db.session() as session:
        matched = await record_team_members(
            session, clock, team_id=team, tenant_id=TENANT, service_url=SERVICE, members=list(found)
        )
        await session.commit()
    return matched


async def stored(db: Database) -> dict[str, int | None]:
    async with db.session() as session:
        rows = (await session.exec(select(TeamMember).order_by(col(TeamMember.id)))).all()
    return {row.teams_user_id: row.person_id for row in rows}


async def test_members_are_matched_by_entra_id_then_by_email_and_strangers_are_kept_unmatched(
    demo_db: Database, clock: FixedClock
) -> None:
    await install_team(demo_db, SERVICE, clock.now())
    daniel = (await profile_of(demo_db, DANIEL)).person_id
    grace = (await profile_of(demo_db, GRACE)).person_id
    amara = (await profile_of(demo_db, AMARA)).person_id
    matched = await seen(
        demo_db,
        clock,
        # Entra id wins over an email that names someone else
        MemberSeen(member_id(DANIEL), aad_object_id=aad_id(2).upper(), email=GRACE),
        MemberSeen(member_id(GRACE), email=GRACE.upper()),
        MemberSeen(member_id(AMARA), user_principal_name=AMARA),  # no Entra id in the roster
        MemberSeen("29:visitor", aad_object_id="aad-unknown", email="visitor@elsewhere.example"),
    )
    assert (matched.members, matched.matched) == (4, 3)
    assert await stored(demo_db) == {
        member_id(DANIEL): daniel,
        member_id(GRACE): grace,
        member_id(AMARA): amara,
        "29:visitor": None,
    }


async def test_reading_the_team_again_replaces_its_members(demo_db: Database, clock: FixedClock) -> None:
    await install_team(demo_db, SERVICE, clock.now())
    await seen(
        demo_db, clock, MemberSeen(member_id(DANIEL), email=DANIEL), MemberSeen(member_id(GRACE), email=GRACE)
    )
    await seen(demo_db, clock, MemberSeen(member_id(GRACE), email=GRACE))
    assert list(await stored(demo_db)) == [member_id(GRACE)]


async def test_a_notice_to_a_member_without_a_chat_carries_a_start_chat_reference_and_its_fallback(
    demo_db: Database, clock: FixedClock
) -> None:
    await install_team(demo_db, SERVICE, clock.now())
    priya = (await profile_of(demo_db, PRIYA)).person_id
    daniel = (await profile_of(demo_db, DANIEL)).person_id
    async with demo_db.session() as session:
        session.add(personal_chat(priya, PRIYA, clock.now()))
        await session.commit()
    await seen(demo_db, clock, MemberSeen(member_id(DANIEL), aad_object_id=aad_id(2)))
    async with demo_db.session() as session:
        community = await community_by_code(session, "CANT1")
        assert community is not None
        notice = Notice.to(
            RoleHolders((Role.CHAIR,), community.id),
            "test:reach",
            HELLO,
            fallbacks=(Tier(OFFICERS, (PASS_IT_ON,), key_suffix="officer"),),
        )
        told = await notices.tell(session, Outbox(clock), notice)
        await session.commit()
        rows = list((await session.exec(select(OutboxMessage))).all())
    assert told.people == (daniel,) and told.tier == 0 and told.unreachable == ()
    [row] = rows  # the officers are not told now: only if Teams refuses the chat
    start = row.reference[START_CHAT_KEY]
    assert row.conversation_key == f"startchat:{member_id(DANIEL)}"
    assert (start["memberId"], start["tenantId"], start["personId"]) == (member_id(DANIEL), TENANT, daniel)
    assert start["fallback"] == [
        {
            "key": f"test:reach:{priya}officer",
            "reference": {"serviceUrl": SERVICE, "conversation": {"id": f"a:{PRIYA}"}},
            "payload": {"text": PASS_IT_ON.text},
            "batchKey": None,
        }
    ]


async def test_after_teams_refused_a_chat_the_person_is_unreachable_again(
    demo_db: Database, clock: FixedClock
) -> None:
    await install_team(demo_db, SERVICE, clock.now())
    daniel = (await profile_of(demo_db, DANIEL)).person_id
    await seen(demo_db, clock, MemberSeen(member_id(DANIEL), email=DANIEL))
    async with demo_db.session() as session:
        await record_problem(session, clock, daniel, Unreachable.BLOCKED, "403")
        await session.commit()
        reach = await notices.reach_people(session, [daniel])
    assert reach.recipients == () and reach.unreachable == (daniel,)


async def test_the_reach_report_counts_each_community_and_gives_the_reasons(
    demo_db: Database, clock: FixedClock
) -> None:
    await install_team(demo_db, SERVICE, clock.now())
    priya = (await profile_of(demo_db, PRIYA)).person_id
    grace = (await profile_of(demo_db, GRACE)).person_id
    async with demo_db.session() as session:
        session.add(personal_chat(priya, PRIYA, clock.now()))
        await session.commit()
    await seen(
        demo_db,
        clock,
        MemberSeen(member_id(DANIEL), email=DANIEL),
        MemberSeen(member_id(GRACE), email=GRACE),
    )
    async with demo_db.session() as session:
        await record_problem(session, clock, grace, Unreachable.LEFT, "404")
        await session.commit()
        report = await reach_report(session, install_permitted=False)
    by_code = {c.code: c for c in report.communities}
    cant1 = by_code["CANT1"]
    ways = {p.email: (p.way, p.problem) for p in cant1.people}
    assert ways[DANIEL] == (Way.TEAM, None)
    assert ways[GRACE] == (None, Unreachable.LEFT)
    assert ways[HANNAH] == (None, Unreachable.NOT_IN_TEAM)
    assert cant1.reachable == 1 and len(cant1.unreachable) == len(cant1.people) - 1
    council = next(c for c in report.communities if c.name == COUNCIL_WIDE)
    assert {p.email: p.way for p in council.people}[PRIYA] is Way.CHAT
    assert "has not granted" in report.permission_note
    [row] = [r for r in report.csv_rows() if r[2] == DANIEL]
    assert row[:5] == ["CANT1", cant1.name, DANIEL, "Daniel Okafor", "yes"] and row[6] == ""


async def test_where_installing_is_permitted_people_in_no_team_are_reached_by_installing(
    demo_db: Database, clock: FixedClock
) -> None:
    await install_team(demo_db, SERVICE, clock.now())
    async with demo_db.session() as session:
        report = await reach_report(session, install_permitted=True)
    cant1 = next(c for c in report.communities if c.code == "CANT1")
    ways = {p.email: p.way for p in cant1.people}
    assert ways[HANNAH] is Way.INSTALL  # she has an Entra id in the roster
    maid1 = next(c for c in report.communities if c.code == "MAID1")
    assert {p.email: p.problem for p in maid1.people}[AMARA] is Unreachable.NOT_IN_TEAM  # no Entra id
    assert "installs itself" in report.permission_note
