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

import csv
import hashlib
import io
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import inspect as sa_inspect
from sqlmodel import SQLModel

from .roles import COMMUNITY_ROLES, SCHOOL_ROLES, Role
from .roster import Area, Community, Membership, Person, School

#: Called as ``progress(label, done, total)``; see :func:`read_roster`.
Progress = Callable[[str, int, int], None]

COMMUNITIES_FILE = "communities.csv"
SCHOOLS_FILE = "schools.csv"
PEOPLE_FILE = "people.csv"

COMMUNITY_COLUMNS = ("code", "name", "area", "district")
SCHOOL_COLUMNS = ("urn", "name", "phase", "trust", "community_code")
PEOPLE_COLUMNS = ("email", "name", "aad_object_id", "role", "school_urn", "community_code")

#: Rows checked between two progress reports.
PROGRESS_EVERY = 500

_URN = re.compile(r"[0-9]{6}")
# Letters, digits, '-' and '_': a code goes into Membership.scope_key, where '|' separates parts.
_CODE = re.compile(r"[A-Za-z0-9_-]+")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_VALID_ROLES = ", ".join(role.value for role in Role)


def _max_length(model: type[SQLModel], column: str) -> int:
    """The column's length in the table, so that PostgreSQL never refuses a checked value."""
    # SQLModel's AutoString is a TypeDecorator over String, and has its length too.
    length = getattr(sa_inspect(model).columns[column].type, "length", None)
    if not isinstance(length, int):
        raise TypeError(f"{model.__name__}.{column} is not a sized string column")
    return length


_CODE_LENGTH = _max_length(Community, "code")
_COMMUNITY_NAME_LENGTH = _max_length(Community, "name")
_AREA_LENGTH = _max_length(Area, "name")
_DISTRICT_LENGTH = _max_length(Community, "district")
_SCHOOL_NAME_LENGTH = _max_length(School, "name")
_PHASE_LENGTH = _max_length(School, "phase")
_TRUST_LENGTH = _max_length(School, "trust")
_EMAIL_LENGTH = _max_length(Person, "email")
_PERSON_NAME_LENGTH = _max_length(Person, "display_name")


@dataclass(frozen=True)
class RosterProblem:
    """One thing wrong with the files, told the way a spreadsheet user can find it."""

    file: str
    row: int | None
    column: str | None
    reason: str

    def __str__(self) -> str:
        place = self.file if self.row is None else f"{self.file}:{self.row}"
        return ": ".join([place, *([self.column] if self.column else []), self.reason])


class RosterImportError(Exception):
    """The files had problems, so nothing was imported."""

    def __init__(self, problems: Sequence[RosterProblem]) -> None:
        self.problems = list(problems)
        count = len(self.problems)
        heading = f"{count} problem{'' if count == 1 else 's'} in the roster files; nothing was imported"
        super().__init__("\n".join([heading, *map(str, self.problems)]))


@dataclass(frozen=True)
class CommunityRecord:
    code: str
    name: str
    area: str
    district: str


@dataclass(frozen=True)
class SchoolRecord:
    urn: str
    name: str
    phase: str
    trust: str | None
    community_code: str


@dataclass(frozen=True)
class PersonRecord:
    email: str
    name: str
    aad_object_id: str | None


@dataclass(frozen=True)
class MembershipRecord:
    """One people.csv row. For a school role, ``community_code`` is the school's community."""

    email: str
    role: Role
    school_urn: str | None
    community_code: str | None

    @property
    def scope_key(self) -> str:
        # A school role is keyed on the school alone, so a school moving to another
        # community updates its staff's memberships instead of replacing them.
        if self.role in SCHOOL_ROLES:
            return Membership.make_scope_key(self.role, self.school_urn, None)
        return Membership.make_scope_key(self.role, None, self.community_code)


@dataclass(frozen=True)
class Roster:
    """The three files, checked: every reference resolves and every key is unique."""

    communities: list[CommunityRecord]
    schools: list[SchoolRecord]
    people: list[PersonRecord]
    memberships: list[MembershipRecord]
    #: ``file: column`` for each header column the import does not use.
    ignored_columns: list[str]
    #: SHA-256 of the three files, so the audit log can tell imports of the same files apart.
    fingerprint: str

    @property
    def areas(self) -> list[str]:
        return list(dict.fromkeys(community.area for community in self.communities))


@dataclass(frozen=True)
class _Row:
    number: int
    cells: dict[str, str]


