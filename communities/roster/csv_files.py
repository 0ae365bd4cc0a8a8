"""Reading and checking the roster CSV files, before anything touches the database.

Every file is read and every row checked, and every problem is collected, so that an
officer fixes the whole spreadsheet in one go instead of one error per attempt.
Problems name the row as a spreadsheet shows it (the header is row 1).

The rules an officer will meet:

* each file needs a header row with all of its columns, in any order, in any case;
  other columns are ignored and listed in the import summary;
* values are trimmed; emails, Entra object ids and roles are compared lower-case,
  community codes upper-case;
* blank rows are skipped, but a file with no rows at all is refused: an empty
  file would deactivate everyone;
* a person may have several rows, one per membership; an ``aad_object_id`` left
  empty on some of them is taken from the others.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from communities.csv_reading import (
    EMAIL,
    Cells,
    Row,
    counted,
    max_length,
    read_csv,
)
from communities.csv_reading import Progress as Progress  # re-exported: the imports take it from here
from communities.roster.records import (
    COMMUNITIES_FILE,
    COMMUNITY_COLUMNS,
    PEOPLE_COLUMNS,
    PEOPLE_FILE,
    SCHOOL_COLUMNS,
    SCHOOLS_FILE,
    CommunityRecord,
    MembershipRecord,
    PersonRecord,
    Roster,
    RosterImportError,
    RosterProblem,
    SchoolRecord,
)
from communities.roster.roles import AREA_ROLES, COMMUNITY_ROLES, SCHOOL_ROLES, Role
from communities.roster.tables import Area, Community, Person, School

_URN = re.compile(r"[0-9]{6}")
# Letters, digits, '-' and '_': a code goes into Membership.scope_key, where '|' separates parts.
_CODE = re.compile(r"[A-Za-z0-9_-]+")
_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_VALID_ROLES = ", ".join(role.value for role in Role)

_CODE_LENGTH = max_length(Community, "code")
_COMMUNITY_NAME_LENGTH = max_length(Community, "name")
_AREA_LENGTH = max_length(Area, "name")
_DISTRICT_LENGTH = max_length(Community, "district")
_SCHOOL_NAME_LENGTH = max_length(School, "name")
_PHASE_LENGTH = max_length(School, "phase")
_TRUST_LENGTH = max_length(School, "trust")
_EMAIL_LENGTH = max_length(Person, "email")
_PERSON_NAME_LENGTH = max_length(Person, "display_name")


@dataclass
class _Table:
    file: str
    rows: list[Row]


def read_roster(directory: Path, *, progress: Progress | None = None) -> Roster:
    """Read and check ``communities.csv``, ``schools.csv`` and ``people.csv`` in ``directory``.

    Raises :class:`RosterImportError` with every problem found. ``progress`` is
    called with the file name, the rows checked so far and the file's row count.
    """
    problems: list[RosterProblem] = []
    ignored: list[str] = []
    digest = hashlib.sha256()
    tables = [
        _load(directory, name, columns, problems, ignored, digest.update)
        for name, columns in (
            (COMMUNITIES_FILE, COMMUNITY_COLUMNS),
            (SCHOOLS_FILE, SCHOOL_COLUMNS),
            (PEOPLE_FILE, PEOPLE_COLUMNS),
        )
    ]
    communities_table, schools_table, people_table = tables
    communities, codes = _check_communities(communities_table, problems, progress)
    # None when a file could not be read: references to it are then not checked at all.
    known_codes = None if communities_table is None else codes
    schools, urns = _check_schools(schools_table, known_codes, problems, progress)
    school_communities = None if schools_table is None else urns
    people, memberships = _check_people(people_table, known_codes, school_communities, problems, progress)
    if problems:
        # File by file, then row by row: a file's own problems (header, encoding) come first.
        order = {COMMUNITIES_FILE: 0, SCHOOLS_FILE: 1, PEOPLE_FILE: 2}
        raise RosterImportError(sorted(problems, key=lambda p: (order[p.file], p.row or 0)))
    return Roster(communities, schools, people, memberships, ignored, digest.hexdigest())


# --- files and headers ---------------------------------------------------------------------------


def _load(
    directory: Path,
    file: str,
    columns: tuple[str, ...],
    problems: list[RosterProblem],
    ignored: list[str],
    fingerprint: Callable[[bytes], None],
) -> _Table | None:
    """The file's non-blank rows as ``column -> trimmed value``, or None if they cannot be read."""

    def problem(reason: str, row: int | None = None) -> None:
        problems.append(RosterProblem(file, row, None, reason))

    path = directory / file
    if not path.is_file():
        problem(f"missing file; it needs the columns {','.join(columns)}")
        return None
    data = path.read_bytes()
    fingerprint(file.encode() + b"\0" + data + b"\0")
    read = read_csv(data, columns, problem)
    ignored.extend(f"{file}: {name}" for name in read.ignored)
    if read.rows is None:
        return None
    if not read.rows:
        problem("no rows under the header; an empty file would deactivate everything in it")
    return _Table(file, read.rows)


