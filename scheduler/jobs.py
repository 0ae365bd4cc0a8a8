"""The scheduler's jobs: module-level coroutines that APScheduler stores by reference.

A persistent job store pickles a job as "module:function" plus its arguments, so the jobs are
plain functions here with primitive arguments (a meeting id, an academic year). What they need
(database, clock, outbox, renderers) is the :class:`Runtime` the service installs at start: a
module-level registry, since a pickled reference cannot carry objects.

Every meeting job does the same:

1. re-read the meeting and derive its timeline again, now. If the meeting was cancelled, or
   moved so that the step is not due yet, it does nothing: the service re-derives the jobs on
   every change (and its sweep every few minutes), and the re-derived job runs at the new time;
2. skip a step already recorded in ``timeline_run`` (it ran before a restart, or elsewhere);
3. queue its messages through the outbox, keyed ``timeline:{meeting}:{kind}:{sequence}[:{person}]``,
   and record the run, in one transaction. The unique ``(job_id, due_at)`` of the run makes a
   second runner fail and roll back: a step never fires twice in effect.

Channel posts never carry pupil detail: they are built from the meeting alone.
"""

from __future__ import annotations

import logging
import os
import socket
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from cards.timeline_cards import (
    DAY_BEFORE,
    MORNING,
    MeetingSummary,
    RequestLine,
    agenda_due_text,
    agenda_overdue_text,
    cut_off_text,
    deadline_reminder_card,
    deadline_reminder_summary,
    meeting_reminder_card,
    renewal_card,
    requests_open_card,
    unreachable_chair_text,
)
from communities.academic_year import academic_year_label
from communities.clock import Clock
from communities.db import Database
from communities.declarations.conflict_facts import community_member_facts
from communities.declarations.tables import DeclarationConfirmation
from communities.meetings.service import current_chair
from communities.meetings.tables import LONDON, Meeting, date_text, when_text, where_text
from communities.messaging.outbox import Outbox, OutgoingMessage
from communities.messaging.teams_links import ChannelLink, PersonalChat
from communities.requests.lifecycle import RequestStatus
from communities.requests.tables import Request
from communities.roster.directory import people_with_role
from communities.roster.roles import SCHOOL_ROLES, Role
from communities.roster.tables import Community, Membership, Person, School
from scheduler.tables import TimelineRun
from scheduler.timeline import Step, StepKind, TimelineOffsets, renewal_for, step_of, timeline_for

log = logging.getLogger(__name__)

#: A job may start this much before its step's time (clocks of replicas, timer jitter).
EARLY = timedelta(seconds=60)
#: The sweeper's job id and function.
SWEEP_JOB_ID = "scheduler:sweep"
SWEEP_FUNC = f"{__name__}:sweep"
RENEWAL_FUNC = f"{__name__}:declarations_renewal"

#: Requests a deadline reminder is about: started, or returned, and not (re)submitted.
UNSUBMITTED = (RequestStatus.DRAFT, RequestStatus.RETURNED_FOR_INFO)


def func_ref(kind: StepKind) -> str:
    """The textual reference APScheduler stores for a meeting step's job."""
    return f"{__name__}:{StepKind(kind).value}"


# ---- the runtime the service installs ----------------------------------------------------------


@dataclass(frozen=True)
class StepContext:
    """What a renderer gets: the meeting, its community and step (``step.at``: when it runs), the
    meeting in words, and the clock and outbox for one that calls into the domain."""

    meeting: Meeting
    community: Community
    step: Step
    summary: MeetingSummary
    bot_app_id: str
    clock: Clock
    outbox: Outbox


#: Builds a channel post (requests open, a meeting reminder) in the job's transaction.
Renderer = Callable[[AsyncSession, StepContext], Awaitable[OutgoingMessage]]
#: Builds the chair's DM at the cut-off: one message, or several (a long agenda's parts).
CutOffRenderer = Callable[[AsyncSession, StepContext], Awaitable[OutgoingMessage | Sequence[OutgoingMessage]]]
#: Whether the meeting's agenda is published; None when there is no way to know.
AgendaPublished = Callable[[AsyncSession, int], Awaitable[bool | None]]
#: The day before the meeting: tell the chair if quorum is not met; the number of DMs queued.
QuorumCheck = Callable[[AsyncSession, StepContext], Awaitable[int]]


async def default_requests_open(session: AsyncSession, ctx: StepContext) -> OutgoingMessage:
    summary = f"Requests are open for the {ctx.community.code} meeting on {ctx.summary.when}"
    return OutgoingMessage(card=requests_open_card(ctx.summary, ctx.bot_app_id), summary=summary)


