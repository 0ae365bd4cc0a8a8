"""A meeting's timeline: which automatic messages it gets, and when. Pure: no I/O, no clock.

The meeting row is the source of truth; the scheduler derives its jobs from :func:`timeline_for`
and derives them again whenever the meeting changes, so nothing here is stored.

Local times are London wall-clock times (or the configured zone's): "09:00 the day before" is
built as a local date and time and only then turned into UTC, so it stays 09:00 across a clock
change. Nothing is ever scheduled between 01:00 and 02:59 local time: in spring that hour does
not exist, in autumn it happens twice (a cron trigger there fires twice or at 02:30; tech.md §5),
so a time that falls there moves to 03:00 the same local day.

School days (:mod:`communities.school_days`, with the loaded term dates): the offsets count
school days by default, and a step that falls on a weekend, a bank holiday or in a holiday moves
to the school day before it, at the same local time. So nothing is posted to a channel on a day
that is not a school day, except the morning-of reminder of a meeting that really is on that
day. A step that catches up (requests open after downtime) waits for the next school day, and
the outcomes reminder after a meeting held on such a day waits for the next school day.

Each step has three instants:

* ``due``: when it falls. With the job id it names the step's one run (the scheduler records
  ``(job_id, due)`` when it ran, so a restart or a second replica never runs it again).
* ``at``: when to run it: ``due``, except that "requests open" runs at once when its time has
  passed (the meeting was added late, or the bot was down) as long as requests are still open.
* ``expires``: after this it is no longer worth doing (a day-before reminder on the day itself
  is noise; a cut-off is still needed until the agenda is due). The job's misfire grace is
  ``expires - at``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum

from communities.academic_year import academic_year_start
from communities.meetings.tables import LONDON, Meeting, MeetingStatus
from communities.school_days import NO_TERMS, SchoolCalendar

#: The local hours no job is scheduled in: [01:00, 03:00).
QUIET_START = time(1, 0)
QUIET_END = time(3, 0)

_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class StepKind(StrEnum):
    REQUESTS_OPEN = "requests_open"
    DEADLINE_REMINDER = "deadline_reminder"
    TRIAGE_REMINDER = "triage_reminder"
    CUT_OFF = "cut_off"
    AGENDA_DUE = "agenda_due"
    AGENDA_OVERDUE = "agenda_overdue"
    MEETING_REMINDER_DAY_BEFORE = "meeting_reminder_day_before"
    QUORUM_CHECK = "quorum_check"
    MEETING_REMINDER_MORNING = "meeting_reminder_morning"
    OUTCOMES_DUE = "outcomes_due"

    @property
    def description(self) -> str:
        """What the step does, for ``cosbot jobs``."""
        return _DESCRIPTIONS[self]


_DESCRIPTIONS = {
    StepKind.REQUESTS_OPEN: "requests open: channel post with a Raise a request button",
    StepKind.DEADLINE_REMINDER: "deadline reminder: DM to the staff of schools with unsubmitted drafts",
    StepKind.TRIAGE_REMINDER: "triage reminder: DM to the chair if submitted requests wait for review",
    StepKind.CUT_OFF: "cut-off: the draft agenda to the chair by DM",
    StepKind.AGENDA_DUE: "agenda due: DM to the chair if the agenda is not published",
    StepKind.AGENDA_OVERDUE: "agenda overdue: DM to the officers if the agenda is still not published",
    StepKind.MEETING_REMINDER_DAY_BEFORE: "meeting reminder, the day before: channel post",
    StepKind.QUORUM_CHECK: "quorum check, the day before: DM to the chair if quorum is not met",
    StepKind.MEETING_REMINDER_MORNING: "meeting reminder, the morning of: channel post",
    StepKind.OUTCOMES_DUE: "outcomes due: DM to the chair and vice chair to record the outcomes",
}


@dataclass(frozen=True)
class TimelineOffsets:
    """When each step falls (defaults from issue 5; every one configurable).

    Days count school days (``school_days``, the default) or local calendar days; times are
    local wall-clock times.
    """

    requests_open_days: int = 20
    deadline_reminder_days: int = 3
    #: The chair's reminder of requests still waiting for review, before requests close.
    triage_reminder_days: int = 2
    agenda_due_nudge_days: int = 1
    #: The reminder to an agreed action's owner, days before it is due (the daily follow-up job).
    action_reminder_days: int = 3
    #: The "requests open" channel post, 20 days before the meeting.
    requests_open_time: time = time(9, 0)
    #: Direct messages: the deadline reminder and the agenda nudge.
    dm_time: time = time(9, 0)
    day_before_time: time = time(9, 0)
    #: The day before, after members have had the day's reminder to answer.
    quorum_check_time: time = time(15, 0)
    morning_of_time: time = time(8, 0)
    #: The weekly declarations renewal, from 1 September.
    renewal_time: time = time(9, 0)
    #: How late a reminder may still go out after downtime (see :func:`timeline_for`).
    grace: timedelta = timedelta(hours=6)
    #: After the meeting ends, the chair and vice chair are asked to record its outcomes.
    outcomes_due_minutes: int = 30
    #: Count the days in school days (else calendar days); either way a step due on a day that is
    #: not a school day moves to the school day before it.
    school_days: bool = True

    def __post_init__(self) -> None:
        days = (
            self.requests_open_days,
            self.deadline_reminder_days,
            self.triage_reminder_days,
            self.agenda_due_nudge_days,
            self.action_reminder_days,
        )
        if any(d < 0 for d in days):
            raise ValueError("timeline offsets are days before an event: zero or more")
        if self.outcomes_due_minutes < 0:
            raise ValueError("the outcomes reminder comes after the meeting ends: zero minutes or more")
        times = (
            self.requests_open_time,
            self.dm_time,
            self.day_before_time,
            self.quorum_check_time,
            self.morning_of_time,
            self.renewal_time,
        )
        if any(t.tzinfo is not None for t in times):
            raise ValueError("timeline times are local wall-clock times, without a zone")
        if self.grace <= timedelta(0):
            raise ValueError("the grace period must be positive")


@dataclass(frozen=True)
class Step:
    kind: StepKind
    meeting_id: int
    #: When the step falls (aware, UTC); with ``job_id`` it names the step's one run.
    due: datetime
    #: When to run it (aware, UTC): ``due``, or "now" for a step that catches up.
    at: datetime
    #: The last moment it is worth running (aware, UTC).
    expires: datetime

    @property
    def job_id(self) -> str:
        return job_id_for(self.meeting_id, self.kind)

    @property
    def grace(self) -> timedelta:
        """The job's misfire grace: how long after ``at`` it may still run."""
        return max(self.expires - self.at, timedelta(seconds=1))

    def pending(self, now: datetime) -> bool:
        """Still to run at ``now``: not expired (whether it ran already is the store's to say)."""
        return now <= self.expires