# --- values ---------------------------------------------------------------------------------------


class _Cells(Cells[RosterProblem]):
    """One row's values, with the roster's readers."""

    problem_type = RosterProblem

    def given(self, column: str) -> bool:
        return bool(self.cell(column))

    def text(self, column: str, max_length: int, *, required: bool = True) -> str | None:
        value = self.value(column, required=required)
        if value is None:
            return None
        if len(value) > max_length:
            self.problem(column, f"longer than {max_length} characters")
            return None
        return value

    def matching(
        self, column: str, pattern: re.Pattern[str], what: str, max_length: int, *, required: bool = True
    ) -> str | None:
        value = self.text(column, max_length, required=required)
        if value is not None and not pattern.fullmatch(value):
            self.problem(column, f"'{value}' is not {what}")
            return None
        return value

    def code(self, column: str, *, required: bool = True) -> str | None:
        what = f"a community code (letters, digits, '-' or '_', up to {_CODE_LENGTH} characters)"
        value = self.matching(column, _CODE, what, _CODE_LENGTH, required=required)
        return None if value is None else value.upper()

    def urn(self, column: str, *, required: bool = True) -> str | None:
        return self.matching(column, _URN, "a URN (6 digits)", 6, required=required)

    def role(self) -> Role | None:
        value = self.text("role", 100)
        if value is None:
            return None
        try:
            return Role(value.lower())
        except ValueError:
            self.problem("role", f"unknown role '{value}'; valid roles: {_VALID_ROLES}")
            return None


def _first_use(seen: dict[str, int], key: str | None, cells: _Cells, column: str, what: str) -> bool:
    """Note the row of a key's first use and return True, or note a duplicate and return False."""
    if key is None:
        return False
    if key in seen:
        cells.problem(column, f"duplicate {what} '{key}'; first on row {seen[key]}")
        return False
    seen[key] = cells.row.number
    return True


# --- communities.csv ------------------------------------------------------------------------------


def _check_communities(
    table: _Table | None, problems: list[RosterProblem], progress: Progress | None
) -> tuple[list[CommunityRecord], set[str]]:
    """Valid rows in file order, and every code given (so schools are not reported twice)."""
    if table is None:
        return [], set()
    records: list[CommunityRecord] = []
    codes: dict[str, int] = {}
    # Area names by their case-folded spelling: "east" and "East" would otherwise be two areas.
    areas: dict[str, tuple[str, int]] = {}
    for row in counted(table.file, table.rows, progress):
        cells = _Cells(table.file, row, problems)
        code = cells.code("code")
        _first_use(codes, code, cells, "code", "community code")
        name = cells.text("name", _COMMUNITY_NAME_LENGTH)
        area = cells.text("area", _AREA_LENGTH)
        if area is not None:
            spelling, first_row = areas.setdefault(area.casefold(), (area, row.number))
            if spelling != area:
                cells.problem(
                    "area", f"'{area}' is spelled '{spelling}' on row {first_row}; use one spelling"
                )
        district = cells.text("district", _DISTRICT_LENGTH)
        if cells.clean and code and name and area and district:
            records.append(CommunityRecord(code, name, area, district))
    return records, set(codes)


# --- schools.csv ----------------------------------------------------------------------------------


def _check_schools(
    table: _Table | None,
    known_codes: set[str] | None,
    problems: list[RosterProblem],
    progress: Progress | None,
) -> tuple[list[SchoolRecord], dict[str, str | None]]:
    """Valid rows in file order, and each URN given with its community code if that is valid.

    ``known_codes`` is None when communities.csv could not be read: codes are then not checked.
    """
    if table is None:
        return [], {}
    records: list[SchoolRecord] = []
    urns: dict[str, int] = {}
    school_communities: dict[str, str | None] = {}
    for row in counted(table.file, table.rows, progress):
        cells = _Cells(table.file, row, problems)
        urn = cells.urn("urn")
        first = _first_use(urns, urn, cells, "urn", "URN")
        name = cells.text("name", _SCHOOL_NAME_LENGTH)
        phase = cells.text("phase", _PHASE_LENGTH)
        trust = cells.text("trust", _TRUST_LENGTH, required=False)
        code = _known_community(cells, "community_code", known_codes, required=True)
        if urn is not None and first:
            school_communities[urn] = code
        if cells.clean and urn and name and phase and code:
            records.append(SchoolRecord(urn, name, phase, trust, code))
    return records, school_communities


def _known_community(
    cells: _Cells, column: str, known_codes: set[str] | None, *, required: bool
) -> str | None:
    code = cells.code(column, required=required)
    if code is not None and known_codes is not None and code not in known_codes:
        cells.problem(column, f"unknown community '{code}'; it is not in {COMMUNITIES_FILE}")
        return None
    return code


# --- people.csv -----------------------------------------------------------------------------------