async def default_meeting_reminder(session: AsyncSession, ctx: StepContext) -> OutgoingMessage:
    """A plain reminder (time, Teams link or place); the RSVP card replaces it."""
    day_before = ctx.step.kind == StepKind.MEETING_REMINDER_DAY_BEFORE
    kind = DAY_BEFORE if day_before else MORNING
    summary = f"{'Tomorrow' if day_before else 'Today'}: {ctx.community.code} meets, {ctx.summary.when}"
    return OutgoingMessage(card=meeting_reminder_card(ctx.summary, kind), summary=summary)


async def default_cut_off(session: AsyncSession, ctx: StepContext) -> OutgoingMessage:
    """The chair's DM at the deadline: what was accepted and what awaits them (plain default;
    the agenda builder replaces it with the draft agenda)."""
    accepted = await _request_lines(
        session,
        select(Request).where(Request.meeting_id == ctx.meeting.id, Request.status == RequestStatus.ACCEPTED),
    )
    awaiting = await _request_lines(
        session,
        select(Request).where(
            Request.community_id == ctx.community.id, Request.status == RequestStatus.SUBMITTED
        ),
    )
    return OutgoingMessage(text=cut_off_text(ctx.summary, accepted, awaiting))


async def agenda_is_published(session: AsyncSession, meeting_id: int) -> bool | None:
    """Adapter to :mod:`communities.agendas.agendas` (imported when called: it is newer than this module).

    None when that module cannot be imported: the nudge is then sent (it reads well to a chair
    who has published).
    """
    try:
        from communities.agendas.agendas import Agenda, AgendaStatus
    except ImportError:  # pragma: no cover  (the agendas module is there today)
        return None
    agenda = (await session.exec(select(Agenda).where(Agenda.meeting_id == meeting_id))).first()
    return agenda is not None and AgendaStatus(agenda.status) is AgendaStatus.PUBLISHED


async def draft_agenda_for_chair(session: AsyncSession, ctx: StepContext) -> list[OutgoingMessage]:
    """The real cut-off: build the meeting's draft agenda and send the chair their review copy
    (:mod:`communities.agendas.agendas`, imported when called: it is newer than this module). Pass it as
    ``Renderers(cut_off=draft_agenda_for_chair)``."""
    from cards.agenda_cards import chair_agenda_cards
    from communities.agendas import agendas

    assert ctx.meeting.id is not None
    await agendas.build_draft(session, ctx.clock, ctx.meeting.id)
    view = await agendas.view(session, meeting_id=ctx.meeting.id)
    summary = f"Requests have closed: the draft agenda for {view.title} is ready for you to review"
    return [OutgoingMessage(card=part, summary=summary) for part in chair_agenda_cards(view)]


async def no_quorum_check(session: AsyncSession, ctx: StepContext) -> int:
    """The default quorum check: none (the RSVP module's check plugs in here)."""
    return 0


@dataclass(frozen=True)
class Renderers:
    """How each swappable message is built (the defaults work on their own)."""

    requests_open: Renderer = default_requests_open
    #: The chair's DM at the cut-off: the draft agenda to review.
    cut_off: CutOffRenderer = default_cut_off
    #: The channel post the day before and the morning of: the RSVP card.
    meeting_reminder: Renderer = default_meeting_reminder
    agenda_published: AgendaPublished = agenda_is_published
    quorum_check: QuorumCheck = no_quorum_check


def runner_name() -> str:
    """``host:pid``, short enough to end a PostgreSQL application name (63 bytes) whole."""
    return f"{socket.gethostname()[:36]}:{os.getpid()}"


@dataclass
class Runtime:
    database: Database
    clock: Clock
    outbox: Outbox
    offsets: TimelineOffsets = field(default_factory=TimelineOffsets)
    zone: tzinfo = LONDON
    renderers: Renderers = field(default_factory=Renderers)
    bot_app_id: str = ""
    runner: str = field(default_factory=runner_name)
    #: The service's re-derivation of every job (the sweep job calls it).
    sweep: Callable[[], Awaitable[object]] | None = None


_runtime: Runtime | None = None


def install(runtime: Runtime) -> None:
    """Make ``runtime`` the one the jobs of this process use."""
    global _runtime
    _runtime = runtime


def uninstall(runtime: Runtime) -> None:
    global _runtime
    if _runtime is runtime:
        _runtime = None


def current() -> Runtime:
    if _runtime is None:
        raise RuntimeError("the scheduler's runtime is not installed (SchedulerService.start installs it)")
    return _runtime