@dataclass
class _Table:
    file: str
    rows: list[_Row]


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
    text = _decode(data, problem)
    if text is None:
        return None
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        problem(f"not a readable CSV file ({error}); save it as CSV UTF-8")
        return None
    if not records or not any(cell.strip() for cell in records[0]):
        problem(f"header: row 1 must name the columns {','.join(columns)}")
        return None
    index = _read_header(records[0], file, columns, problem, ignored)
    if index is None:
        return None
    rows = _read_rows(records, index, len(records[0]), problem)
    if not rows:
        problem("no rows under the header; an empty file would deactivate everything in it")
    return _Table(file, rows)


def _decode(data: bytes, problem: Callable[[str], None]) -> str | None:
    """UTF-8 text, with or without the byte order mark Excel writes."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        problem(
            f"bad encoding: not UTF-8 (byte 0x{data[error.start]:02x} at line {line}); save it as CSV UTF-8"
        )
        return None


def _read_header(
    header: list[str],
    file: str,
    columns: tuple[str, ...],
    problem: Callable[[str], None],
    ignored: list[str],
) -> dict[str, int] | None:
    """Where each wanted column is, or None when one is missing or given twice."""
    names = [cell.strip().lower() for cell in header]
    ok = True
    for column in columns:
        count = names.count(column)
        if count == 0:
            problem(f"header: missing column '{column}'")
            ok = False
        elif count > 1:
            problem(f"header: column '{column}' appears {count} times")
            ok = False
    ignored.extend(f"{file}: {name}" for name in dict.fromkeys(names) if name and name not in columns)
    return {column: names.index(column) for column in columns} if ok else None


def _read_rows(
    records: list[list[str]], index: dict[str, int], width: int, problem: Callable[[str, int], None]
) -> list[_Row]:
    rows: list[_Row] = []
    # Row numbers count records, not lines, so a quoted value spanning lines keeps them in step.
    for number, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue
        if len(record) > width:
            problem(
                f"{len(record)} values but the header has {width} columns; "
                "put quotes around a value that contains a comma",
                number,
            )
            continue
        cells = {column: record[i].strip() if i < len(record) else "" for column, i in index.items()}
        rows.append(_Row(number, cells))
    return rows


def _rows(table: _Table, progress: Progress | None) -> Iterator[_Row]:
    """The table's rows, telling ``progress`` every :data:`PROGRESS_EVERY` rows and at the end."""
    total = len(table.rows)
    if progress:
        progress(table.file, 0, total)
    for done, row in enumerate(table.rows, start=1):
        yield row
        if progress and (done % PROGRESS_EVERY == 0 or done == total):
            progress(table.file, done, total)


# --- values ---------------------------------------------------------------------------------------


class _Cells:
    """One row's values, read with the row's problems noted as they are found."""

    def __init__(self, file: str, row: _Row, problems: list[RosterProblem]) -> None:
        self.file = file
        self.row = row
        self.problems = problems
        self.clean = True

    def problem(self, column: str, reason: str) -> None:
        self.problems.append(RosterProblem(self.file, self.row.number, column, reason))
        self.clean = False

    def given(self, column: str) -> bool:
        return bool(self.row.cells[column])

    def text(self, column: str, max_length: int, *, required: bool = True) -> str | None:
        value = self.row.cells[column]
        if not value:
            if required:
                self.problem(column, "empty; this column needs a value")
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
    for row in _rows(table, progress):
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
    for row in _rows(table, progress):
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
    for row in _rows(table, progress):
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
    email = cells.matching("email", _EMAIL, "an email address", _EMAIL_LENGTH)
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
    """Check the role names what it is held for; returns the membership's community code."""
    if role in SCHOOL_ROLES:
        if not cells.given("school_urn"):
            cells.problem("school_urn", f"{role.value} needs a school_urn")
        school_code = None if urn is None or school_communities is None else school_communities.get(urn)
        if code is not None and school_code and code != school_code:
            cells.problem(
                "community_code",
                f"school {urn} is in community {school_code} in {SCHOOLS_FILE}, not {code}",
            )
        return school_code or code
    if cells.given("school_urn"):
        hint = " (give the school on a row of its own)" if role in COMMUNITY_ROLES else ""
        cells.problem("school_urn", f"{role.value} is not held for a school; leave school_urn empty{hint}")
    if role in COMMUNITY_ROLES and not cells.given("community_code"):
        cells.problem("community_code", f"{role.value} needs a community_code")
    return code
