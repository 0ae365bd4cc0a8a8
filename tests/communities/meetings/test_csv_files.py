"""Reading KCC's meeting dates: the forms an officer types, and every problem named by row and column."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from communities.meetings.csv_files import MeetingsFile, RosterFacts, meeting_place, read_meetings

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
CANT1, THAN2 = 1, 2
CHAIR, VICE, OFFICER, LEADER = 10, 11, 12, 13
ROSTER = RosterFacts(
    communities={"CANT1": CANT1, "THAN2": THAN2},
    people={
        "chair@cant1.example.org": CHAIR,
        "vice@cant1.example.org": VICE,
        "officer@kent.example.org": OFFICER,
        "leader@cant1.example.org": LEADER,
    },
    chairs={CANT1: CHAIR},
    may_chair={CANT1: frozenset({CHAIR, VICE})},
    officers=frozenset({OFFICER}),
)
HEADER = "community_code,starts_at,ends_at,location,chair_email\n"
NOT_A_TIME = "is not a date and time; write it as 2027-03-03 16:00 or 03/03/2027 16:00"
NOT_AN_END = "is not an end; write a time (17:30 or 2027-03-03 17:30) or a duration (90m, 1h30m, 2h)"
UNKNOWN = "is not an active community in the roster"
NOT_CHAIR = "is not the chair or vice chair of"
BEFORE_START = "which is not after the start (Wednesday 3 March 2027, 16:00)"


def read(tmp_path: Path, content: str | bytes) -> MeetingsFile:
    path = tmp_path / "meetings.csv"
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return read_meetings(path, ROSTER, now=NOW)


def one_row(tmp_path: Path, row: str) -> MeetingsFile:
    return read(tmp_path, HEADER + row + "\n")


def problems(tmp_path: Path, content: str | bytes) -> list[str]:
    checked = read(tmp_path, content)
    assert not checked.rows or checked.problems, "a file with problems gives no rows to write"
    return [str(problem) for problem in checked.problems]


def utc(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# --- times ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed", ["2027-03-03 16:00", "2027-03-03T16:00", "03/03/2027 16:00", "3/3/2027 16:00"]
)
def test_a_start_is_read_in_each_form_people_type(tmp_path: Path, typed: str) -> None:
    checked = one_row(tmp_path, f"CANT1,{typed},17:30,,")
    assert checked.problems == []
    assert checked.rows[0].starts_at == utc(2027, 3, 3, 16, 0)  # GMT: London time is UTC


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("2027-03-30 16:00", utc(2027, 3, 30, 15, 0)),  # after the clocks go forward: BST
        ("2026-10-27 16:00", utc(2026, 10, 27, 16, 0)),  # after the clocks go back: GMT
    ],
)
def test_a_london_time_is_stored_as_the_right_instant_either_side_of_a_clock_change(
    tmp_path: Path, typed: str, stored: datetime
) -> None:
    [row] = one_row(tmp_path, f"CANT1,{typed},17:00,,").rows
    assert row.starts_at == stored
    assert row.ends_at - row.starts_at == timedelta(hours=1)


def test_a_time_the_clocks_skip_or_repeat_is_refused_with_its_row(tmp_path: Path) -> None:
    assert problems(tmp_path, HEADER + "CANT1,2027-03-28 01:30,90m,,\nCANT1,2027-10-31 01:30,90m,,\n") == [
        "meetings.csv:2: starts_at: 28 Mar 2027 01:30 does not exist in London (the clocks go forward)",
        "meetings.csv:3: starts_at: 31 Oct 2027 01:30 happens twice in London (the clocks go back)",
    ]


@pytest.mark.parametrize(
    ("typed", "length"),
    [
        ("17:30", timedelta(minutes=90)),
        ("90m", timedelta(minutes=90)),
        ("90 mins", timedelta(minutes=90)),
        ("1h30m", timedelta(minutes=90)),
        ("1h 30m", timedelta(minutes=90)),
        ("2h", timedelta(hours=2)),
        ("2027-03-03 18:15", timedelta(hours=2, minutes=15)),
        ("03/03/2027 18:15", timedelta(hours=2, minutes=15)),
        ("12h", timedelta(hours=12)),
    ],
)
def test_an_end_is_a_time_that_day_a_date_and_time_or_a_duration(
    tmp_path: Path, typed: str, length: timedelta
) -> None:
    checked = one_row(tmp_path, f"CANT1,2027-03-03 16:00,{typed},,")
    assert checked.problems == []
    assert checked.rows[0].ends_at - checked.rows[0].starts_at == length


def test_a_duration_across_the_clock_change_is_elapsed_time(tmp_path: Path) -> None:
    [row] = one_row(tmp_path, "CANT1,2027-03-28 00:30,2h,,").rows
    assert row.ends_at == utc(2027, 3, 28, 2, 30)  # 03:30 BST


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        (
            "15:00",
            f"ends Wednesday 3 March 2027, 15:00, {BEFORE_START}",
        ),
        (
            "0m",
            f"ends Wednesday 3 March 2027, 16:00, {BEFORE_START}",
        ),
        ("12h30m", "the meeting would last 12h30m; more than 12 hours is taken for a typo"),
        ("2027-03-04 16:00", "the meeting would last 24h00m; more than 12 hours is taken for a typo"),
        ("25:00", "'25:00' is not a time of day"),
        (
            "soon",
            f"'soon' {NOT_AN_END}",
        ),
        ("", "empty; this column needs a value"),
    ],
)
def test_a_bad_end_is_named(tmp_path: Path, typed: str, reason: str) -> None:
    assert problems(tmp_path, HEADER + f"CANT1,2027-03-03 16:00,{typed},,\n") == [
        f"meetings.csv:2: ends_at: {reason}"
    ]


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        (
            "next Tuesday",
            f"'next Tuesday' {NOT_A_TIME}",
        ),
        (
            "2027-02-30 16:00",
            f"'2027-02-30 16:00' {NOT_A_TIME}",
        ),
        (
            "03/03/27 16:00",
            f"'03/03/27 16:00' {NOT_A_TIME}",
        ),
        ("2029-12-01 16:00", "Saturday 1 December 2029, 16:00 is more than 3 years ahead; check the year"),
        ("", "empty; this column needs a value"),
    ],
)
def test_a_bad_start_is_named(tmp_path: Path, typed: str, reason: str) -> None:
    assert problems(tmp_path, HEADER + f"CANT1,{typed},90m,,\n") == [f"meetings.csv:2: starts_at: {reason}"]


def test_past_meetings_are_history_and_welcome_up_to_three_years_ahead(tmp_path: Path) -> None:
    checked = read(tmp_path, HEADER + "CANT1,2019-09-18 16:00,90m,,\nCANT1,2029-11-22 16:00,90m,,\n")
    assert checked.problems == []
    assert [row.starts_at.year for row in checked.rows] == [2019, 2029]


def test_a_bad_start_still_has_its_end_and_community_checked(tmp_path: Path) -> None:
    assert problems(tmp_path, HEADER + "KENT9,tomorrow,later,,\n") == [
        f"meetings.csv:2: community_code: unknown community 'KENT9'; it {UNKNOWN}",
        f"meetings.csv:2: starts_at: 'tomorrow' {NOT_A_TIME}",
        f"meetings.csv:2: ends_at: 'later' {NOT_AN_END}",
    ]


# --- place, community and chair -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "place"),
    [
        ("", (True, None)),
        ("Online", (True, None)),
        ("TEAMS", (True, None)),
        ("Microsoft Teams", (True, None)),
        ("Teams + Westgate Meadow Primary School", (True, "Westgate Meadow Primary School")),
        ("online+Room 4", (True, "Room 4")),
        ("Harbledown Park Academy / Teams", (True, "Harbledown Park Academy")),
        ("Westgate Meadow Primary School", (False, "Westgate Meadow Primary School")),
        ("Rooms 3/4, Westgate", (False, "Rooms 3/4, Westgate")),
    ],
)
def test_the_location_rule(typed: str, place: tuple[bool, str | None]) -> None:
    assert meeting_place(typed) == place


def test_the_place_is_stored_as_online_and_location(tmp_path: Path) -> None:
    [row] = one_row(tmp_path, 'CANT1,2027-03-03 16:00,90m,"Teams + Wincheap Infant School, hall",').rows
    assert (row.online, row.location) == (True, "Wincheap Infant School, hall")


def test_a_location_longer_than_the_column_is_refused(tmp_path: Path) -> None:
    assert problems(tmp_path, HEADER + f"CANT1,2027-03-03 16:00,90m,{'x' * 301},\n") == [
        "meetings.csv:2: location: longer than 300 characters"
    ]


def test_community_codes_are_read_in_any_case(tmp_path: Path) -> None:
    [row] = one_row(tmp_path, "cant1,2027-03-03 16:00,90m,,").rows
    assert (row.community_code, row.community_id) == ("CANT1", CANT1)


@pytest.mark.parametrize(
    ("code", "email", "chair"),
    [
        ("CANT1", "", CHAIR),  # empty: the community's chair
        ("CANT1", "Vice@CANT1.example.org", VICE),
        ("THAN2", "officer@kent.example.org", OFFICER),  # an officer may chair anywhere
        ("THAN2", "", None),  # a community with no chair just now
    ],
)
def test_the_chair_is_the_named_chair_vice_chair_or_officer_or_else_the_current_chair(
    tmp_path: Path, code: str, email: str, chair: int | None
) -> None:
    [row] = one_row(tmp_path, f"{code},2027-03-03 16:00,90m,,{email}").rows
    assert row.chair_person_id == chair


def test_a_chair_who_cannot_chair_that_community_is_refused(tmp_path: Path) -> None:
    rows = [
        "CANT1,2027-03-03 16:00,90m,,leader@cant1.example.org",
        "THAN2,2027-03-03 16:00,90m,,vice@cant1.example.org",
        "CANT1,2027-04-21 16:00,90m,,nobody@cant1.example.org",
        "CANT1,2027-05-19 16:00,90m,,the chair",
    ]
    assert problems(tmp_path, HEADER + "\n".join(rows) + "\n") == [
        f"meetings.csv:2: chair_email: 'leader@cant1.example.org' {NOT_CHAIR} CANT1, nor an officer",
        f"meetings.csv:3: chair_email: 'vice@cant1.example.org' {NOT_CHAIR} THAN2, nor an officer",
        "meetings.csv:4: chair_email: 'nobody@cant1.example.org' is not an active person in the roster",
        "meetings.csv:5: chair_email: 'the chair' is not an email address",
    ]


def test_the_same_community_and_start_twice_is_refused_in_any_spelling(tmp_path: Path) -> None:
    rows = [
        "CANT1,2027-03-03 16:00,90m,,",
        "THAN2,2027-03-03 16:00,90m,,",
        "cant1,03/03/2027 16:00,2h,Teams,",
    ]
    assert problems(tmp_path, HEADER + "\n".join(rows) + "\n") == [
        "meetings.csv:4: starts_at: CANT1 already has a meeting at Wednesday 3 March 2027, 16:00 on row 2"
    ]


# --- the file ---------------------------------------------------------------------------------------


def test_columns_in_any_order_and_case_with_a_bom_and_extra_columns(tmp_path: Path) -> None:
    content = (
        "\ufeffChair_Email,Notes,STARTS_AT,community_code,location,ends_at\n"
        ",spring,2027-03-03 16:00,CANT1, Online ,90m\n"
    )
    checked = read(tmp_path, content.encode("utf-8"))
    assert checked.problems == []
    assert checked.ignored_columns == ["notes"]
    assert checked.rows[0].online and checked.rows[0].location is None


def test_blank_rows_are_skipped_and_row_numbers_stay_as_the_spreadsheet_shows_them(tmp_path: Path) -> None:
    assert problems(
        tmp_path, HEADER + "CANT1,2027-03-03 16:00,90m,,\n,,,,\n\nCANT1,2027-04-21 16:00,1h,,x\n"
    ) == ["meetings.csv:5: chair_email: 'x' is not an email address"]


def test_missing_columns_are_named(tmp_path: Path) -> None:
    assert problems(tmp_path, "community_code,starts_at,location\nCANT1,2027-03-03 16:00,\n") == [
        "meetings.csv: header: missing column 'ends_at'",
        "meetings.csv: header: missing column 'chair_email'",
    ]


def test_a_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    content = (HEADER + "CANT1,2027-03-03 16:00,90m,Café de la Gare,\n").encode("cp1252")
    assert problems(tmp_path, content) == [
        "meetings.csv: bad encoding: not UTF-8 (byte 0xe9 at line 2); save it as CSV UTF-8"
    ]


def test_an_empty_file_and_a_file_with_no_meetings_are_refused(tmp_path: Path) -> None:
    assert problems(tmp_path, "") == ["meetings.csv: header: row 1 must name the columns " + HEADER.strip()]
    assert problems(tmp_path, HEADER) == ["meetings.csv: no meetings under the header"]


def test_a_row_with_more_values_than_columns_is_refused(tmp_path: Path) -> None:
    assert problems(tmp_path, HEADER + "CANT1,2027-03-03 16:00,90m,Hall, Westgate,\n") == [
        "meetings.csv:2: 6 values but the header has 5 columns; "
        "put quotes around a value that contains a comma"
    ]


def test_every_problem_in_the_file_is_reported_in_row_order(tmp_path: Path) -> None:
    rows = [
        "CANT1,2027-03-03 16:00,90m,,",
        "NOPE1,2027-03-03 16:00,90m,,",
        ",2027-03-28 01:15,14h,,",
        "THAN2,2027-03-03 16:00,15:00,,leader@cant1.example.org",
    ]
    assert problems(tmp_path, HEADER + "\n".join(rows) + "\n") == [
        f"meetings.csv:3: community_code: unknown community 'NOPE1'; it {UNKNOWN}",
        "meetings.csv:4: community_code: empty; this column needs a value",
        "meetings.csv:4: starts_at: 28 Mar 2027 01:15 does not exist in London (the clocks go forward)",
        f"meetings.csv:5: ends_at: ends Wednesday 3 March 2027, 15:00, {BEFORE_START}",
        f"meetings.csv:5: chair_email: 'leader@cant1.example.org' {NOT_CHAIR} THAN2, nor an officer",
    ]


def test_progress_is_told_as_rows_are_checked(tmp_path: Path) -> None:
    path = tmp_path / "meetings.csv"
    start = datetime(2027, 1, 4, 9, 0)
    rows = [f"CANT1,{start + timedelta(hours=i):%Y-%m-%d %H:%M},30m,," for i in range(1200)]
    path.write_text(HEADER + "\n".join(rows) + "\n")
    calls: list[tuple[str, int, int]] = []
    checked = read_meetings(path, ROSTER, now=NOW, progress=lambda *call: calls.append(call))
    assert checked.problems == [] and len(checked.rows) == 1200
    assert calls == [
        ("meetings.csv", 0, 1200),
        ("meetings.csv", 500, 1200),
        ("meetings.csv", 1000, 1200),
        ("meetings.csv", 1200, 1200),
    ]