# ---- the jobs -------------------------------------------------------------------------------------


async def requests_open(meeting_id: int) -> int:
    return await run_meeting_step(meeting_id, StepKind.REQUESTS_OPEN)


async def deadline_reminder(meeting_id: int) -> int:
    return await run_meeting_step(meeting_id, StepKind.DEADLINE_REMINDER)


async def cut_off(meeting_id: int) -> int:
    return await run_meeting_step(meeting_id, StepKind.CUT_OFF)


async def agenda_due(meeting_id: int) -> int:
    return await run_meeting_step(meeting_id, StepKind.AGENDA_DUE)


async def agenda_overdue(meeting_id: int) -> int:
    return await run_meeting_step(meeting_id, StepKind.AGENDA_OVERDUE)


async def meeting_reminder_day_before(meeting_id: int) -> int:
    return await run_meeting_step(meeting_id, StepKind.MEETING_REMINDER_DAY_BEFORE)


async def quorum_check(meeting_id: int) -> int:
    return await run_meeting_step(meeting_id, StepKind.QUORUM_CHECK)


async def meeting_reminder_morning(meeting_id: int) -> int:
    return await run_meeting_step(meeting_id, StepKind.MEETING_REMINDER_MORNING)


async def sweep() -> int:
    """The safety net: derive every job again (a change another process made, a lost update)."""
    runtime = current()
    if runtime.sweep is not None:
        await runtime.sweep()
    return 0


async def run_meeting_step(meeting_id: int, kind: StepKind) -> int:
    """Run one step of a meeting's timeline, if it is still due; the number of messages queued."""
    runtime = current()
    now = runtime.clock.now()
    job_id = f"meeting:{meeting_id}:{kind.value}"
    try:
        async with runtime.database.session() as session:
            meeting = await session.get(Meeting, meeting_id)
            if meeting is None:
                log.info("%s: the meeting is gone; nothing to do", job_id)
                return 0
            step = step_of(timeline_for(meeting, runtime.offsets, now, runtime.zone), kind)
            if step is None:
                log.info("%s: no longer applies (meeting %s); nothing to do", job_id, meeting.status)
                return 0
            if step.at > now + EARLY:
                log.info("%s: the meeting moved; the step is now due %s", job_id, step.at.isoformat())
                return 0
            if now > step.expires:
                log.warning("%s: too late to be useful (due %s); skipped", job_id, step.due.isoformat())
                return 0
            if await has_run(session, job_id, step.due):
                log.info("%s: already ran for %s", job_id, step.due.isoformat())
                return 0
            community = await session.get(Community, meeting.community_id)
            assert community is not None
            ctx = StepContext(
                meeting,
                community,
                step,
                summary_of(meeting, community),
                runtime.bot_app_id,
                runtime.clock,
                runtime.outbox,
            )
            messages = await _HANDLERS[kind](session, runtime, ctx)
            session.add(
                TimelineRun(
                    job_id=job_id,
                    due_at=step.due,
                    meeting_id=meeting_id,
                    sequence=meeting.sequence,
                    messages=messages,
                    runner=runtime.runner,
                    ran_at=now,
                )
            )
            await session.commit()
    except IntegrityError:
        log.info("%s: another runner recorded it first; nothing sent twice", job_id)
        return 0
    log.info("%s ran: %d message(s) queued", job_id, messages)
    if messages:
        runtime.outbox.wake()
    return messages


async def declarations_renewal(academic_year: int) -> int:
    """This week's reminder to members who have not confirmed their declarations for the year."""
    runtime = current()
    now = runtime.clock.now()
    renewal = renewal_for(academic_year, runtime.offsets, runtime.zone)
    due = renewal.latest(now)
    if due is None or now > due + runtime.offsets.grace:
        log.info("%s: no reminder due now", renewal.job_id)
        return 0
    label = academic_year_label(academic_year)
    day = due.astimezone(runtime.zone).date().isoformat()
    try:
        async with runtime.database.session() as session:
            if await has_run(session, renewal.job_id, due):
                return 0
            members: set[int] = set()
            communities = (await session.exec(select(Community.id).where(col(Community.active)))).all()
            for community_id in communities:
                if community_id is not None:
                    members.update(m.person_id for m in await community_member_facts(session, community_id))
            confirmed = set(
                (
                    await session.exec(
                        select(DeclarationConfirmation.person_id).where(
                            col(DeclarationConfirmation.person_id).in_(members),
                            DeclarationConfirmation.academic_year == academic_year,
                            col(DeclarationConfirmation.superseded_at).is_(None),
                        )
                    )
                ).all()
            )
            messages = 0
            for chat in await _chats(session, members - confirmed):
                await runtime.outbox.send(
                    session,
                    key=f"declarations:renewal:{academic_year}:{day}:{chat.person_id}",
                    reference=chat.reference,
                    message=OutgoingMessage(
                        card=renewal_card(label), summary=f"Please confirm your declarations for {label}"
                    ),
                )
                messages += 1
            session.add(
                TimelineRun(
                    job_id=renewal.job_id, due_at=due, messages=messages, runner=runtime.runner, ran_at=now
                )
            )
            await session.commit()
    except IntegrityError:
        log.info("%s: another runner recorded it first; nothing sent twice", renewal.job_id)
        return 0
    log.info("%s ran for %s: %d reminder(s) queued", renewal.job_id, day, messages)
    if messages:
        runtime.outbox.wake()
    return messages