@dataclass
class _PersonSeen:
    """A person's values from the first row that gave them."""

    row: int
    name: str | None
    aad_object_id: str | None
    aad_row: int | None


@dataclass
class _PeopleState:
    people: dict[str, _PersonSeen]
    #: aad_object_id -> (email, row)
    aad_owners: dict[str, tuple[str, int]]
    #: (email, scope key) -> row
    memberships: dict[tuple[str, str], int]


def _check_people(
    table: _Table | None,
    known_codes: set[str] | None,
    school_communities: dict[str, str | None] | None,
    problems: list[RosterProblem],
    progress: Progress | None,
) -> tuple[list[PersonRecord], list[MembershipRecord]]:
    """People (one per email) and memberships (one per row), each in file order."""
    if table is None:
        return [], []
    state = _PeopleState({}, {}, {})
    memberships: list[MembershipRecord] = []
    for row in counted(table.file, table.rows, progress):
        cells = _Cells(table.file, row, problems)
        membership = _check_person_row(cells, known_codes, school_communities, state)
        if membership is not None and cells.clean:
            memberships.append(membership)
    people = [
        PersonRecord(email, seen.name or "", seen.aad_object_id) for email, seen in state.people.items()
    ]
    return people, memberships


def _check_person_row(
    cells: _Cells,
    known_codes: set[str] | None,
    school_communities: dict[str, str | None] | None,
    state: _PeopleState,
) -> MembershipRecord | None:
    email = cells.matching("email", EMAIL, "an email address", _EMAIL_LENGTH)
    email = None if email is None else email.lower()
    name = cells.text("name", _PERSON_NAME_LENGTH)
    aad = cells.matching("aad_object_id", _GUID, "a GUID (an Entra object id)", 36, required=False)
    aad = None if aad is None else aad.lower()
    if email is not None:
        _check_same_person(cells, email, name, aad, state)
    role = cells.role()
    urn = cells.urn("school_urn", required=False)
    if urn is not None and school_communities is not None and urn not in school_communities:
        cells.problem("school_urn", f"unknown school '{urn}'; it is not in {SCHOOLS_FILE}")
        urn = None
    code = _known_community(cells, "community_code", known_codes, required=False)
    if role is None:
        return None
    code = _check_scope(cells, role, urn, code, school_communities)
    if email is None:
        return None
    membership = MembershipRecord(email, role, urn, code)
    key = (email, membership.scope_key)
    if key in state.memberships:
        cells.problem("role", f"duplicate membership; the same as row {state.memberships[key]}")
    else:
        state.memberships[key] = cells.row.number
    return membership


def _check_same_person(
    cells: _Cells, email: str, name: str | None, aad: str | None, state: _PeopleState
) -> None:
    """One email is one person: one name, at most one Entra id, and no id shared with another email."""
    if aad is not None:
        owner = state.aad_owners.setdefault(aad, (email, cells.row.number))
        if owner[0] != email:
            cells.problem("aad_object_id", f"'{aad}' is already the id of {owner[0]} on row {owner[1]}")
            aad = None
    seen = state.people.get(email)
    if seen is None:
        state.people[email] = _PersonSeen(cells.row.number, name, aad, cells.row.number if aad else None)
        return
    if name is not None and seen.name is not None and name != seen.name:
        cells.problem("name", f"{email} is named '{seen.name}' on row {seen.row}; use one name for a person")
    if aad is not None and seen.aad_object_id is not None and aad != seen.aad_object_id:
        cells.problem(
            "aad_object_id",
            f"{email} has '{seen.aad_object_id}' on row {seen.aad_row}; one person has one id",
        )
    elif aad is not None and seen.aad_object_id is None:
        seen.aad_object_id, seen.aad_row = aad, cells.row.number
    if seen.name is None:
        seen.name = name


def _check_scope(
    cells: _Cells,
    role: Role,
    urn: str | None,
    code: str | None,
    school_communities: dict[str, str | None] | None,
) -> str | None:
    """Check the role names what it is held for; returns the membership's community code. A chair's
    or vice chair's own school (exports give it on every row of a person) must be in their community."""
    school_code = None if urn is None or school_communities is None else school_communities.get(urn)
    elsewhere = code is not None and bool(school_code) and code != school_code
    where = f"school {urn} is in community {school_code} in {SCHOOLS_FILE}, not {code}"
    if role in SCHOOL_ROLES:
        if not cells.given("school_urn"):
            cells.problem("school_urn", f"{role.value} needs a school_urn")
        if elsewhere:
            cells.problem("community_code", where)
        return school_code or code
    if role in COMMUNITY_ROLES and elsewhere:
        cells.problem("school_urn", f"{where}; a {role.value}'s school must be in the community they chair")
    elif role not in COMMUNITY_ROLES and cells.given("school_urn"):
        cells.problem("school_urn", f"{role.value} is not held for a school; leave school_urn empty")
    if role in COMMUNITY_ROLES | AREA_ROLES and not cells.given("community_code"):
        cells.problem("community_code", f"{role.value} needs a community_code")
    return code
