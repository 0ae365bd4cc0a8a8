"""What `compliance` shows: a chair their one community; someone who may see more, a count per community.

The summary's counts must agree with the per-community view, and take the same number of queries for a
county of 53 communities as for the three of the demo roster.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event

from communities.clock import FixedClock
from communities.db import Database
from communities.declarations.register import Refusal, nothing_to_declare
from communities.declarations.views import (
    CommunityCompliance,
    ComplianceSummary,
    compliance_overview,
    compliance_view,
)
from communities.roster.importing import import_roster
from tests.communities.declarations.test_register import GOVERNOR, at_london, audit_rows, declare, pid
from tests.conftest import DEMO_ROSTER
from tests.support.people import DANIEL, GRACE, HANNAH, PRIYA, TOM, profile_of

Shown = CommunityCompliance | ComplianceSummary | Refusal


async def overview(db: Database, clock: FixedClock, email: str) -> Shown:
    actor = await profile_of(db, email)
    async with db.session() as session:
        shown = await compliance_overview(session, clock, actor)
        await session.commit()
    return shown


async def summary_of(db: Database, clock: FixedClock, email: str) -> ComplianceSummary:
    shown = await overview(db, clock, email)
    assert isinstance(shown, ComplianceSummary), shown
    return shown


async def say_nothing_to_declare(db: Database, clock: FixedClock, email: str) -> None:
    person_id = await pid(db, email)
    async with db.session() as session:
        await nothing_to_declare(session, clock, person_id)
        await session.commit()


def roster_with(tmp_path: Path, people: list[str] = [], communities: int = 0) -> Path:  # noqa: B006
    """The demo roster plus ``people.csv`` lines, and ``communities`` more communities (two schools, a
    chair and a SENCO each)."""
    folder = tmp_path / "roster"
    shutil.copytree(DEMO_ROSTER, folder, dirs_exist_ok=True)
    extra: dict[str, list[str]] = {"communities": [], "schools": [], "people": list(people)}
    for n in range(1, communities + 1):
        code, first, second = f"KENT{n:02d}", f"98{n:02d}01", f"98{n:02d}02"
        extra["communities"].append(f"{code},Kent Community {n},West,District {n}")
        extra["schools"] += [
            f"{first},School {n}A,primary,,{code}",
            f"{second},School {n}B,secondary,,{code}",
        ]
        extra["people"] += [
            f"chair{n}@example.org,Chair {n},,school_leader,{first},",
            f"chair{n}@example.org,Chair {n},,chair,,{code}",
            f"senco{n}@example.org,Senco {n},,senco,{second},",
        ]
    for name, lines in extra.items():
        with (folder / f"{name}.csv").open("a", encoding="utf-8") as out:
            out.writelines(line + "\n" for line in lines)
    return folder


@contextmanager
def statements(db: Database) -> Iterator[list[str]]:
    """The SQL statements run on ``db`` inside the block."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    event.listen(db.engine.sync_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", record)


async def test_an_officer_gets_a_count_per_community_that_agrees_with_each_communitys_view(
    demo_db: Database, clock: FixedClock
) -> None:
    await declare(demo_db, at_london(2026, 5, 1, 9, 0), await pid(demo_db, GRACE), GOVERNOR)  # last year only
    await say_nothing_to_declare(demo_db, clock, HANNAH)
    clock.advance(hours=1)
    await declare(demo_db, clock, await pid(demo_db, HANNAH), GOVERNOR)  # supersedes her first answer
    await say_nothing_to_declare(demo_db, clock, TOM)

    summary = await summary_of(demo_db, clock, PRIYA)

    assert summary.label == "2026/27"
    assert [(c.code, c.name, c.members, c.confirmed, c.not_confirmed) for c in summary.communities] == [
        ("CANT1", "Canterbury City Community", 3, 1, 2),  # Daniel (two roles) counted once; Grace's is old
        ("MAID1", "Maidstone Town Community", 1, 0, 1),
        ("THAN2", "Thanet Coast Community", 1, 1, 0),
    ]
    assert (summary.members, summary.confirmed) == (5, 2)
    actor = await profile_of(demo_db, PRIYA)
    async with demo_db.session() as session:
        views = await compliance_view(session, clock, actor)
    assert not isinstance(views, Refusal)
    assert [(c.code, c.members, c.confirmed) for c in summary.communities] == [
        (v.code, len(v.members), len(v.confirmed)) for v in views
    ]


async def test_a_chair_of_one_community_gets_its_view_and_one_read_is_audited(
    demo_db: Database, clock: FixedClock
) -> None:
    await say_nothing_to_declare(demo_db, clock, HANNAH)

    shown = await overview(demo_db, clock, DANIEL)

    assert isinstance(shown, CommunityCompliance) and shown.code == "CANT1"
    assert [m.name for m in shown.confirmed] == ["Hannah Reid"]
    [read] = await audit_rows(demo_db, "declaration_compliance_viewed")
    assert read.detail == {"communities": ["CANT1"], "academic_year": 2026, "members": 3, "confirmed": 1}
    assert await audit_rows(demo_db, "declaration_compliance_summary_viewed") == []


async def test_someone_who_leads_two_communities_gets_a_summary_of_those_two_only(
    demo_db: Database, clock: FixedClock, tmp_path: Path
) -> None:
    tom = (
        "tom.walsh@ramsgate-demo.example.org,Tom Walsh,00000000-0000-4000-8000-000000000005,vice_chair,,MAID1"
    )
    await import_roster(demo_db, roster_with(tmp_path, [tom]), clock)

    summary = await summary_of(demo_db, clock, TOM)

    assert [(c.code, c.members) for c in summary.communities] == [("MAID1", 2), ("THAN2", 1)]
    [read] = await audit_rows(demo_db, "declaration_compliance_summary_viewed")
    assert read.actor_person_id == await pid(demo_db, TOM)
    assert read.detail == {
        "communities": ["MAID1", "THAN2"],
        "academic_year": 2026,
        "members": 3,
        "confirmed": 0,
    }
    assert "Tom Walsh" not in str(read.detail) and "Amara" not in str(read.detail)  # counts, not people


async def test_a_senco_is_refused_and_the_attempt_is_audited(demo_db: Database, clock: FixedClock) -> None:
    refused = await overview(demo_db, clock, HANNAH)

    assert isinstance(refused, Refusal) and "chair or vice chair, or a council officer" in refused.reason
    [refusal] = await audit_rows(demo_db, "declaration_compliance_refused")
    assert (refusal.actor_person_id, refusal.entity_id) == (await pid(demo_db, HANNAH), "*")
    assert await audit_rows(demo_db, "declaration_compliance_summary_viewed") == []


async def test_the_summary_takes_as_many_queries_for_53_communities_as_for_3(
    demo_db: Database, clock: FixedClock, tmp_path: Path
) -> None:
    with statements(demo_db) as three:
        await summary_of(demo_db, clock, PRIYA)
    await import_roster(demo_db, roster_with(tmp_path, communities=50), clock)
    await say_nothing_to_declare(demo_db, clock, "senco7@example.org")

    with statements(demo_db) as county:
        summary = await summary_of(demo_db, clock, PRIYA)

    assert len(summary.communities) == 53
    assert len(county) == len(three), county
    kent7 = next(c for c in summary.communities if c.code == "KENT07")
    assert (kent7.name, kent7.members, kent7.confirmed) == ("Kent Community 7", 2, 1)
    assert (summary.members, summary.confirmed) == (5 + 50 * 2, 1)