async def has_run(session: AsyncSession, job_id: str, due: datetime) -> bool:
    found = await session.exec(
        select(TimelineRun.id).where(TimelineRun.job_id == job_id, TimelineRun.due_at == due)
    )
    return found.first() is not None


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


# ---- what each step does --------------------------------------------------------------------------


def _key(ctx: StepContext, person_id: int | None = None) -> str:
    key = f"timeline:{ctx.meeting.id}:{ctx.step.kind.value}:{ctx.meeting.sequence}"
    return key if person_id is None else f"{key}:{person_id}"


async def _post_to_channel(
    session: AsyncSession, runtime: Runtime, ctx: StepContext, render: Renderer
) -> int:
    link = (
        await session.exec(select(ChannelLink).where(ChannelLink.community_id == ctx.community.id))
    ).first()
    if link is None:
        log.info("%s: %s has no linked channel; nothing posted", ctx.step.job_id, ctx.community.code)
        return 0
    await runtime.outbox.new_thread(
        session,
        key=_key(ctx),
        channel_reference=link.reference,
        message=await render(session, ctx),
        batch_key=f"timeline:{ctx.meeting.id}",
    )
    return 1


async def _requests_open(session: AsyncSession, runtime: Runtime, ctx: StepContext) -> int:
    return await _post_to_channel(session, runtime, ctx, runtime.renderers.requests_open)


async def _meeting_reminder(session: AsyncSession, runtime: Runtime, ctx: StepContext) -> int:
    return await _post_to_channel(session, runtime, ctx, runtime.renderers.meeting_reminder)


async def _deadline_reminder(session: AsyncSession, runtime: Runtime, ctx: StepContext) -> int:
    """One DM per school leader or SENCO, listing their schools' requests not yet submitted."""
    drafts = (
        await session.exec(
            select(Request, School)
            .join(School, col(School.id) == col(Request.school_id))
            .where(Request.community_id == ctx.community.id, col(Request.status).in_(UNSUBMITTED))
            .order_by(col(Request.ref))
        )
    ).all()
    if not drafts:
        return 0
    staff = (
        await session.exec(
            select(Membership.person_id, Membership.school_id)
            .join(Person, col(Person.id) == col(Membership.person_id))
            .where(
                col(Membership.school_id).in_({school.id for _, school in drafts}),
                col(Membership.role).in_(SCHOOL_ROLES),
                col(Membership.active),
                col(Person.active),
            )
        )
    ).all()
    schools_of: dict[int, set[int]] = defaultdict(set)
    for person_id, school_id in staff:
        if school_id is not None:
            schools_of[person_id].add(school_id)
    messages = 0
    for chat in await _chats(session, set(schools_of)):
        assert chat.person_id is not None
        lines = [
            RequestLine(request.ref, school.name, RequestStatus(request.status).label.lower())
            for request, school in drafts
            if request.school_id in schools_of[chat.person_id]
        ]
        await runtime.outbox.send(
            session,
            key=_key(ctx, chat.person_id),
            reference=chat.reference,
            message=OutgoingMessage(
                card=deadline_reminder_card(ctx.summary, lines), summary=deadline_reminder_summary(lines)
            ),
        )
        messages += 1
    return messages


async def _cut_off(session: AsyncSession, runtime: Runtime, ctx: StepContext) -> int:
    rendered = await runtime.renderers.cut_off(session, ctx)
    messages = [rendered] if isinstance(rendered, OutgoingMessage) else list(rendered)
    return await _to_chair(session, runtime, ctx, messages, "Requests have closed for its next meeting.")