def job_id_for(meeting_id: int, kind: StepKind | str) -> str:
    return f"meeting:{meeting_id}:{StepKind(kind).value}"


def meeting_job_prefix(meeting_id: int) -> str:
    return f"meeting:{meeting_id}:"


def timeline_for(
    meeting: Meeting,
    offsets: TimelineOffsets,
    now: datetime,
    zone: tzinfo = LONDON,
    calendar: SchoolCalendar | None = None,
) -> list[Step]:
    """The meeting's steps in time order; none for a meeting that is not going ahead.

    Only a scheduled meeting has steps: a cancelled or held one has none, and a postponed one
    has none until it gets a date again (moving it makes it scheduled). ``calendar``: the loaded
    term dates (None: school days are weekdays without bank holidays).
    """
    school = calendar or NO_TERMS

    def before(day: date, count: int, local_time: time) -> datetime:
        """``count`` days before ``day`` (school or calendar days), on a school day, at the time."""
        back = school.add_school_days(day, -count) if offsets.school_days else day - timedelta(days=count)
        return wall(school.previous_school_day(back), local_time, zone)

    def from_school_day(moment: datetime, local_time: time) -> datetime:
        """``moment`` if it is on a school day, else the next school day at ``local_time``."""
        day = moment.astimezone(zone).date()
        later = school.next_school_day(day)
        return moment if later == day else wall(later, local_time, zone)

    if meeting.id is None or meeting.status != MeetingStatus.SCHEDULED:
        return []
    _aware(now, "now")
    ident = meeting.id
    start = meeting.starts_at.astimezone(UTC)
    deadline = quiet(meeting.submission_deadline, zone)
    publish_by = quiet(meeting.agenda_publish_by, zone)
    start_day = start.astimezone(zone).date()
    grace = offsets.grace
    steps: list[Step] = []

    def add(kind: StepKind, due: datetime, expires: datetime, at: datetime | None = None) -> None:
        run = at if at is not None else due
        if run < expires:
            steps.append(Step(kind, ident, due, run, expires))

    # Requests open: 20 days before (at the local time), or when the meeting was added if later;
    # if that has passed, at once, for as long as requests are open.
    opens = before(start_day, offsets.requests_open_days, offsets.requests_open_time)
    opens = max(opens, from_school_day(quiet(meeting.created_at, zone), offsets.requests_open_time))
    catch_up = from_school_day(quiet(now, zone), offsets.requests_open_time)
    add(StepKind.REQUESTS_OPEN, opens, deadline, at=max(opens, catch_up))

    deadline_day = meeting.submission_deadline.astimezone(zone).date()
    reminder = before(deadline_day, offsets.deadline_reminder_days, offsets.dm_time)
    add(StepKind.DEADLINE_REMINDER, reminder, min(reminder + grace, deadline))
    triage = before(deadline_day, offsets.triage_reminder_days, offsets.dm_time)
    add(StepKind.TRIAGE_REMINDER, triage, min(triage + grace, deadline))

    # The cut-off catches up until the agenda is due: the chair needs the draft to prepare it.
    add(StepKind.CUT_OFF, deadline, max(publish_by, deadline + grace))

    publish_day = meeting.agenda_publish_by.astimezone(zone).date()
    nudge = before(publish_day, offsets.agenda_due_nudge_days, offsets.dm_time)
    if nudge > deadline:  # no nudge about an agenda whose requests are not even closed
        add(StepKind.AGENDA_DUE, nudge, min(nudge + grace, publish_by))
    add(StepKind.AGENDA_OVERDUE, publish_by, min(publish_by + grace, start))

    # The day before: the school day before the meeting's day (a Monday meeting's is on Friday).
    day_before = before(start_day, 1, offsets.day_before_time)
    morning = wall(start_day, offsets.morning_of_time, zone)
    if morning > start - timedelta(minutes=30):  # an early meeting: an hour before it instead
        morning = quiet(start - timedelta(hours=1), zone)
    has_morning = day_before < morning < start
    add(
        StepKind.MEETING_REMINDER_DAY_BEFORE,
        day_before,
        min(day_before + grace, morning if has_morning else start),
    )
    quorum = before(start_day, 1, offsets.quorum_check_time)
    if day_before < quorum < start:
        add(StepKind.QUORUM_CHECK, quorum, min(quorum + grace, start))
    if has_morning:
        add(StepKind.MEETING_REMINDER_MORNING, morning, min(morning + grace, start))

    # After the meeting: the chair and vice chair are asked to record its outcomes.
    outcomes = quiet(meeting.ends_at.astimezone(UTC) + timedelta(minutes=offsets.outcomes_due_minutes), zone)
    outcomes = from_school_day(outcomes, offsets.dm_time)
    add(StepKind.OUTCOMES_DUE, outcomes, outcomes + grace)
    steps.sort(key=lambda s: (s.at, s.due))
    return steps


