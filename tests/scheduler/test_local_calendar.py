"""The local calendar backend and its iCalendar feed, parsed back with icalendar."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import icalendar
import pytest

from communities.meetings.calendar import Attendee, CalendarEntry, EventSpec
from scheduler.calendars.local import (
    FEED_CONTENT_TYPE,
    FeedEvent,
    FeedStatus,
    LocalCalendar,
    feed_path,
    feed_token,
    render_feed,
)

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
LONDON = ZoneInfo("Europe/London")


def make_event(**changes: object) -> FeedEvent:
    base = FeedEvent(
        uid="meeting-1@cosbot.invalid",
        summary="Ashford community meeting",
        description="Agenda: SEND review",
        starts_at=datetime(2026, 12, 3, 10, 0, tzinfo=UTC),
        ends_at=datetime(2026, 12, 3, 11, 30, tzinfo=UTC),
        location="Ashford Library",
        url="https://teams.microsoft.com/l/meetup-join/abc",
        status=FeedStatus.CONFIRMED,
        sequence=0,
        last_modified=datetime(2026, 5, 30, 8, 0, tzinfo=UTC),
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def parse(feed: bytes) -> icalendar.Calendar:
    calendar = icalendar.Calendar.from_ical(feed.decode())
    assert isinstance(calendar, icalendar.Calendar)
    return calendar


def only_event(feed: bytes) -> icalendar.Event:
    events = parse(feed).walk("VEVENT")
    assert len(events) == 1
    return events[0]  # type: ignore[return-value]


def unfolded(feed: bytes) -> str:
    return feed.decode().replace("\r\n ", "")


# --- times -----------------------------------------------------------------------------------


def test_winter_meeting_is_written_in_london_time_equal_to_utc() -> None:
    feed = render_feed("Ashford", [make_event()], now=NOW)

    assert "DTSTART;TZID=Europe/London:20261203T100000\r\n" in feed.decode()
    assert "DTEND;TZID=Europe/London:20261203T113000\r\n" in feed.decode()
    start = only_event(feed).decoded("dtstart")
    assert start == datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
    assert start.utcoffset() == timedelta(0)


def test_summer_meeting_at_ten_london_is_nine_utc() -> None:
    event = make_event(
        starts_at=datetime(2026, 7, 8, 9, 0, tzinfo=UTC), ends_at=datetime(2026, 7, 8, 10, 0, tzinfo=UTC)
    )
    feed = render_feed("Ashford", [event], now=NOW)

    assert "DTSTART;TZID=Europe/London:20260708T100000\r\n" in feed.decode()
    assert "DTEND;TZID=Europe/London:20260708T110000\r\n" in feed.decode()
    parsed = only_event(feed)
    assert parsed["dtstart"].params["TZID"] == "Europe/London"
    start = parsed.decoded("dtstart")
    assert (start.hour, start.utcoffset()) == (10, timedelta(hours=1))
    assert start == datetime(2026, 7, 8, 9, 0, tzinfo=UTC)


def test_times_given_in_another_zone_are_converted_not_relabelled() -> None:
    paris = ZoneInfo("Europe/Paris")
    event = make_event(
        starts_at=datetime(2026, 7, 8, 11, 0, tzinfo=paris), ends_at=datetime(2026, 7, 8, 12, 0, tzinfo=paris)
    )
    feed = render_feed("Ashford", [event], now=NOW)

    assert "DTSTART;TZID=Europe/London:20260708T100000\r\n" in feed.decode()


def test_dtstamp_is_now_and_timestamps_are_utc() -> None:
    event = make_event(last_modified=datetime(2026, 5, 30, 9, 15, tzinfo=LONDON))
    feed = render_feed("Ashford", [event], now=datetime(2026, 6, 1, 13, 0, tzinfo=LONDON))

    text = feed.decode()
    assert "DTSTAMP:20260601T120000Z\r\n" in text
    assert "LAST-MODIFIED:20260530T081500Z\r\n" in text


def test_vtimezone_for_london_has_standard_and_daylight() -> None:
    calendar = parse(render_feed("Ashford", [make_event()], now=NOW))

    timezones = calendar.walk("VTIMEZONE")
    assert [tz["TZID"] for tz in timezones] == ["Europe/London"]
    daylight = timezones[0].walk("DAYLIGHT")
    standard = timezones[0].walk("STANDARD")
    assert daylight and standard
    assert {d.decoded("TZOFFSETTO") for d in daylight} == {timedelta(hours=1)}
    assert timedelta(0) in {s.decoded("TZOFFSETTO") for s in standard}
    assert calendar.get_missing_tzids() == set()


def test_vtimezone_covers_the_years_of_later_meetings() -> None:
    event = make_event(
        starts_at=datetime(2028, 4, 5, 9, 0, tzinfo=UTC), ends_at=datetime(2028, 4, 5, 10, 0, tzinfo=UTC)
    )
    calendar = parse(render_feed("Ashford", [event], now=NOW))

    (daylight,) = calendar.walk("VTIMEZONE")[0].walk("DAYLIGHT")
    onsets = {daylight.decoded("DTSTART").date()}
    onsets |= {value.dt.date() for rdate in _as_list(daylight.get("RDATE")) for value in rdate.dts}
    # BST starts on the last Sunday of March; the range runs from now's year to the meeting's.
    assert onsets == {date(2026, 3, 29), date(2027, 3, 28), date(2028, 3, 26)}


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


# --- changes and cancellations ---------------------------------------------------------------


def test_updated_and_cancelled_meetings_carry_sequence_and_status() -> None:
    moved = make_event(uid="moved@cosbot.invalid", sequence=3)
    cancelled = make_event(uid="off@cosbot.invalid", sequence=4, status=FeedStatus.CANCELLED)
    tentative = make_event(uid="maybe@cosbot.invalid", status=FeedStatus.TENTATIVE)

    events = parse(render_feed("Ashford", [moved, cancelled, tentative], now=NOW)).walk("VEVENT")

    by_uid = {str(e["UID"]): e for e in events}
    assert set(by_uid) == {"moved@cosbot.invalid", "off@cosbot.invalid", "maybe@cosbot.invalid"}
    assert (by_uid["moved@cosbot.invalid"]["SEQUENCE"], by_uid["moved@cosbot.invalid"]["STATUS"]) == (
        3,
        "CONFIRMED",
    )
    assert (by_uid["off@cosbot.invalid"]["SEQUENCE"], by_uid["off@cosbot.invalid"]["STATUS"]) == (
        4,
        "CANCELLED",
    )
    assert by_uid["maybe@cosbot.invalid"]["STATUS"] == "TENTATIVE"


def test_event_fields_round_trip() -> None:
    event = make_event(summary="Meeting; agenda, notes", description="Line one\nLine two")
    parsed = only_event(render_feed("Ashford", [event], now=NOW))

    assert str(parsed["UID"]) == "meeting-1@cosbot.invalid"
    assert str(parsed["SUMMARY"]) == "Meeting; agenda, notes"
    assert str(parsed["DESCRIPTION"]) == "Line one\nLine two"
    assert str(parsed["LOCATION"]) == "Ashford Library"
    assert str(parsed["URL"]) == "https://teams.microsoft.com/l/meetup-join/abc"


def test_missing_location_and_url_are_left_out() -> None:
    feed = render_feed("Ashford", [make_event(location=None, url=None)], now=NOW)

    assert "LOCATION" not in feed.decode()
    assert "\r\nURL" not in feed.decode()


# --- calendar properties and encoding ---------------------------------------------------------


def test_calendar_properties_and_name() -> None:
    feed = render_feed("Ashford, Tenterden & Rural", [make_event()], now=NOW)

    text = feed.decode()
    assert text.startswith("BEGIN:VCALENDAR\r\n")
    assert "\r\nMETHOD:PUBLISH\r\n" in text
    assert "\r\nVERSION:2.0\r\n" in text
    assert "\r\nCALSCALE:GREGORIAN\r\n" in text
    assert "\r\nPRODID:-//Kent Communities of Schools//cosbot//EN\r\n" in text
    assert "\r\nX-WR-TIMEZONE:Europe/London\r\n" in text
    assert str(parse(feed)["X-WR-CALNAME"]) == "Ashford, Tenterden & Rural"


def test_lines_end_in_crlf_and_long_description_is_folded_at_75_octets() -> None:
    description = "Café review of SEND provision — next steps for every school. " * 12
    feed = render_feed("Ashford", [make_event(description=description)], now=NOW)

    assert feed.endswith(b"END:VCALENDAR\r\n")
    lines = feed.split(b"\r\n")
    assert not any(b"\n" in line or b"\r" in line for line in lines)
    assert max(len(line) for line in lines) <= 75
    assert any(line.startswith(b" ") for line in lines)  # continuation lines exist
    assert str(only_event(feed)["DESCRIPTION"]) == description


def test_feed_carries_no_attendee_data() -> None:
    field_names = {f.name for f in dataclasses.fields(FeedEvent)}
    assert not field_names & {"attendees", "attendee", "organizer", "emails"}

    feed = render_feed("Ashford", [make_event()], now=NOW)
    text = unfolded(feed).upper()
    for forbidden in ("ATTENDEE", "ORGANIZER", "MAILTO:", "CN="):
        assert forbidden not in text
    assert re.findall(r"[\w.+-]+@[\w.-]+", text) == ["MEETING-1@COSBOT.INVALID"]  # the UID only


def test_empty_feed_is_still_a_valid_calendar_with_the_timezone() -> None:
    calendar = parse(render_feed("Quiet community", [], now=NOW))

    assert calendar.walk("VEVENT") == []
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/London"]


def test_render_is_pure() -> None:
    events = [make_event(), make_event(uid="b@cosbot.invalid", status=FeedStatus.CANCELLED)]

    assert render_feed("Ashford", events, now=NOW) == render_feed("Ashford", events, now=NOW)


@pytest.mark.parametrize(
    "changes",
    [
        {"starts_at": datetime(2026, 12, 3, 10, 0)},
        {"last_modified": datetime(2026, 5, 30, 8, 0)},
        {"ends_at": datetime(2026, 12, 3, 9, 0, tzinfo=UTC)},
        {"sequence": -1},
    ],
)
def test_feed_event_rejects_bad_values(changes: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        make_event(**changes)


def test_naive_now_is_rejected() -> None:
    with pytest.raises(ValueError):
        render_feed("Ashford", [], now=datetime(2026, 6, 1, 12, 0))


# --- tokens and paths -------------------------------------------------------------------------


def test_feed_tokens_are_unique_and_url_safe() -> None:
    tokens = {feed_token() for _ in range(200)}

    assert len(tokens) == 200
    for token in tokens:
        assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)
        assert quote(token, safe="") == token


def test_feed_path_and_content_type() -> None:
    assert feed_path("abc_-9") == "/calendar/abc_-9.ics"
    assert FEED_CONTENT_TYPE == "text/calendar; charset=utf-8"


# --- the Calendar port -------------------------------------------------------------------------


def make_spec(key: str = "cos-42-meeting-7") -> EventSpec:
    return EventSpec(
        key=key,
        subject="Ashford community meeting",
        starts_at=datetime(2026, 12, 3, 10, 0, tzinfo=UTC),
        ends_at=datetime(2026, 12, 3, 11, 0, tzinfo=UTC),
        body="Agenda",
        location=None,
        online=True,
        attendees=(Attendee(email="head@school.kent.sch.uk", name="A Head"),),
    )


async def test_local_calendar_create_and_update_return_stable_ids() -> None:
    calendar = LocalCalendar()
    spec = make_spec()

    created = await calendar.create(spec)
    moved = await calendar.update(created.event_id, dataclasses.replace(spec, subject="Moved"))

    expected = CalendarEntry(
        event_id="cos-42-meeting-7", ical_uid="cos-42-meeting-7@cosbot.invalid", join_url=None
    )
    assert created == expected
    assert moved == expected
    assert await calendar.create(spec) == expected  # a retried create is the same event


async def test_local_calendar_uses_the_configured_domain() -> None:
    entry = await LocalCalendar("cos.kent.example").create(make_spec("k1"))

    assert entry.ical_uid == "k1@cos.kent.example"


async def test_local_calendar_attendee_and_cancel_calls_are_no_ops() -> None:
    calendar = LocalCalendar()
    spec = make_spec()
    entry = await calendar.create(spec)

    await calendar.set_attendees(entry.event_id, ())
    await calendar.cancel(entry.event_id, "Cancelled")
    await calendar.close()

    assert await calendar.update(entry.event_id, spec) == entry
