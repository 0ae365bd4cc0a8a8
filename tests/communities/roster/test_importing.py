"""The roster CSV import, against a real database, as an officer running it would see it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlmodel import SQLModel, select

from communities.audit import AuditEvent
from communities.clock import FixedClock
from communities.db import Database
from communities.declarations.conflict_facts import member_facts
from communities.roster.directory import load_profile
from communities.roster.importing import (
    SAVING,
    ImportSummary,
    RosterImportError,
    RosterProblem,
    TooManyLeftOut,
    import_roster,
)
from communities.roster.roles import Role
from communities.roster.tables import Area, Community, Membership, Person, School

DEMO = Path(__file__).resolve().parents[3] / "communities" / "demo"

COMMUNITIES = """\
code,name,area,district
CANT1,Canterbury City Community,East,Canterbury
THAN2,Thanet Coast Community,East,Thanet
"""
SCHOOLS = """\
urn,name,phase,trust,community_code
990101,Westgate Meadow Primary School,primary,,CANT1
990102,St Dunstan's Primary School,primary,Stour Valley Learning Trust,CANT1
990201,Ramsgate Cliffs Primary Academy,primary,Coastal Schools Partnership,THAN2
"""
DANIEL_AAD = "00000000-0000-4000-8000-000000000002"
PRIYA_AAD = "00000000-0000-4000-8000-000000000001"
PEOPLE = f"""\
email,name,aad_object_id,role,school_urn,community_code
daniel.okafor@example.org,Daniel Okafor,{DANIEL_AAD},school_leader,990101,
daniel.okafor@example.org,Daniel Okafor,{DANIEL_AAD},chair,,CANT1
hannah.reid@example.org,Hannah Reid,,senco,990101,
priya.shah@example.org,Priya Shah,{PRIYA_AAD},officer,,
"""
# A row appended to these files is row 4 of communities.csv, 5 of schools.csv, 6 of people.csv.


def write_roster(
    directory: Path,
    *,
    communities: str | bytes | None = COMMUNITIES,
    schools: str | bytes | None = SCHOOLS,
    people: str | bytes | None = PEOPLE,
) -> Path:
    """Write the three files (None leaves one out) and return the directory."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, content in (("communities.csv", communities), ("schools.csv", schools), ("people.csv", people)):
        path = directory / name
        path.unlink(missing_ok=True)
        if content is not None:
            path.write_bytes(content.encode() if isinstance(content, str) else content)
    return directory


async def problems_of(db: Database, directory: Path, clock: FixedClock) -> list[str]:
    with pytest.raises(RosterImportError) as raised:
        await import_roster(db, directory, clock)
    return [str(problem) for problem in raised.value.problems]


async def rows(db: Database, model: type[SQLModel]) -> list[Any]:
    async with db.session() as session:
        return list((await session.exec(select(model).order_by(text("id")))).all())


