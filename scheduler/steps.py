"""What each step of a meeting's timeline sends, and to whom (through :mod:`communities.messaging.notices`).

Every step calls the domain directly: the cut-off builds the draft agenda and sends the chair its
review copy, the reminders are the RSVP card with the answers so far, the day before runs the
quorum check, and the agenda nudges ask the agendas whether it is published. Messages are keyed
``timeline:{meeting}:{kind}:{sequence}[:{person}]``. Channel posts never carry pupil detail: they
are built from the meeting alone.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from cards.agenda_cards import chair_agenda_cards
from cards.meetings.rsvp import reminder_post
from cards.meetings.timeline import (
    MeetingSummary,
    RequestLine,
    agenda_due_text,
    agenda_overdue_text,
    deadline_reminder_card,
    deadline_reminder_summary,
    requests_open_card,
    triage_reminder_card,
    unreachable_chair_text,
)
from cards.outcomes.recording import RequestLine as OutcomeLine
from cards.outcomes.recording import outcomes_due_card
from communities.agendas import view as agenda_view
from communities.agendas.access import build_draft
from communities.agendas.tables import Agenda, AgendaStatus
from communities.clock import Clock
from communities.meetings import reminder_posts
from communities.meetings.audiences import (
    meeting_chair,
    to_chair_or_officers,
    to_officers,
    unsubmitted_by_staff,
    waiting_for_review,
)
from communities.meetings.quorum import notify_if_not_quorate
from communities.meetings.rsvp import QuorumRule
from communities.meetings.tables import LONDON, Meeting, date_text, local, when_text, where_text
from communities.messaging import notices
from communities.messaging.outbox import Outbox, OutgoingMessage
from communities.outcomes.due import outcomes_to_record, to_chair_and_vice_or_officers
from communities.roster.tables import Community, Person
from communities.school_days import NO_TERMS, SchoolCalendar
from communities.wording import counted
from scheduler.timeline import Step, StepKind

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StepContext:
    """A step about to run: the meeting, its community and step (``step.at``: when it runs), the
    meeting in words, and what the step sends with."""

    meeting: Meeting
    community: Community
    step: Step
    summary: MeetingSummary
    clock: Clock
    outbox: Outbox
    quorum_rule: QuorumRule
    bot_app_id: str
    #: The loaded term dates: nothing is posted to a channel on a day that is not a school day.
    calendar: SchoolCalendar = NO_TERMS

    @property
    def meeting_id(self) -> int:
        assert self.meeting.id is not None
        return self.meeting.id

    @property
    def key(self) -> str:
        """The step's messages' idempotency key (a person's DM appends ``:{person_id}``)."""
        return f"timeline:{self.meeting.id}:{self.step.kind.value}:{self.meeting.sequence}"


def summary_of(meeting: Meeting, community: Community) -> MeetingSummary:
    return MeetingSummary(
        code=community.code,
        community_name=community.name,
        when=when_text(meeting),
        where=where_text(meeting.location, meeting.online),
        join_url=meeting.join_url if meeting.online else None,
        deadline=date_text(meeting.submission_deadline),
        publish_by=date_text(meeting.agenda_publish_by),
    )


async def run_step(session: AsyncSession, ctx: StepContext) -> int:
    """Queue the step's messages (the caller records the run and commits); how many were queued."""
    return await _STEPS[ctx.step.kind](session, ctx)


async def _tell(session: AsyncSession, ctx: StepContext, notice: notices.Notice) -> int:
    told = await notices.tell(session, ctx.outbox, notice)
    if not told.anyone:
        log.info("%s: nobody could be reached; nothing sent", ctx.step.job_id)
    return len(told.rows)


async def _post_to_channel(session: AsyncSession, ctx: StepContext, message: OutgoingMessage) -> int:
    """Post to the community's channel on a school day; on another day only the reminder of a
    meeting that is on that very day goes out (the timeline plans none otherwise: a safety net)."""
    today = ctx.clock.now().astimezone(LONDON).date()
    meeting_today = local(ctx.meeting.starts_at).date() == today
    if not ctx.calendar.is_school_day(today) and not (
        meeting_today and ctx.step.kind is StepKind.MEETING_REMINDER_MORNING
    ):
        log.info("%s: not a school day; nothing posted to the channel", ctx.step.job_id)
        return 0
    channel = notices.CommunityChannel(ctx.meeting.community_id)
    notice = notices.Notice.to(channel, ctx.key, message, batch_key=f"timeline:{ctx.meeting.id}")
    return await _tell(session, ctx, notice)


async def _requests_open(session: AsyncSession, ctx: StepContext) -> int:
    summary = f"Requests are open for the {ctx.community.code} meeting on {ctx.summary.when}"
    card = requests_open_card(ctx.summary, ctx.bot_app_id)
    return await _post_to_channel(session, ctx, OutgoingMessage(card=card, summary=summary))


async def _meeting_reminder(session: AsyncSession, ctx: StepContext) -> int:
    """The RSVP card with the answers so far. "Tomorrow" or "Today" is told from when it is posted: a
    day-before reminder run after midnight (the bot was down) says "Today", as every later update does."""
    posted_at = max(ctx.step.at, ctx.clock.now())
    message = await reminder_posts.reminder_message(
        session, ctx.meeting_id, posted_at, reminder_post, ctx.quorum_rule
    )
    if message is None:
        raise LookupError(f"meeting {ctx.meeting.id} is gone")
    return await _post_to_channel(session, ctx, message)


async def _deadline_reminder(session: AsyncSession, ctx: StepContext) -> int:
    """One DM per school leader or SENCO, listing their schools' requests not yet submitted."""
    queued = 0
    for person_id, drafts in (await unsubmitted_by_staff(session, ctx.meeting.community_id)).items():
        lines = [RequestLine(request.ref, school, status) for request, school, status in drafts]
        message = OutgoingMessage(
            card=deadline_reminder_card(ctx.summary, lines), summary=deadline_reminder_summary(lines)
        )
        queued += await _tell(session, ctx, notices.Notice.to(notices.People.of(person_id), ctx.key, message))
    return queued


async def _triage_reminder(session: AsyncSession, ctx: StepContext) -> int:
    """Before requests close, DM the chair the submitted requests still waiting for their review."""
    waiting = await waiting_for_review(session, ctx.meeting.community_id)
    if not waiting:
        return 0
    lines = [RequestLine(request.ref, school, submitted) for request, school, submitted in waiting]
    summary = f"{counted(len(lines), 'request')} waiting for your review before requests close"
    message = OutgoingMessage(card=triage_reminder_card(ctx.summary, lines), summary=summary)
    passed_on = unreachable_chair_text(ctx.summary, f"{summary.capitalize()}.")
    notice = await to_chair_or_officers(session, ctx.meeting, ctx.key, [message], passed_on)
    return await _tell(session, ctx, notice)


async def _cut_off(session: AsyncSession, ctx: StepContext) -> int:
    """Build the meeting's draft agenda and send the chair their review copy (its parts)."""
    await build_draft(session, ctx.clock, ctx.meeting_id)
    view = await agenda_view.view(session, meeting_id=ctx.meeting_id)
    summary = f"Requests have closed: the draft agenda for {view.title} is ready for you to review"
    parts = [OutgoingMessage(card=part, summary=summary) for part in chair_agenda_cards(view)]
    passed_on = unreachable_chair_text(ctx.summary, "Requests have closed for its next meeting.")
    return await _tell(
        session, ctx, await to_chair_or_officers(session, ctx.meeting, ctx.key, parts, passed_on)
    )


async def _agenda_due(session: AsyncSession, ctx: StepContext) -> int:
    if await agenda_is_published(session, ctx.meeting_id):
        return 0
    message = OutgoingMessage(text=agenda_due_text(ctx.summary))
    passed_on = unreachable_chair_text(ctx.summary, "Its agenda is due and not published yet.")
    notice = await to_chair_or_officers(session, ctx.meeting, ctx.key, [message], passed_on)
    return await _tell(session, ctx, notice)


async def _agenda_overdue(session: AsyncSession, ctx: StepContext) -> int:
    if await agenda_is_published(session, ctx.meeting_id):
        return 0
    chair_id = await meeting_chair(session, ctx.meeting)
    chair = await session.get(Person, chair_id) if chair_id is not None else None
    message = OutgoingMessage(text=agenda_overdue_text(ctx.summary, chair.display_name if chair else None))
    return await _tell(session, ctx, to_officers(ctx.key, message))


async def _quorum_check(session: AsyncSession, ctx: StepContext) -> int:
    """The day before: DM the chair when quorum is not met; how many were told."""
    check = await notify_if_not_quorate(session, ctx.clock, ctx.outbox, ctx.meeting_id, ctx.quorum_rule)
    return len(check.told) if check else 0


async def agenda_is_published(session: AsyncSession, meeting_id: int) -> bool:
    agenda = (await session.exec(select(Agenda).where(Agenda.meeting_id == meeting_id))).first()
    return agenda is not None and AgendaStatus(agenda.status) is AgendaStatus.PUBLISHED


async def _outcomes_due(session: AsyncSession, ctx: StepContext) -> int:
    """After the meeting: the chair and vice chair (else the officers) are asked to record its outcomes,
    with the agenda's requests and the reviews due; nothing when there is neither."""
    items, reviews = await outcomes_to_record(session, ctx.meeting)
    if not items and not reviews:
        return 0
    card = outcomes_due_card(
        ctx.summary,
        ctx.meeting_id,
        [OutcomeLine(ref, school) for ref, school in items],
        [OutcomeLine(ref, school) for ref, school in reviews],
    )
    summary = f"Record the outcomes of {ctx.community.name} ({ctx.community.code}), {ctx.summary.when}"
    message = OutgoingMessage(card=card, summary=summary)
    passed_on = unreachable_chair_text(
        ctx.summary, "Its meeting has ended and its outcomes are to be recorded."
    )
    notice = await to_chair_and_vice_or_officers(session, ctx.meeting, ctx.key, message, passed_on)
    return await _tell(session, ctx, notice)


_STEPS: dict[StepKind, Callable[[AsyncSession, StepContext], Awaitable[int]]] = {
    StepKind.REQUESTS_OPEN: _requests_open,
    StepKind.DEADLINE_REMINDER: _deadline_reminder,
    StepKind.TRIAGE_REMINDER: _triage_reminder,
    StepKind.CUT_OFF: _cut_off,
    StepKind.AGENDA_DUE: _agenda_due,
    StepKind.AGENDA_OVERDUE: _agenda_overdue,
    StepKind.MEETING_REMINDER_DAY_BEFORE: _meeting_reminder,
    StepKind.QUORUM_CHECK: _quorum_check,
    StepKind.MEETING_REMINDER_MORNING: _meeting_reminder,
    StepKind.OUTCOMES_DUE: _outcomes_due,
}