async def _agenda_due(session: AsyncSession, runtime: Runtime, ctx: StepContext) -> int:
    assert ctx.meeting.id is not None
    if await runtime.renderers.agenda_published(session, ctx.meeting.id):
        return 0
    message = OutgoingMessage(text=agenda_due_text(ctx.summary))
    return await _to_chair(session, runtime, ctx, [message], "Its agenda is due and not published yet.")


async def _quorum_check(session: AsyncSession, runtime: Runtime, ctx: StepContext) -> int:
    return await runtime.renderers.quorum_check(session, ctx)


async def _agenda_overdue(session: AsyncSession, runtime: Runtime, ctx: StepContext) -> int:
    assert ctx.meeting.id is not None
    if await runtime.renderers.agenda_published(session, ctx.meeting.id):
        return 0
    chair_id = await _chair_of(session, ctx)
    chair = await session.get(Person, chair_id) if chair_id is not None else None
    message = OutgoingMessage(text=agenda_overdue_text(ctx.summary, chair.display_name if chair else None))
    return await _to_officers(session, runtime, ctx, [message])


async def _to_chair(
    session: AsyncSession, runtime: Runtime, ctx: StepContext, messages: list[OutgoingMessage], what: str
) -> int:
    """DM the meeting's chair; if the bot cannot reach them, the officers instead."""
    chair_id = await _chair_of(session, ctx)
    chats = await _chats(session, {chair_id} if chair_id is not None else set())
    if not chats:
        prefix = unreachable_chair_text(ctx.summary, what)
        first = messages[0] if messages else OutgoingMessage(text=prefix)
        passed_on = OutgoingMessage(
            text=f"{prefix}\n\n{first.text}" if first.text and messages else prefix,
            card=first.card,
            summary=first.summary,
        )
        return await _to_officers(session, runtime, ctx, [passed_on, *messages[1:]])
    return await _send_all(session, runtime, ctx, chats, messages)


async def _to_officers(
    session: AsyncSession, runtime: Runtime, ctx: StepContext, messages: list[OutgoingMessage]
) -> int:
    officers = {p.id for p in await people_with_role(session, Role.OFFICER) if p.id is not None}
    return await _send_all(session, runtime, ctx, await _chats(session, officers), messages)


async def _send_all(
    session: AsyncSession,
    runtime: Runtime,
    ctx: StepContext,
    chats: list[PersonalChat],
    messages: list[OutgoingMessage],
) -> int:
    """Each message to each chat: the first keyed by the person, later parts by their number."""
    sent = 0
    for chat in chats:
        for part, message in enumerate(messages, start=1):
            key = _key(ctx, chat.person_id) + (f":part{part}" if part > 1 else "")
            await runtime.outbox.send(session, key=key, reference=chat.reference, message=message)
            sent += 1
    return sent


async def _chair_of(session: AsyncSession, ctx: StepContext) -> int | None:
    if ctx.meeting.chair_person_id is not None:
        return ctx.meeting.chair_person_id
    assert ctx.community.id is not None
    return await current_chair(session, ctx.community.id)


async def _chats(session: AsyncSession, person_ids: set[int]) -> list[PersonalChat]:
    """The personal chats of the active people among ``person_ids``, by person id."""
    if not person_ids:
        return []
    chats = (
        await session.exec(
            select(PersonalChat)
            .join(Person, col(Person.id) == col(PersonalChat.person_id))
            .where(col(PersonalChat.person_id).in_(person_ids), col(Person.active))
        )
    ).all()
    return sorted(chats, key=lambda c: (c.person_id or 0, c.id or 0))


async def _request_lines(session: AsyncSession, query: Any) -> list[RequestLine]:
    rows = (await session.exec(query.order_by(col(Request.ref)))).all()
    names = {
        school.id: school.name
        for school in (
            await session.exec(select(School).where(col(School.id).in_({r.school_id for r in rows})))
        ).all()
    }
    return [
        RequestLine(r.ref, names.get(r.school_id, "A school"), RequestStatus(r.status).label.lower())
        for r in rows
    ]


_HANDLERS: dict[StepKind, Callable[[AsyncSession, Runtime, StepContext], Awaitable[int]]] = {
    StepKind.REQUESTS_OPEN: _requests_open,
    StepKind.DEADLINE_REMINDER: _deadline_reminder,
    StepKind.CUT_OFF: _cut_off,
    StepKind.AGENDA_DUE: _agenda_due,
    StepKind.AGENDA_OVERDUE: _agenda_overdue,
    StepKind.MEETING_REMINDER_DAY_BEFORE: _meeting_reminder,
    StepKind.QUORUM_CHECK: _quorum_check,
    StepKind.MEETING_REMINDER_MORNING: _meeting_reminder,
}