def step_of(steps: list[Step], kind: StepKind | str) -> Step | None:
    return next((s for s in steps if s.kind == StepKind(kind)), None)


# ---- the declarations renewal -------------------------------------------------------------------


@dataclass(frozen=True)
class Renewal:
    """Weekly DMs to members who have not confirmed their declarations for ``academic_year``:
    from 1 September at the renewal time, every week on that weekday, until the next 1 September.
    """

    academic_year: int
    #: The first reminder (aware, UTC).
    first: datetime
    #: The academic year's end (aware, UTC): no reminder from then on.
    until: datetime
    #: Weekday of the reminders (Monday is 0) and their local time.
    weekday: int
    local_time: time
    zone: tzinfo

    @property
    def job_id(self) -> str:
        return renewal_job_id(self.academic_year)

    @property
    def cron_day_of_week(self) -> str:
        return _WEEKDAYS[self.weekday]

    def occurrences(self, start: datetime, end: datetime) -> list[datetime]:
        """The reminders in [start, end), aware UTC, each at the local time of its own day."""
        found: list[datetime] = []
        first_day = self.first.astimezone(self.zone).date()
        week = 0
        while True:
            at = wall(first_day + timedelta(weeks=week), self.local_time, self.zone)
            if at >= end or at >= self.until:
                return found
            if at >= start:
                found.append(at)
            week += 1

    def latest(self, now: datetime) -> datetime | None:
        """The last reminder at or before ``now`` (None before the first)."""
        if now < self.first:
            return None
        days = (now.astimezone(self.zone).date() - self.first.astimezone(self.zone).date()).days
        week = days // 7
        for back in (week, week - 1):
            if back < 0:
                continue
            at = wall(
                self.first.astimezone(self.zone).date() + timedelta(weeks=back), self.local_time, self.zone
            )
            if at <= now and at < self.until:
                return at
        return None


