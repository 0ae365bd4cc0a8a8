"""The meeting timeline's rules, pure: offsets, London wall-clock times across both clock changes,
nothing in 01:00–02:59, catching up, and meetings that are not going ahead.

Expected instants are written out by hand (UTC, with the London time beside them), not computed
with the code under test.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from apscheduler.triggers.cron import CronTrigger

from communities.meetings.tables import LONDON, Meeting, MeetingOffsets, MeetingStatus, derived_dates
from scheduler.job_specs import renewal_trigger
from scheduler.timeline import (
    Renewal,
    StepKind,
    TimelineOffsets,
    in_quiet_hours,
    quiet,
    renewal_for,
    step_of,
    timeline_for,
    wall,
)

K = StepKind


def utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def meeting(
    starts_at: datetime,
    *,
    created_at: datetime | None = None,
    status: MeetingStatus = MeetingStatus.SCHEDULED,
    offsets: MeetingOffsets | None = None,
    ident: int | None = 7,
) -> Meeting:
    deadline, publish_by = derived_dates(starts_at, offsets or MeetingOffsets())
    created = created_at or starts_at - timedelta(days=90)
    return Meeting(
        id=ident,
        community_id=1,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=90),
        status=status,
        submission_deadline=deadline,
        agenda_publish_by=publish_by,
        created_at=created,
        updated_at=created,
    )


def times(steps: list) -> dict[StepKind, datetime]:  # type: ignore[type-arg]
    return {s.kind: s.due for s in steps}


LONG_BEFORE = utc(2026, 6, 1, 12)


def test_the_default_offsets_in_autumn_across_the_change_to_gmt() -> None:
    # Tuesday 10 November 2026, 16:00 GMT. School days (no term dates: weekdays without bank
    # holidays): its deadline, 10 school days before, is Tuesday 27 Oct, after the 25 Oct change;
    # its requests open (Tuesday 13 Oct, 20 school days before) before it.
    steps = timeline_for(meeting(utc(2026, 11, 10, 16)), TimelineOffsets(), LONG_BEFORE)
    expected = {
        K.REQUESTS_OPEN: utc(2026, 10, 13, 8),  # 09:00 BST, 20 school days before
        K.DEADLINE_REMINDER: utc(2026, 10, 22, 8),  # 09:00 BST, 3 school days before the deadline
        K.TRIAGE_REMINDER: utc(2026, 10, 23, 8),  # and the chair's, 2 school days before (Friday)
        K.CUT_OFF: utc(2026, 10, 27, 16),  # the deadline, 16:00 GMT
        K.AGENDA_DUE: utc(2026, 11, 2, 9),  # 09:00, the school day before the agenda is due (Tue 3)
        K.AGENDA_OVERDUE: utc(2026, 11, 3, 16),  # the agenda's due time
        K.MEETING_REMINDER_DAY_BEFORE: utc(2026, 11, 9, 9),
        K.QUORUM_CHECK: utc(2026, 11, 9, 15),  # 15:00 the day before
        K.MEETING_REMINDER_MORNING: utc(2026, 11, 10, 8),
        K.OUTCOMES_DUE: utc(2026, 11, 10, 18),  # 30 minutes after it ends (17:30)
    }
    assert times(steps) == expected
    assert [s.kind for s in steps] == list(expected)  # in time order
    assert all(s.at == s.due for s in steps)
    assert [s.job_id for s in steps][:2] == ["meeting:7:requests_open", "meeting:7:deadline_reminder"]


def test_the_default_offsets_in_spring_across_the_change_to_bst() -> None:
    # Tuesday 30 March 2027, 16:00 BST (15:00 UTC); the clocks go forward on Sunday 28 March.
    # Good Friday (26 March) and Easter Monday (29 March) are bank holidays: no school days.
    steps = timeline_for(meeting(utc(2027, 3, 30, 15)), TimelineOffsets(), LONG_BEFORE)
    assert times(steps) == {
        K.REQUESTS_OPEN: utc(2027, 2, 26, 9),  # 09:00 GMT, 20 school days before
        K.DEADLINE_REMINDER: utc(2027, 3, 9, 9),
        K.TRIAGE_REMINDER: utc(2027, 3, 10, 9),
        K.CUT_OFF: utc(2027, 3, 12, 16),  # the deadline keeps the meeting's 16:00 wall time (GMT)
        K.AGENDA_DUE: utc(2027, 3, 18, 9),
        K.AGENDA_OVERDUE: utc(2027, 3, 19, 16),
        K.MEETING_REMINDER_DAY_BEFORE: utc(2027, 3, 25, 9),  # Thursday, before the Easter weekend
        K.QUORUM_CHECK: utc(2027, 3, 25, 15),
        K.MEETING_REMINDER_MORNING: utc(2027, 3, 30, 7),  # 08:00 BST
        K.OUTCOMES_DUE: utc(2027, 3, 30, 17),  # 18:00 BST, 30 minutes after it ends
    }
    for step in steps:
        assert step.due.astimezone(LONDON).time() in (time(9), time(8), time(15), time(16), time(18))


def test_offsets_are_configurable() -> None:
    offsets = TimelineOffsets(
        requests_open_days=30,
        deadline_reminder_days=1,
        triage_reminder_days=3,
        agenda_due_nudge_days=2,
        requests_open_time=time(10, 30),
        dm_time=time(7, 45),
        day_before_time=time(17, 0),
        quorum_check_time=time(18, 30),
        morning_of_time=time(7, 0),
        outcomes_due_minutes=60,
    )
    steps = timeline_for(meeting(utc(2026, 11, 10, 16)), offsets, LONG_BEFORE)
    assert times(steps) == {
        K.REQUESTS_OPEN: utc(2026, 9, 29, 9, 30),  # 10:30 BST, 30 school days before
        K.DEADLINE_REMINDER: utc(2026, 10, 26, 7, 45),
        K.TRIAGE_REMINDER: utc(2026, 10, 22, 6, 45),  # 07:45 BST
        K.CUT_OFF: utc(2026, 10, 27, 16),
        K.AGENDA_DUE: utc(2026, 10, 30, 7, 45),
        K.AGENDA_OVERDUE: utc(2026, 11, 3, 16),
        K.MEETING_REMINDER_DAY_BEFORE: utc(2026, 11, 9, 17),
        K.QUORUM_CHECK: utc(2026, 11, 9, 18, 30),
        K.MEETING_REMINDER_MORNING: utc(2026, 11, 10, 7),
        K.OUTCOMES_DUE: utc(2026, 11, 10, 18, 30),
    }
    # A quorum check before the day's reminder would come before anyone could answer: none.
    early = timeline_for(
        meeting(utc(2026, 11, 10, 16)), TimelineOffsets(quorum_check_time=time(8)), LONG_BEFORE
    )
    assert step_of(early, K.QUORUM_CHECK) is None


@pytest.mark.parametrize(
    "bad", [{"requests_open_days": -1}, {"grace": timedelta(0)}, {"outcomes_due_minutes": -1}]
)
def test_offsets_are_checked(bad: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        TimelineOffsets(**bad)  # type: ignore[arg-type]


# ---- never 01:00–02:59 local --------------------------------------------------------------------------


def test_a_time_in_the_hour_the_clocks_skip_moves_to_three() -> None:
    # 01:30 on Sunday 28 March 2027 does not exist in London. Only a meeting on that Sunday has a
    # step that day (its morning reminder): the day before is now the school day before.
    offsets = TimelineOffsets(morning_of_time=time(1, 30))
    morning = step_of(
        timeline_for(meeting(utc(2027, 3, 28, 9)), offsets, LONG_BEFORE), K.MEETING_REMINDER_MORNING
    )
    assert morning is not None
    assert morning.due == utc(2027, 3, 28, 2)  # 03:00 BST
    assert morning.due.astimezone(LONDON).time() == time(3)


def test_a_time_in_the_hour_the_clocks_repeat_moves_to_three() -> None:
    # 01:30 on Sunday 25 October 2026 happens twice in London.
    offsets = TimelineOffsets(morning_of_time=time(1, 30))
    morning = step_of(
        timeline_for(meeting(utc(2026, 10, 25, 10)), offsets, LONG_BEFORE), K.MEETING_REMINDER_MORNING
    )
    assert morning is not None
    assert morning.due == utc(2026, 10, 25, 3)  # 03:00 GMT, once


def test_a_deadline_in_the_quiet_hours_cuts_off_at_three() -> None:
    # A meeting at 02:15 London (an odd one) has its deadline at 02:15: the cut-off runs at 03:00.
    steps = timeline_for(meeting(utc(2026, 12, 10, 2, 15)), TimelineOffsets(), LONG_BEFORE)
    cut_off = step_of(steps, K.CUT_OFF)
    assert cut_off is not None and cut_off.due == utc(2026, 11, 26, 3)  # 10 school days before


def test_quiet_and_wall() -> None:
    assert quiet(utc(2026, 7, 1, 0, 30)) == utc(2026, 7, 1, 2)  # 01:30 BST -> 03:00 BST
    assert quiet(utc(2026, 7, 1, 1, 59)) == utc(2026, 7, 1, 2)  # 02:59 BST -> 03:00 BST
    assert quiet(utc(2026, 7, 1, 2)) == utc(2026, 7, 1, 2)  # 03:00 BST stays
    assert quiet(utc(2026, 7, 1, 23, 59)) == utc(2026, 7, 1, 23, 59)  # 00:59 BST stays
    assert quiet(utc(2026, 10, 25, 1, 30)) == utc(2026, 10, 25, 3)  # 01:30 GMT, the repeat -> 03:00 GMT
    assert wall(datetime(2027, 3, 28).date(), time(2, 30)) == utc(2027, 3, 28, 2)
    assert wall(datetime(2026, 10, 25).date(), time(9)) == utc(2026, 10, 25, 9)
    assert wall(datetime(2026, 10, 24).date(), time(9)) == utc(2026, 10, 24, 8)


def test_no_step_ever_falls_in_the_quiet_hours() -> None:
    """Every start time of a day, every 15 minutes, through both clock changes, with offsets
    that aim at the quiet hours: nothing is scheduled from 01:00 to 02:59."""
    offsets = TimelineOffsets(
        requests_open_time=time(1, 0),
        dm_time=time(2, 59),
        day_before_time=time(1, 45),
        quorum_check_time=time(2, 30),
        morning_of_time=time(2, 0),
    )
    checked = 0
    for first in (datetime(2026, 10, 22, tzinfo=LONDON), datetime(2027, 3, 25, tzinfo=LONDON)):
        for quarter in range(0, 6 * 24 * 4):
            start = (first + timedelta(minutes=15 * quarter)).astimezone(UTC)
            for step in timeline_for(meeting(start), offsets, LONG_BEFORE):
                assert not in_quiet_hours(step.due), (start, step)
                assert not in_quiet_hours(step.at), (start, step)
                checked += 1
    assert checked > 5_000


# ---- what applies when ------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [MeetingStatus.CANCELLED, MeetingStatus.HELD, MeetingStatus.POSTPONED])
def test_a_meeting_not_going_ahead_has_no_steps(status: MeetingStatus) -> None:
    assert timeline_for(meeting(utc(2026, 11, 10, 16), status=status), TimelineOffsets(), LONG_BEFORE) == []


def test_an_unsaved_meeting_has_no_steps() -> None:
    assert timeline_for(meeting(utc(2026, 11, 10, 16), ident=None), TimelineOffsets(), LONG_BEFORE) == []


def test_requests_open_when_the_meeting_is_added_if_that_is_later() -> None:
    added = utc(2026, 11, 12, 14, 10)
    m = meeting(utc(2026, 11, 26, 15, 45), created_at=added)  # 14 days ahead: 20 days before has passed
    opens = step_of(timeline_for(m, TimelineOffsets(), added), K.REQUESTS_OPEN)
    assert opens is not None
    assert opens.due == added and opens.at == added
    assert opens.expires == m.submission_deadline


def test_requests_open_at_once_if_their_time_has_passed_while_requests_are_open() -> None:
    m = meeting(utc(2026, 11, 10, 16))
    later = utc(2026, 10, 20, 13, 5)  # the bot was down from 13 to 20 October
    opens = step_of(timeline_for(m, TimelineOffsets(), later), K.REQUESTS_OPEN)
    assert opens is not None
    assert opens.due == utc(2026, 10, 13, 8)  # still named by when it fell
    assert opens.at == later
    # Back on Sunday 25 October: the channel post waits for Monday at 09:00 (a school day).
    sunday = step_of(timeline_for(m, TimelineOffsets(), utc(2026, 10, 25, 13, 5)), K.REQUESTS_OPEN)
    assert sunday is not None and sunday.at == utc(2026, 10, 26, 9)
    at_night = step_of(timeline_for(m, TimelineOffsets(), utc(2026, 10, 26, 1, 20)), K.REQUESTS_OPEN)
    assert at_night is not None and at_night.at == utc(2026, 10, 26, 3)  # not at 01:20: at 03:00
    assert step_of(timeline_for(m, TimelineOffsets(), utc(2026, 10, 31, 16)), K.REQUESTS_OPEN) is None


def test_how_long_each_step_may_still_run() -> None:
    m = meeting(utc(2026, 11, 10, 16))
    steps = {s.kind: s for s in timeline_for(m, TimelineOffsets(), LONG_BEFORE)}
    six = timedelta(hours=6)
    assert steps[K.REQUESTS_OPEN].expires == m.submission_deadline
    assert steps[K.DEADLINE_REMINDER].grace == six
    # The chair needs the draft agenda until the agenda is due: the cut-off catches up until then.
    assert steps[K.CUT_OFF].expires == m.agenda_publish_by
    assert steps[K.AGENDA_DUE].grace == six
    assert steps[K.MEETING_REMINDER_DAY_BEFORE].grace == six
    assert steps[K.MEETING_REMINDER_MORNING].expires == utc(2026, 11, 10, 14)
    assert steps[K.MEETING_REMINDER_MORNING].pending(utc(2026, 11, 10, 14))
    assert not steps[K.MEETING_REMINDER_MORNING].pending(utc(2026, 11, 10, 14, 1))


def test_an_early_meeting_is_reminded_an_hour_before_on_the_day() -> None:
    steps = timeline_for(meeting(utc(2026, 12, 2, 8, 15)), TimelineOffsets(), LONG_BEFORE)  # 08:15 GMT
    morning = step_of(steps, K.MEETING_REMINDER_MORNING)
    assert morning is not None and morning.due == utc(2026, 12, 2, 7, 15)
    assert morning.expires == utc(2026, 12, 2, 8, 15)


# ---- the declarations renewal ---------------------------------------------------------------------------


def test_the_renewal_starts_on_1_september_at_nine_and_repeats_weekly_at_nine_local() -> None:
    renewal = renewal_for(2026, TimelineOffsets())
    assert renewal.job_id == "declarations:renewal:2026"
    assert renewal.first == utc(2026, 9, 1, 8)  # Tuesday 1 September 2026, 09:00 BST
    assert renewal.cron_day_of_week == "tue"
    weeks = renewal.occurrences(renewal.first, renewal.until)
    assert len(weeks) == 53  # 1 September 2026 and 31 August 2027 are both Tuesdays
    assert weeks[:2] == [utc(2026, 9, 1, 8), utc(2026, 9, 8, 8)]
    assert utc(2026, 10, 20, 8) in weeks and utc(2026, 10, 27, 9) in weeks  # across the change to GMT
    assert utc(2027, 3, 23, 9) in weeks and utc(2027, 3, 30, 8) in weeks  # and back to BST
    assert weeks[-1] == utc(2027, 8, 31, 8)
    assert all(w.astimezone(LONDON).time() == time(9) for w in weeks)
    assert renewal.latest(utc(2026, 9, 1, 7, 59)) is None
    assert renewal.latest(utc(2026, 9, 1, 8)) == utc(2026, 9, 1, 8)
    assert renewal.latest(utc(2026, 10, 27, 8, 59)) == utc(2026, 10, 20, 8)
    assert renewal.latest(utc(2026, 10, 27, 9)) == utc(2026, 10, 27, 9)


def test_the_renewal_trigger_fires_exactly_at_the_renewal_times() -> None:
    """APScheduler's CronTrigger, as the service builds it, agrees with the pure rule all year."""
    renewal: Renewal = renewal_for(2026, TimelineOffsets())
    trigger: CronTrigger = renewal_trigger(renewal)
    fired: list[datetime] = []
    at = trigger.get_next_fire_time(None, renewal.first.astimezone(LONDON))
    while at is not None:
        fired.append(at.astimezone(UTC))
        at = trigger.get_next_fire_time(at, at)
    assert fired == renewal.occurrences(renewal.first, renewal.until)


def test_a_renewal_time_in_the_quiet_hours_moves_to_three() -> None:
    renewal = renewal_for(2026, TimelineOffsets(renewal_time=time(2, 0)))
    assert renewal.local_time == time(3)
    assert renewal.first == utc(2026, 9, 1, 2)