async def snapshot(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every roster table, and the audit log, as plain tuples."""
    tables = ["area", "community", "school", "person", "membership", "audit_event"]
    async with db.session() as session:
        return {
            table: [
                tuple(row) for row in (await session.exec(text(f"SELECT * FROM {table} ORDER BY id"))).all()
            ]
            for table in tables
        }


async def memberships_by_email(db: Database) -> dict[str, set[tuple[str, str | None, str | None, bool]]]:
    """email -> {(role, school URN, community code, active)}."""
    people = {p.id: p.email for p in await rows(db, Person)}
    schools = {s.id: s.urn for s in await rows(db, School)}
    communities = {c.id: c.code for c in await rows(db, Community)}
    result: dict[str, set[tuple[str, str | None, str | None, bool]]] = {}
    for m in await rows(db, Membership):
        school = schools[m.school_id] if m.school_id else None
        community = communities[m.community_id] if m.community_id else None
        result.setdefault(people[m.person_id], set()).add((Role(m.role).value, school, community, m.active))
    return result


@contextmanager
def statements(db: Database) -> Iterator[list[str]]:
    """The SQL statements the engine sends while the block runs (an executemany counts once)."""
    sent: list[str] = []

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        sent.append(statement)

    event.listen(db.engine.sync_engine, "before_cursor_execute", before)
    try:
        yield sent
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", before)


def writes(sent: list[str]) -> list[str]:
    return [s for s in sent if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]


# --- the demo roster ------------------------------------------------------------------------------


async def test_the_demo_roster_imports_with_every_membership(db: Database, clock: FixedClock) -> None:
    summary = await import_roster(db, DEMO, clock)

    assert (summary.areas.created, summary.communities.created, summary.schools.created) == (2, 3, 9)
    assert (summary.people.created, summary.memberships.created) == (8, 12)
    assert summary.lines()[:5] == [
        "areas:       2 created, 0 updated, 0 reactivated, 0 deactivated, 0 unchanged",
        "communities: 3 created, 0 updated, 0 reactivated, 0 deactivated, 0 unchanged",
        "schools:     9 created, 0 updated, 0 reactivated, 0 deactivated, 0 unchanged",
        "people:      8 created, 0 updated, 0 reactivated, 0 deactivated, 0 unchanged",
        "memberships: 12 created, 0 updated, 0 reactivated, 0 deactivated, 0 unchanged",
    ]
    held = await memberships_by_email(db)
    assert held["daniel.okafor@westgate-demo.example.org"] == {
        ("school_leader", "990101", "CANT1", True),
        ("chair", None, "CANT1", True),
    }
    assert held["grace.li@stdunstans-demo.example.org"] == {
        ("school_leader", "990102", "CANT1", True),
        ("vice_chair", None, "CANT1", True),
    }
    assert held["priya.shah@kent-demo.example.org"] == {("officer", None, None, True)}
    assert held["sam.carter@kent-demo.example.org"] == {("finance", None, None, True)}
    assert held["tom.walsh@ramsgate-demo.example.org"] == {
        ("school_leader", "990201", "THAN2", True),
        ("chair", None, "THAN2", True),
    }

    people = {p.email: p for p in await rows(db, Person)}
    assert people["amara.bello@maidstone-demo.example.org"].aad_object_id is None
    assert people["daniel.okafor@westgate-demo.example.org"].display_name == "Daniel Okafor"
    schools = {s.urn: s for s in await rows(db, School)}
    communities = {c.id: c for c in await rows(db, Community)}
    areas = {a.id: a.name for a in await rows(db, Area)}
    assert schools["990102"].trust == "Stour Valley Learning Trust"
    assert schools["990101"].trust is None
    assert communities[schools["990302"].community_id].code == "MAID1"
    assert {c.code: areas[c.area_id] for c in communities.values()} == {
        "CANT1": "East",
        "THAN2": "East",
        "MAID1": "West",
    }


async def test_memberships_use_the_shared_scope_key(db: Database, clock: FixedClock) -> None:
    await import_roster(db, DEMO, clock)
    keys = {m.scope_key for m in await rows(db, Membership)}
    assert Membership.make_scope_key(Role.CHAIR, None, "CANT1") in keys
    # A school role is keyed on the school alone, so a school changing community keeps it.
    assert Membership.make_scope_key(Role.SENCO, "990101", None) in keys
    assert Membership.make_scope_key(Role.OFFICER, None, None) in keys


async def test_one_audit_event_with_counts_only(db: Database, clock: FixedClock, tmp_path: Path) -> None:
    await import_roster(db, DEMO, clock)
    officer = next(p for p in await rows(db, Person) if p.email.startswith("priya"))

    await import_roster(db, DEMO, clock, actor_person_id=officer.id)

    events = await rows(db, AuditEvent)
    assert len(events) == 2
    assert all(e.action == "roster.imported" and e.entity == "roster" for e in events)
    assert events[1].actor_person_id == officer.id
    assert events[0].detail["people"] == {
        "created": 8,
        "updated": 0,
        "reactivated": 0,
        "deactivated": 0,
        "unchanged": 0,
    }
    assert events[1].detail["memberships"]["unchanged"] == 12
    assert set(events[0].detail) == {"areas", "communities", "schools", "people", "memberships"}
    assert "@" not in repr(events[0].detail) and "Okafor" not in repr(events[0].detail)
    # The same files give the same fingerprint; other files a different one.
    assert events[0].entity_id == events[1].entity_id
    await import_roster(db, write_roster(tmp_path / "other"), clock)
    assert (await rows(db, AuditEvent))[2].entity_id != events[0].entity_id


# --- every kind of problem, one at a time ---------------------------------------------------------

ROW_PROBLEMS = [
    # communities.csv
    (
        "communities",
        "CANT 1,Canterbury South,East,Canterbury",
        "communities.csv:4: code: 'CANT 1' is not a community code "
        "(letters, digits, '-' or '_', up to 32 characters)",
    ),
    (
        "communities",
        "cant1,Canterbury Again,East,Canterbury",
        "communities.csv:4: code: duplicate community code 'CANT1'; first on row 2",
    ),
    ("communities", "DOV1,,East,Dover", "communities.csv:4: name: empty; this column needs a value"),
    (
        "communities",
        "DOV1,Dover Community,East,",
        "communities.csv:4: district: empty; this column needs a value",
    ),
    (
        "communities",
        "DOV1,Dover Community,east,Dover",
        "communities.csv:4: area: 'east' is spelled 'East' on row 2; use one spelling",
    ),
    (
        "communities",
        "DOV1," + "D" * 201 + ",East,Dover",
        "communities.csv:4: name: longer than 200 characters",
    ),
    # schools.csv
    ("schools", "99010,Tiny School,primary,,CANT1", "schools.csv:5: urn: '99010' is not a URN (6 digits)"),
    ("schools", "99010A,Tiny School,primary,,CANT1", "schools.csv:5: urn: '99010A' is not a URN (6 digits)"),
    (
        "schools",
        "990101,Westgate Again,primary,,CANT1",
        "schools.csv:5: urn: duplicate URN '990101'; first on row 2",
    ),
    (
        "schools",
        "990301,Riverside Primary,primary,,MAID1",
        "schools.csv:5: community_code: unknown community 'MAID1'; it is not in communities.csv",
    ),
    (
        "schools",
        "990301,Riverside Primary,primary,,",
        "schools.csv:5: community_code: empty; this column needs a value",
    ),
    ("schools", "990301,Riverside Primary,,,CANT1", "schools.csv:5: phase: empty; this column needs a value"),
    # people.csv
    (
        "people",
        "bob@example.org,Bob Day,,head,990101,",
        "people.csv:6: role: unknown role 'head'; valid roles: "
        "school_leader, senco, chair, vice_chair, officer, finance, area_board",
    ),
    ("people", "bob@example.org,Bob Day,,,990101,", "people.csv:6: role: empty; this column needs a value"),
    (
        "people",
        "bob@example.org,Bob Day,,chair,,",
        "people.csv:6: community_code: chair needs a community_code",
    ),
    (
        "people",
        "bob@example.org,Bob Day,,vice_chair,,",
        "people.csv:6: community_code: vice_chair needs a community_code",
    ),
    (
        "people",
        "bob@example.org,Bob Day,,area_board,,",
        "people.csv:6: community_code: area_board needs a community_code",
    ),
    (
        "people",
        "bob@example.org,Bob Day,,school_leader,,CANT1",
        "people.csv:6: school_urn: school_leader needs a school_urn",
    ),
    ("people", "bob@example.org,Bob Day,,senco,,", "people.csv:6: school_urn: senco needs a school_urn"),
    (
        "people",
        "bob@example.org,Bob Day,,senco,990101,THAN2",
        "people.csv:6: community_code: school 990101 is in community CANT1 in schools.csv, not THAN2",
    ),
    (
        "people",
        "bob@example.org,Bob Day,,chair,,DOV1",
        "people.csv:6: community_code: unknown community 'DOV1'; it is not in communities.csv",
    ),
    (
        "people",
        "bob@example.org,Bob Day,,senco,990999,",
        "people.csv:6: school_urn: unknown school '990999'; it is not in schools.csv",
    ),
    (
        "people",
        "bob@example.org,Bob Day,,senco,9901,",
        "people.csv:6: school_urn: '9901' is not a URN (6 digits)",
    ),
    (
        "people",
        "bob@example.org,Bob Day,,chair,990201,CANT1",
        "people.csv:6: school_urn: school 990201 is in community THAN2 in schools.csv, not CANT1; "
        "a chair's school must be in the community they chair",
    ),
    (
        "people",
        "bob@example.org,Bob Day,,vice_chair,990101,THAN2",
        "people.csv:6: school_urn: school 990101 is in community CANT1 in schools.csv, not THAN2; "
        "a vice_chair's school must be in the community they chair",
    ),
    (
        "people",
        "bob@example.org,Bob Day,,area_board,990101,CANT1",
        "people.csv:6: school_urn: area_board is not held for a school; leave school_urn empty",
    ),
    (
        "people",
        "bob@example.org,Bob Day,,officer,990101,",
        "people.csv:6: school_urn: officer is not held for a school; leave school_urn empty",
    ),
    (
        "people",
        "Hannah.Reid@Example.org,Hannah Reid,,senco,990101,",
        "people.csv:6: role: duplicate membership; the same as row 4",
    ),
    (
        "people",
        "daniel.okafor@example.org,Daniel Okafor,,chair,,cant1",
        "people.csv:6: role: duplicate membership; the same as row 3",
    ),
    (
        "people",
        f"bob@example.org,Bob Day,{PRIYA_AAD},officer,,",
        f"people.csv:6: aad_object_id: '{PRIYA_AAD}' is already the id of priya.shah@example.org on row 5",
    ),
    (
        "people",
        "priya.shah@example.org,Priya Shah,00000000-0000-4000-8000-000000000009,finance,,",
        f"people.csv:6: aad_object_id: priya.shah@example.org has '{PRIYA_AAD}' on row 5; "
        "one person has one id",
    ),
    (
        "people",
        "priya.shah@example.org,Priya Shaw,,finance,,",
        "people.csv:6: name: priya.shah@example.org is named 'Priya Shah' on row 5; "
        "use one name for a person",
    ),
    ("people", ",Bob Day,,officer,,", "people.csv:6: email: empty; this column needs a value"),
    ("people", "bob@example.org,,,officer,,", "people.csv:6: name: empty; this column needs a value"),
    (
        "people",
        "bob.example.org,Bob Day,,officer,,",
        "people.csv:6: email: 'bob.example.org' is not an email address",
    ),
    (
        "people",
        "bob@example.org;amy@example.org,Bob Day,,officer,,",
        "people.csv:6: email: 'bob@example.org;amy@example.org' is not an email address",
    ),
    (
        "people",
        "bob@example.org,Bob Day,not-a-guid,officer,,",
        "people.csv:6: aad_object_id: 'not-a-guid' is not a GUID (an Entra object id)",
    ),
    (
        "people",
        "bob@example.org,Day, Bob,,officer,,",
        "people.csv:6: 7 values but the header has 6 columns; "
        "put quotes around a value that contains a comma",
    ),
]


@pytest.mark.parametrize(("file", "row", "expected"), ROW_PROBLEMS, ids=[case[2] for case in ROW_PROBLEMS])
async def test_each_problem_is_reported_on_its_row_and_column(
    db: Database, clock: FixedClock, tmp_path: Path, file: str, row: str, expected: str
) -> None:
    files = {"communities": COMMUNITIES, "schools": SCHOOLS, "people": PEOPLE}
    files[file] += row + "\n"

    assert await problems_of(db, write_roster(tmp_path, **files), clock) == [expected]
    assert await rows(db, Person) == []


# --- problems with whole files --------------------------------------------------------------------


async def test_a_missing_column_is_a_header_problem(db: Database, clock: FixedClock, tmp_path: Path) -> None:
    people = "email,name,aad_object_id,school_urn,community_code\nbob@example.org,Bob Day,,990101,\n"

    assert await problems_of(db, write_roster(tmp_path, people=people), clock) == [
        "people.csv: header: missing column 'role'"
    ]


async def test_a_column_given_twice_is_a_header_problem(
    db: Database, clock: FixedClock, tmp_path: Path
) -> None:
    schools = "urn,name,phase,trust,community_code,URN\n990101,Westgate,primary,,CANT1,990101\n"
    people = "email,name,aad_object_id,role,school_urn,community_code\nbob@example.org,Bob Day,,officer,,\n"

    assert await problems_of(db, write_roster(tmp_path, schools=schools, people=people), clock) == [
        "schools.csv: header: column 'urn' appears 2 times"
    ]


async def test_a_missing_file_is_named_with_the_columns_it_needs(
    db: Database, clock: FixedClock, tmp_path: Path
) -> None:
    # People's URNs cannot be checked without schools.csv, so they are not reported as unknown.
    assert await problems_of(db, write_roster(tmp_path, schools=None), clock) == [
        "schools.csv: missing file; it needs the columns urn,name,phase,trust,community_code"
    ]


async def test_latin1_bytes_give_the_bad_encoding_problem(
    db: Database, clock: FixedClock, tmp_path: Path
) -> None:
    schools = (SCHOOLS + "990301,École Française de Maidstone,primary,,CANT1\n").encode("latin-1")

    assert await problems_of(db, write_roster(tmp_path, schools=schools), clock) == [
        "schools.csv: bad encoding: not UTF-8 (byte 0xc9 at line 5); save it as CSV UTF-8"
    ]


async def test_an_empty_file_or_a_header_alone_is_refused(
    db: Database, clock: FixedClock, tmp_path: Path
) -> None:
    people = "email,name,aad_object_id,role,school_urn,community_code\n,,,,,\n"

    assert await problems_of(db, write_roster(tmp_path, communities="", people=people), clock) == [
        "communities.csv: header: row 1 must name the columns code,name,area,district",
        "people.csv: no rows under the header; an empty file would deactivate everything in it",
    ]


async def test_every_problem_in_every_file_is_reported_at_once(
    db: Database, clock: FixedClock, tmp_path: Path
) -> None:
    communities = COMMUNITIES + "CANT1,Canterbury Again,East,Canterbury\n"
    schools = SCHOOLS + "12345,Tiny School,primary,,CANT1\n990401,Dover Primary,primary,,DOV1\n"
    people = PEOPLE + (
        "bob@example.org,Bob Day,,head,990101,\n"
        "bob@example.org,Robert Day,xyz,senco,990201,CANT1\n"
        ",Nobody,,officer,,\n"
        "carol@example.org,Carol, Ann,,officer,,\n"
    )

    problems = await problems_of(
        db, write_roster(tmp_path, communities=communities, schools=schools, people=people), clock
    )

    assert problems == [
        "communities.csv:4: code: duplicate community code 'CANT1'; first on row 2",
        "schools.csv:5: urn: '12345' is not a URN (6 digits)",
        "schools.csv:6: community_code: unknown community 'DOV1'; it is not in communities.csv",
        "people.csv:6: role: unknown role 'head'; valid roles: "
        "school_leader, senco, chair, vice_chair, officer, finance, area_board",
        "people.csv:7: aad_object_id: 'xyz' is not a GUID (an Entra object id)",
        "people.csv:7: name: bob@example.org is named 'Bob Day' on row 6; use one name for a person",
        "people.csv:7: community_code: school 990201 is in community THAN2 in schools.csv, not CANT1",
        "people.csv:8: email: empty; this column needs a value",
        "people.csv:9: 7 values but the header has 6 columns; "
        "put quotes around a value that contains a comma",
    ]


async def test_the_error_message_lists_every_problem(db: Database, clock: FixedClock, tmp_path: Path) -> None:
    with pytest.raises(RosterImportError) as raised:
        await import_roster(
            db, write_roster(tmp_path, schools=None, people=PEOPLE + "x,Bob,,officer,,\n"), clock
        )

    assert str(raised.value).splitlines() == [
        "2 problems in the roster files; nothing was imported",
        "schools.csv: missing file; it needs the columns urn,name,phase,trust,community_code",
        "people.csv:6: email: 'x' is not an email address",
    ]
    assert raised.value.problems[1] == RosterProblem("people.csv", 6, "email", "'x' is not an email address")


async def test_nothing_is_written_when_any_problem_exists(
    db: Database, clock: FixedClock, tmp_path: Path
) -> None:
    await import_roster(db, write_roster(tmp_path / "good"), clock)
    before = await snapshot(db)
    clock.advance(days=1)
    # Good changes (a rename, a new person, a left-out school) next to one bad row.
    schools = SCHOOLS.replace("Westgate Meadow", "Westgate Park").replace(
        "990201,Ramsgate Cliffs Primary Academy,primary,Coastal Schools Partnership,THAN2\n", ""
    )
    people = PEOPLE + "amy@example.org,Amy Fox,,senco,990102,\nbob@example.org,Bob Day,,head,,\n"

    with pytest.raises(RosterImportError):
        await import_roster(db, write_roster(tmp_path / "bad", schools=schools, people=people), clock)

    assert await snapshot(db) == before


async def test_a_failure_while_saving_leaves_the_database_as_it_was(
    db: Database, clock: FixedClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import communities.roster.importing as roster_import

    await import_roster(db, write_roster(tmp_path / "good"), clock)
    before = await snapshot(db)

    async def broken(*_args: Any) -> None:
        raise RuntimeError("the database went away")

    # Communities, schools and people are written before memberships fail.
    monkeypatch.setattr(roster_import, "_sync_memberships", broken)
    schools = SCHOOLS.replace("Westgate Meadow", "Westgate Park")
    people = PEOPLE.replace("Hannah Reid", "Hannah Reid-Jones") + "amy@example.org,Amy Fox,,senco,990102,\n"
    with pytest.raises(RuntimeError, match="went away"):
        await import_roster(db, write_roster(tmp_path / "changed", schools=schools, people=people), clock)

    assert await snapshot(db) == before


# --- applying -------------------------------------------------------------------------------------


async def test_reimporting_the_same_files_changes_nothing(db: Database, clock: FixedClock) -> None:
    await import_roster(db, DEMO, clock)
    before = await snapshot(db)
    clock.advance(days=7)

    with statements(db) as sent:
        summary = await import_roster(db, DEMO, clock)

    assert summary.changed == 0
    assert summary.lines()[-1] == "Nothing changed: the database already matched these files."
    assert (summary.people.unchanged, summary.memberships.unchanged, summary.schools.unchanged) == (8, 12, 9)
    after = await snapshot(db)
    assert len(after["audit_event"]) == 2
    del before["audit_event"], after["audit_event"]
    assert after == before  # updated_at included
    # Not one row written but the audit event.
    assert [s.split()[2] for s in writes(sent)] == ["audit_event"]


async def test_a_chair_row_giving_a_school_of_their_community_is_that_persons_school(
    db: Database, clock: FixedClock, tmp_path: Path
) -> None:
    """As exports of real spreadsheets give it: the person's school on every row of that person."""
    people = PEOPLE.replace(
        "daniel.okafor@example.org,Daniel Okafor,,chair,,CANT1",
        "daniel.okafor@example.org,Daniel Okafor,,chair,990101,CANT1",
    ).replace(f"{DANIEL_AAD},chair,,CANT1", f"{DANIEL_AAD},chair,990101,CANT1")
    people += "ruth.ames@example.org,Ruth Ames,,vice_chair,990102,CANT1\n"
    directory = write_roster(tmp_path, people=people)

    summary = await import_roster(db, directory, clock)

    assert (summary.people.created, summary.memberships.created) == (4, 5)
    memberships = await memberships_by_email(db)
    assert memberships["daniel.okafor@example.org"] == {
        ("school_leader", "990101", "CANT1", True),
        ("chair", "990101", "CANT1", True),
    }
    assert memberships["ruth.ames@example.org"] == {("vice_chair", "990102", "CANT1", True)}
    async with db.session() as session:
        ruth = (await session.exec(select(Person).where(Person.email == "ruth.ames@example.org"))).one()
        assert ruth.id is not None
        profile = await load_profile(session, ruth)
        facts = await member_facts(session, ruth.id)
    assert [(s.urn, s.name) for s in profile.schools] == [("990102", "St Dunstan's Primary School")]
    assert [(held.role, held.community.code if held.community else None) for held in profile.roles] == [
        (Role.VICE_CHAIR, "CANT1")
    ]
    # Her school, for the conflict rules too: she may not decide its requests.
    assert facts.school_urns == frozenset({"990102"})
    assert facts.trusts == frozenset({"Stour Valley Learning Trust"})

    again = await import_roster(db, directory, clock)
    assert again.changed == 0


async def test_left_out_rows_are_deactivated_and_come_back_reactivated(
    db: Database, clock: FixedClock, tmp_path: Path
) -> None:
    first = clock.now()
    await import_roster(db, write_roster(tmp_path / "all"), clock)
    ids_before = {p.email: p.id for p in await rows(db, Person)}
    clock.advance(days=1)
    communities = COMMUNITIES.replace("THAN2,Thanet Coast Community,East,Thanet\n", "")
    schools = SCHOOLS.replace(
        "990201,Ramsgate Cliffs Primary Academy,primary,Coastal Schools Partnership,THAN2\n", ""
    )
    people = PEOPLE.replace("hannah.reid@example.org,Hannah Reid,,senco,990101,\n", "").replace(
        f"daniel.okafor@example.org,Daniel Okafor,{DANIEL_AAD},chair,,CANT1\n", ""
    )

    summary = await import_roster(
        db, write_roster(tmp_path / "fewer", communities=communities, schools=schools, people=people), clock
    )

    assert (summary.communities.deactivated, summary.schools.deactivated) == (1, 1)
    assert (summary.people.deactivated, summary.people.unchanged) == (1, 2)
    assert (summary.memberships.deactivated, summary.memberships.unchanged) == (2, 2)
    held = await memberships_by_email(db)
    assert held["hannah.reid@example.org"] == {("senco", "990101", "CANT1", False)}
    assert ("chair", None, "CANT1", False) in held["daniel.okafor@example.org"]
    assert ("school_leader", "990101", "CANT1", True) in held["daniel.okafor@example.org"]
    assert {p.email: p.active for p in await rows(db, Person)}["hannah.reid@example.org"] is False
    assert {s.urn: s.active for s in await rows(db, School)}["990201"] is False
    assert {c.code: c.active for c in await rows(db, Community)}["THAN2"] is False
    stamps = {m.scope_key: m.updated_at for m in await rows(db, Membership)}
    assert stamps["chair||CANT1"] == clock.now() and stamps["school_leader|990101|"] == first

    clock.advance(days=1)
    summary = await import_roster(db, write_roster(tmp_path / "all"), clock)

    assert (summary.communities.reactivated, summary.schools.reactivated) == (1, 1)
    assert (summary.people.reactivated, summary.memberships.reactivated) == (1, 2)
    assert summary.people.created == summary.memberships.created == 0
    assert all(m.active for m in await rows(db, Membership))
    assert {p.email: p.id for p in await rows(db, Person)} == ids_before


async def test_changed_values_are_updated_in_place(db: Database, clock: FixedClock, tmp_path: Path) -> None:
    await import_roster(db, write_roster(tmp_path / "before"), clock)
    membership_ids = {m.scope_key: m.id for m in await rows(db, Membership)}
    clock.advance(hours=1)
    # Westgate moves to Thanet and is renamed; Hannah's name is corrected; a new area.
    communities = COMMUNITIES.replace(
        "THAN2,Thanet Coast Community,East", "THAN2,Thanet Coast Community,Coast"
    )
    schools = SCHOOLS.replace(
        "990101,Westgate Meadow Primary School,primary,,CANT1", "990101,Westgate Park Primary,primary,,THAN2"
    )
    people = PEOPLE.replace("Hannah Reid", "Hannah Reid-Jones").replace("990101,\n", "990101,THAN2\n")

    summary = await import_roster(
        db, write_roster(tmp_path / "after", communities=communities, schools=schools, people=people), clock
    )

    assert (summary.areas.created, summary.areas.unchanged) == (1, 1)
    assert (summary.communities.updated, summary.schools.updated, summary.people.updated) == (1, 1, 1)
    # Both staff memberships at Westgate follow it to Thanet; the chair of Canterbury does not.
    assert (summary.memberships.updated, summary.memberships.unchanged) == (2, 2)
    assert {m.scope_key: m.id for m in await rows(db, Membership)} == membership_ids
    held = await memberships_by_email(db)
    assert held["hannah.reid@example.org"] == {("senco", "990101", "THAN2", True)}
    assert {p.email: p.display_name for p in await rows(db, Person)}["hannah.reid@example.org"] == (
        "Hannah Reid-Jones"
    )
    school = {s.urn: s for s in await rows(db, School)}["990101"]
    assert school.name == "Westgate Park Primary"


async def test_an_empty_aad_object_id_keeps_the_stored_one(
    db: Database, clock: FixedClock, tmp_path: Path
) -> None:
    await import_roster(db, write_roster(tmp_path / "with"), clock)
    # Hannah's id, learnt later (as the bot does when she first messages it).
    async with db.session() as session:
        hannah = (await session.exec(select(Person).where(Person.email == "hannah.reid@example.org"))).one()
        hannah.aad_object_id = "00000000-0000-4000-8000-000000000004"
        session.add(hannah)
        await session.commit()

    summary = await import_roster(db, write_roster(tmp_path / "with"), clock)

    assert summary.people.unchanged == 3
    aad = {p.email: p.aad_object_id for p in await rows(db, Person)}
    assert aad["hannah.reid@example.org"] == "00000000-0000-4000-8000-000000000004"


async def test_an_aad_object_id_given_on_one_row_of_several_applies_to_the_person(
    db: Database, clock: FixedClock, tmp_path: Path
) -> None:
    people = PEOPLE.replace(f"Daniel Okafor,{DANIEL_AAD},school_leader", "Daniel Okafor,,school_leader")

    await import_roster(db, write_roster(tmp_path, people=people), clock)

    aad = {p.email: p.aad_object_id for p in await rows(db, Person)}
    assert aad["daniel.okafor@example.org"] == DANIEL_AAD


async def test_an_aad_object_id_moves_to_the_email_the_files_now_give_it(
    db: Database, clock: FixedClock, tmp_path: Path
) -> None:
    await import_roster(db, write_roster(tmp_path / "before"), clock)
    # Priya's address changes; her Entra account (and so her id) stays the same.
    people = PEOPLE.replace("priya.shah@example.org", "priya.shah-khan@example.org")

    summary = await import_roster(db, write_roster(tmp_path / "after", people=people), clock)

    assert (summary.people.created, summary.people.deactivated) == (1, 1)
    people_rows = {p.email: p for p in await rows(db, Person)}
    assert people_rows["priya.shah-khan@example.org"].aad_object_id == PRIYA_AAD
    assert people_rows["priya.shah@example.org"].aad_object_id is None
    assert people_rows["priya.shah@example.org"].active is False


async def test_an_aad_object_id_taken_by_another_email_is_cleared_from_the_old_holder(
    db: Database, clock: FixedClock, tmp_path: Path
) -> None:
    await import_roster(db, write_roster(tmp_path / "before"), clock)
    # The id was Priya's; the officer now gives it to a new colleague and leaves Priya's empty.
    people = PEOPLE.replace(PRIYA_AAD, "") + f"sam.carter@example.org,Sam Carter,{PRIYA_AAD},finance,,\n"

    summary = await import_roster(db, write_roster(tmp_path / "after", people=people), clock)

    assert (summary.people.created, summary.people.updated, summary.people.unchanged) == (1, 1, 2)
    aad = {p.email: p.aad_object_id for p in await rows(db, Person)}
    assert aad["sam.carter@example.org"] == PRIYA_AAD
    assert aad["priya.shah@example.org"] is None


async def test_bom_shuffled_columns_case_and_spaces_are_accepted(
    db: Database, clock: FixedClock, tmp_path: Path
) -> None:
    people = (
        "\ufeff Role ,community_code,EMAIL,name,Notes,school_urn,aad_object_id\r\n"
        " school_leader , , Daniel.Okafor@Example.org ,  Daniel Okafor ,joined 2024, 990101 ,"
        f" {DANIEL_AAD.upper()} \r\n"
        "chair,cant1,daniel.okafor@example.org,Daniel Okafor,,,\r\n"
        ",,,,,,\r\n"
    )
    schools = "\ufeffurn,name,phase,trust,community_code\r\n" + SCHOOLS.split("\n", 1)[1].replace(
        "990102,St Dunstan's Primary School", '990102,"St Dunstan\'s Primary School, Canterbury"'
    )

    summary = await import_roster(db, write_roster(tmp_path, schools=schools, people=people), clock)

    assert (summary.people.created, summary.memberships.created) == (1, 2)
    assert "ignored column people.csv: notes" in summary.lines()
    person = (await rows(db, Person))[0]
    assert (person.email, person.display_name, person.aad_object_id) == (
        "daniel.okafor@example.org",
        "Daniel Okafor",
        DANIEL_AAD,
    )
    assert await memberships_by_email(db) == {
        "daniel.okafor@example.org": {
            ("school_leader", "990101", "CANT1", True),
            ("chair", None, "CANT1", True),
        }
    }
    names = {s.urn: s.name for s in await rows(db, School)}
    assert names["990102"] == "St Dunstan's Primary School, Canterbury"


async def test_row_numbers_count_spreadsheet_rows_not_lines(
    db: Database, clock: FixedClock, tmp_path: Path
) -> None:
    # A quoted value with a line break is one spreadsheet row over two lines; blank rows still count.
    schools = SCHOOLS + '990301,"Riverside\nPrimary",primary,,CANT1\n\n990302,Loose,primary,,XYZ\n'

    assert await problems_of(db, write_roster(tmp_path, schools=schools), clock) == [
        "schools.csv:7: community_code: unknown community 'XYZ'; it is not in communities.csv"
    ]


# --- a county-sized roster ------------------------------------------------------------------------


def county_roster(directory: Path) -> Path:
    """53 communities, 600 schools and 3,053 people.csv rows: five staff a school, and 53 chairs."""
    codes = [f"C{n:02d}" for n in range(53)]
    communities = ["code,name,area,district"] + [
        f"{code},Community {code},{['North', 'South', 'East', 'West'][n % 4]},District {n % 12}"
        for n, code in enumerate(codes)
    ]
    schools = ["urn,name,phase,trust,community_code"]
    people = ["email,name,aad_object_id,role,school_urn,community_code"]
    for n in range(600):
        urn = str(100000 + n)
        schools.append(f"{urn},School {urn},primary,Trust {n % 40},{codes[n % 53]}")
        for k, role in enumerate(["school_leader", "senco", "senco", "senco", "senco"]):
            number = n * 5 + k
            aad = f"00000000-0000-4000-8000-{number:012d}" if k < 4 else ""  # some ids not known yet
            people.append(f"person{number}@example.org,Person {number},{aad},{role},{urn},")
    # The head of each community's first school chairs it: a second row for the same person.
    people += [f"person{n * 5}@example.org,Person {n * 5},,chair,,{code}" for n, code in enumerate(codes)]
    return write_roster(
        directory,
        communities="\n".join(communities) + "\n",
        schools="\n".join(schools) + "\n",
        people="\n".join(people) + "\n",
    )


async def test_a_county_sized_roster_imports_in_a_few_statements(
    db: Database, clock: FixedClock, tmp_path: Path
) -> None:
    directory = county_roster(tmp_path)
    calls: list[tuple[str, int, int]] = []

    with statements(db) as sent:
        summary = await import_roster(db, directory, clock, progress=lambda *call: calls.append(call))

    assert (summary.areas.created, summary.communities.created, summary.schools.created) == (4, 53, 600)
    assert (summary.people.created, summary.memberships.created) == (3000, 3053)
    # Each table is read once and written in batches: no query per row.
    assert len(sent) < 40, len(sent)
    assert len([m for m in await rows(db, Membership) if m.role == Role.CHAIR]) == 53

    clock.advance(days=1)
    with statements(db) as sent:
        again = await import_roster(db, directory, clock)
    assert again.changed == 0 and again.memberships.unchanged == 3053
    assert [s.split()[2] for s in writes(sent)] == ["audit_event"]

    # Half the people leave and every school is renamed: still a batch per table, not a statement a row.
    people_file = directory / "people.csv"
    people_file.write_text("\n".join(people_file.read_text().splitlines()[:1501]) + "\n")
    schools_file = directory / "schools.csv"
    schools_file.write_text(schools_file.read_text().replace("School ", "Academy "))
    with statements(db) as sent:
        fewer = await import_roster(db, directory, clock, allow_many_left_out=True)
    assert (fewer.schools.updated, fewer.people.deactivated, fewer.memberships.deactivated) == (
        600,
        1500,
        1553,
    )
    assert len(sent) < 20, len(sent)

    people_calls = [call for call in calls if call[0] == "people.csv"]
    assert people_calls[0] == ("people.csv", 0, 3053) and people_calls[-1] == ("people.csv", 3053, 3053)
    assert len(people_calls) <= 3053 // 500 + 2
    assert [done for _, done, _ in people_calls] == sorted(done for _, done, _ in people_calls)


async def test_progress_is_told_each_file_checked_then_the_rows_saved(
    db: Database, clock: FixedClock
) -> None:
    calls: list[tuple[str, int, int]] = []

    await import_roster(db, DEMO, clock, progress=lambda *call: calls.append(call))

    assert calls == [
        ("communities.csv", 0, 3),
        ("communities.csv", 3, 3),
        ("schools.csv", 0, 9),
        ("schools.csv", 9, 9),
        ("people.csv", 0, 12),
        ("people.csv", 12, 12),
        # Then rows saved: 2 areas, 3 communities, 9 schools, 8 people, 12 memberships.
        *[(SAVING, done, 34) for done in (0, 2, 5, 14, 22, 34)],
    ]


def test_the_summary_reads_as_a_report() -> None:
    summary = ImportSummary(ignored_columns=["people.csv: notes"])
    summary.people.created = 2
    summary.memberships.deactivated = 1

    assert summary.changed == 3
    assert summary.lines() == [
        "areas:       0 created, 0 updated, 0 reactivated, 0 deactivated, 0 unchanged",
        "communities: 0 created, 0 updated, 0 reactivated, 0 deactivated, 0 unchanged",
        "schools:     0 created, 0 updated, 0 reactivated, 0 deactivated, 0 unchanged",
        "people:      2 created, 0 updated, 0 reactivated, 0 deactivated, 0 unchanged",
        "memberships: 0 created, 0 updated, 0 reactivated, 1 deactivated, 0 unchanged",
        "ignored column people.csv: notes",
    ]


def test_the_domain_import_pulls_in_no_bot_or_cli_libraries() -> None:
    import subprocess
    import sys

    code = (
        "import sys, communities.roster.importing; "
        "banned = {'botbuilder', 'aiohttp', 'msgraph', 'tqdm'}; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in banned))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def keep_people_rows(directory: Path, rows: int) -> None:
    """Cut people.csv down to its header and first ``rows`` rows."""
    people_file = directory / "people.csv"
    people_file.write_text("\n".join(people_file.read_text().splitlines()[: rows + 1]) + "\n")


async def test_a_file_leaving_out_a_quarter_of_the_people_is_refused_as_partial(
    db: Database, clock: FixedClock, tmp_path: Path
) -> None:
    directory = county_roster(tmp_path)
    await import_roster(db, directory, clock)
    before = await snapshot(db)
    keep_people_rows(directory, 2000)  # a third of the county's people left out

    with pytest.raises(TooManyLeftOut) as raised:
        await import_roster(db, directory, clock)

    [problem] = [str(p) for p in raised.value.problems]
    assert problem.startswith(
        "people.csv: 1000 of the 3000 active people are not in it and would be deactivated "
    )
    assert problem.endswith("; is this the whole roster?")
    assert len(raised.value.left_out) == 1000
    assert await snapshot(db) == before  # nothing written, not even the audit event

    confirmed = await import_roster(db, directory, clock, allow_many_left_out=True)
    assert confirmed.people.deactivated == 1000


async def test_people_leaving_in_ones_and_tens_need_no_confirmation(
    db: Database, clock: FixedClock, tmp_path: Path
) -> None:
    directory = county_roster(tmp_path)
    await import_roster(db, directory, clock)

    keep_people_rows(directory, 2800)  # 200 leave: a fifteenth of the county
    summer = await import_roster(db, directory, clock)

    assert summer.people.deactivated == 200
