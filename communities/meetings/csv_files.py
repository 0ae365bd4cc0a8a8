"""Reading and checking KCC's meeting dates (one CSV file) before anything is written.

Like the roster files, every row is checked and every problem collected, so that an officer
fixes the whole spreadsheet in one go; problems name the row as a spreadsheet shows it (the
header is row 1). Nothing here touches the database: what the roster says comes in as
:class:`RosterFacts`, read by the import.

The rules an officer will meet:

* the header names ``community_code,starts_at,ends_at,location,chair_email`` in any order and
  any case; other columns are ignored and listed in the report; values are trimmed;
* times are London wall-clock times as typed: ``2027-03-03 16:00``, ``2027-03-03T16:00`` or
  ``03/03/2027 16:00``; a time the clocks skip or repeat is refused rather than guessed;
* ``ends_at`` is a time in the same forms, a bare ``17:30`` on the same day, or a duration
  (``90m``, ``1h30m``, ``2h``); a meeting must end after it starts and last at most 12 hours;
* a meeting in the past is fine (history), one more than 3 years ahead is taken for a typo;
* the location rule is :func:`meeting_place`; the chair rule is in :func:`_chair`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import TypeVar

from communities.csv_reading import EMAIL, Cells, CsvProblem, Progress, Row, counted, max_length, read_csv
from communities.meetings.tables import Meeting, date_text, local, london_wall_time

COLUMNS = ("community_code", "starts_at", "ends_at", "location", "chair_email")
#: A start further ahead than this is a typo in the year, not a plan.
YEARS_AHEAD = 3
LONGEST_MEETING = timedelta(hours=12)

_DATE_TIME_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M")
_DATE_TIME_SHAPE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}[ T]\d{1,2}:\d{2}|\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d{2}")
_CLOCK_TIME = re.compile(r"(\d{1,2}):(\d{2})")
_DURATION = re.compile(r"(?:(\d{1,3})\s*h)?\s*(?:(\d{1,4})\s*m(?:ins?)?)?", re.IGNORECASE)
_ONLINE = r"(?:online|(?:microsoft\s+)?teams)"
_ONLINE_ONLY = re.compile(_ONLINE, re.IGNORECASE)
_HYBRID_FIRST = re.compile(_ONLINE + r"\s*\+\s*(?P<place>.+)", re.IGNORECASE)
_HYBRID_LAST = re.compile(r"(?P<place>.+?)\s*/\s*" + _ONLINE, re.IGNORECASE)

_LOCATION_LENGTH = max_length(Meeting, "location")
_T = TypeVar("_T")


class MeetingProblem(CsvProblem):
    """One thing wrong with the file, told the way a spreadsheet user can find it."""


@dataclass(frozen=True)
class RosterFacts:
    """What the roster says, as far as the checks need it (active rows only)."""

    #: Community code -> id.
    communities: Mapping[str, int] = field(default_factory=dict)
    #: Lower-cased email -> person id.
    people: Mapping[str, int] = field(default_factory=dict)
    #: Community id -> the person id of its current chair.
    chairs: Mapping[int, int] = field(default_factory=dict)
    #: Community id -> the person ids of its chair and vice chair(s).
    may_chair: Mapping[int, frozenset[int]] = field(default_factory=dict)
    #: Person ids of officers, who may chair any community's meeting.
    officers: frozenset[int] = frozenset()


@dataclass(frozen=True)
class MeetingRow:
    """One checked row: times are aware UTC instants, the community and chair are ids."""

    row: int
    community_code: str
    community_id: int
    starts_at: datetime
    ends_at: datetime
    location: str | None
    online: bool
    chair_person_id: int | None


@dataclass(frozen=True)
class MeetingsFile:
    """The valid rows in file order and every problem found; rows are only usable with no problems."""

    rows: list[MeetingRow]
    problems: list[MeetingProblem]
    #: Header columns the import does not use.
    ignored_columns: list[str]
    #: SHA-256 of the file, so the audit log can tell imports of the same file apart.
    fingerprint: str


# --- values ----------------------------------------------------------------------------------------


def parse_local_time(text: str) -> datetime:
    """A London date and time as typed (no zone); ValueError with a sentence if it is not one."""
    if _DATE_TIME_SHAPE.fullmatch(text):
        for pattern in _DATE_TIME_FORMATS:
            try:
                return datetime.strptime(text, pattern)
            except ValueError:
                continue
    raise ValueError(f"'{text}' is not a date and time; write it as 2027-03-03 16:00 or 03/03/2027 16:00")


def meeting_start(text: str, now: datetime) -> datetime:
    """The start as a UTC instant: refused in a DST gap or fold, or more than 3 years ahead."""
    start = london_wall_time(parse_local_time(text))
    if start > _years_later(now, YEARS_AHEAD):
        raise ValueError(f"{date_text(start)} is more than {YEARS_AHEAD} years ahead; check the year")
    return start


def meeting_end(text: str, starts_at: datetime) -> datetime:
    """The end as a UTC instant, from a date and time, a bare time that day, or a duration.

    A duration is real elapsed time, so a 2h meeting across a clock change still lasts two hours.
    """
    end = _end(text, starts_at)
    _check_length(starts_at, end)
    return end


def meeting_place(text: str) -> tuple[bool, str | None]:
    """``(online, location)`` from the location cell, by one simple rule (case does not matter):

    * empty, ``Online`` or ``Teams`` (or ``Microsoft Teams``): online only, no location;
    * ``Teams + <place>`` or ``<place> / Teams`` (``Online`` works for ``Teams``): hybrid,
      online with that location;
    * anything else: in person at that location.
    """
    if not text or _ONLINE_ONLY.fullmatch(text):
        return True, None
    hybrid = _HYBRID_FIRST.fullmatch(text) or _HYBRID_LAST.fullmatch(text)
    if hybrid:
        return True, hybrid["place"].strip()
    return False, text


def _end(text: str, starts_at: datetime) -> datetime:
    duration = _duration(text)
    if duration is not None:
        return starts_at + duration
    if _CLOCK_TIME.fullmatch(text):
        return london_wall_time(datetime.combine(local(starts_at).date(), _clock_time(text)))
    try:
        naive = parse_local_time(text)
    except ValueError:
        raise ValueError(
            f"'{text}' is not an end; write a time (17:30 or 2027-03-03 17:30) or a duration (90m, 1h30m, 2h)"
        ) from None
    return london_wall_time(naive)


def _years_later(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year + years, day=28)


def _duration(text: str) -> timedelta | None:
    match = _DURATION.fullmatch(text)
    if match is None or not any(match.groups()):
        return None
    hours, minutes = (int(part) if part else 0 for part in match.groups())
    return timedelta(hours=hours, minutes=minutes)


def _clock_time(text: str) -> time:
    hours, minutes = (int(part) for part in text.split(":"))
    if hours > 23 or minutes > 59:
        raise ValueError(f"'{text}' is not a time of day")
    return time(hours, minutes)


def _check_length(starts_at: datetime, ends_at: datetime) -> None:
    if ends_at <= starts_at:
        raise ValueError(f"ends {date_text(ends_at)}, which is not after the start ({date_text(starts_at)})")
    if ends_at - starts_at > LONGEST_MEETING:
        minutes = int((ends_at - starts_at).total_seconds() // 60)
        raise ValueError(
            f"the meeting would last {minutes // 60}h{minutes % 60:02d}m; "
            f"more than {LONGEST_MEETING.seconds // 3600} hours is taken for a typo"
        )


# --- the file --------------------------------------------------------------------------------------


def read_meetings(
    path: Path, roster: RosterFacts, *, now: datetime, progress: Progress | None = None
) -> MeetingsFile:
    """Read and check the file; problems are returned (by row), not raised.

    ``progress(file name, rows checked, rows)`` is called every few hundred rows and at the end.
    """
    problems: list[MeetingProblem] = []
    ignored: list[str] = []
    digest = hashlib.sha256()
    rows = _load(path, problems, ignored, digest.update)
    checked = [] if rows is None else _check_rows(path.name, rows, roster, now, problems, progress)
    # File-wide problems (encoding, header) first, then row by row; the sort keeps each row's order.
    problems.sort(key=lambda problem: problem.row or 0)
    return MeetingsFile(checked, problems, ignored, digest.hexdigest())


def _load(
    path: Path, problems: list[MeetingProblem], ignored: list[str], fingerprint: Callable[[bytes], None]
) -> list[Row] | None:
    """The non-blank rows as ``column -> trimmed value``, or None if the file cannot be read."""

    def problem(reason: str, row: int | None = None) -> None:
        problems.append(MeetingProblem(path.name, row, None, reason))

    try:
        data = path.read_bytes()
    except OSError as error:
        problem(f"cannot be read ({error.strerror or error})")
        return None
    fingerprint(data)
    read = read_csv(data, COLUMNS, problem)
    ignored.extend(read.ignored)
    if read.blank:
        problem("no meetings under the header")
    return read.rows


# --- rows ------------------------------------------------------------------------------------------


class _Cells(Cells[MeetingProblem]):
    """One row's values, with the meetings file's reader."""

    problem_type = MeetingProblem

    def parsed(self, column: str, parse: Callable[[str], _T]) -> _T | None:
        """``parse`` of the cell, or None with the problem noted (empty, or ValueError's sentence)."""
        value = self.value(column)
        if value is None:
            return None
        try:
            return parse(value)
        except ValueError as error:
            self.problem(column, str(error))
            return None


#: Where a bare end time is put when the row's start is unusable: only the end's form is checked.
_ANY_DAY = datetime(2000, 1, 1, 12, tzinfo=UTC)


def _check_rows(
    file: str,
    rows: list[Row],
    roster: RosterFacts,
    now: datetime,
    problems: list[MeetingProblem],
    progress: Progress | None,
) -> list[MeetingRow]:
    checked: list[MeetingRow] = []
    first_rows: dict[tuple[int, datetime], int] = {}
    for row in counted(file, rows, progress):
        cells = _Cells(file, row, problems)
        community = _community(cells, roster)
        start = cells.parsed("starts_at", lambda text: meeting_start(text, now))
        if community and start:
            _first_use(cells, first_rows, community, start)
        end = _ending(cells, start)
        online, location = _place(cells)
        chair = _chair(cells, roster, community)
        if cells.clean and community and start and end:
            code, community_id = community
            checked.append(MeetingRow(row.number, code, community_id, start, end, location, online, chair))
    return checked


def _community(cells: _Cells, roster: RosterFacts) -> tuple[str, int] | None:
    """``(code, id)`` of an active community in the roster."""
    code = cells.parsed("community_code", str.upper)
    if code is None:
        return None
    community_id = roster.communities.get(code)
    if community_id is None:
        cells.problem(
            "community_code", f"unknown community '{code}'; it is not an active community in the roster"
        )
        return None
    return code, community_id


def _first_use(
    cells: _Cells, first_rows: dict[tuple[int, datetime], int], community: tuple[str, int], start: datetime
) -> None:
    code, community_id = community
    first = first_rows.setdefault((community_id, start), cells.row.number)
    if first != cells.row.number:
        cells.problem("starts_at", f"{code} already has a meeting at {date_text(start)} on row {first}")


def _ending(cells: _Cells, start: datetime | None) -> datetime | None:
    if start is None:
        cells.parsed("ends_at", lambda text: _end(text, _ANY_DAY))  # only its form can be checked
        return None
    return cells.parsed("ends_at", lambda text: meeting_end(text, start))


def _place(cells: _Cells) -> tuple[bool, str | None]:
    online, location = meeting_place(cells.cell("location"))
    if location is not None and len(location) > _LOCATION_LENGTH:
        cells.problem("location", f"longer than {_LOCATION_LENGTH} characters")
    return online, location


def _chair(cells: _Cells, roster: RosterFacts, community: tuple[str, int] | None) -> int | None:
    """Who chairs the meeting.

    A named person must be active in the roster and hold the chair or vice chair role for the
    community, or be an officer (who may stand in anywhere). An empty cell means the community's
    current chair, or None when it has none: the chair for a meeting is a fact worth keeping, not
    a check worth failing an import for.
    """
    email = cells.cell("chair_email").lower()
    if not email:
        return roster.chairs.get(community[1]) if community else None
    if not EMAIL.fullmatch(email):
        cells.problem("chair_email", f"'{email}' is not an email address")
        return None
    person = roster.people.get(email)
    if person is None:
        cells.problem("chair_email", f"'{email}' is not an active person in the roster")
        return None
    if community and person not in roster.officers and person not in roster.may_chair.get(community[1], ()):
        cells.problem(
            "chair_email", f"'{email}' is not the chair or vice chair of {community[0]}, nor an officer"
        )
        return None
    return person