def renewal_job_id(academic_year: int) -> str:
    return f"declarations:renewal:{academic_year}"


def renewal_for(academic_year: int, offsets: TimelineOffsets, zone: tzinfo = LONDON) -> Renewal:
    """The renewal reminders of an academic year (which starts on 1 September)."""
    first_day = academic_year_start(academic_year, zone).astimezone(zone).date()
    local_time = quiet_time(offsets.renewal_time)
    return Renewal(
        academic_year=academic_year,
        first=wall(first_day, local_time, zone),
        until=academic_year_start(academic_year + 1, zone),
        weekday=first_day.weekday(),
        local_time=local_time,
        zone=zone,
    )


# ---- local wall-clock times -------------------------------------------------------------------------


def quiet_time(local_time: time) -> time:
    """A local time moved out of 01:00–02:59 (to 03:00)."""
    return QUIET_END if QUIET_START <= local_time.replace(tzinfo=None) < QUIET_END else local_time


def wall(day: date, local_time: time, zone: tzinfo = LONDON) -> datetime:
    """``local_time`` on ``day`` in ``zone`` (moved out of 01:00–02:59), as an aware UTC instant.

    Outside the quiet hours London has no gap or fold, so the time exists exactly once. (In a zone
    that changes its clocks at another hour, a time in its gap comes out an hour later.)
    """
    naive = datetime.combine(day, quiet_time(local_time))
    return naive.replace(tzinfo=zone, fold=0).astimezone(UTC)


def quiet(instant: datetime, zone: tzinfo = LONDON) -> datetime:
    """An aware instant, moved to 03:00 local the same day if it falls in 01:00–02:59 local."""
    _aware(instant, "instant")
    local = instant.astimezone(zone)
    if QUIET_START <= local.time() < QUIET_END:
        return wall(local.date(), QUIET_END, zone)
    return instant.astimezone(UTC)


def in_quiet_hours(instant: datetime, zone: tzinfo = LONDON) -> bool:
    return QUIET_START <= instant.astimezone(zone).time() < QUIET_END


def _aware(moment: datetime, name: str) -> None:
    if moment.tzinfo is None:
        raise ValueError(f"{name} must be timezone-aware")
