"""Telling a confirmed meeting's outcomes: each school, the finance officers, and the channel.

On confirmation (:func:`communities.outcomes.confirming.confirm_outcomes`) each newly confirmed
outcome is told to the person who raised the request and the school's leaders and SENCOs, in
their personal chat (through :mod:`communities.messaging.notices`): the decision, what was offered
and agreed, the actions with owners and dates, funding, the review date, and a line they can use
with parents (our suggested wording). ``Outcome.school_told_at`` is set when someone was told.
Funding agreed is told to the finance officers (reference, school, amount and period only). The
community's channel gets one summary per meeting: reference, school, decision and amount only,
never pupil detail (domain.md §5). Every message is keyed, so telling twice sends nothing twice.

The cards are built by the caller's functions (cards import the domain, never the reverse).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from communities.clock import Clock
from communities.meetings.tables import Meeting, local, when_text
from communities.messaging import notices
from communities.messaging.outbox import Outbox, OutgoingMessage
from communities.outcomes.confirming import Confirmation
from communities.outcomes.decisions import OutcomeDecision
from communities.outcomes.reviews import ReviewRecorded
from communities.outcomes.tables import Outcome, OutcomeStatus
from communities.outcomes.validation import pounds
from communities.outcomes.views import outcome_view
from communities.requests.tables import Request
from communities.roster.tables import Community, Person, School

Card = dict[str, Any]


@dataclass(frozen=True)
class OfferLine:
    school: str
    offer: str


@dataclass(frozen=True)
class ActionLine:
    description: str
    owner: str
    due: str


@dataclass(frozen=True)
class SchoolOutcome:
    """A confirmed outcome as the school reads it (its own chat: its own request)."""

    ref: str
    school: str
    #: "Canterbury City Community (CANT1)"
    community: str
    meeting_when: str
    decision: OutcomeDecision
    what_is_working: str | None
    offers: tuple[OfferLine, ...]
    actions: tuple[ActionLine, ...]
    funding: str | None
    funding_period: str | None
    rationale: str | None
    review_date: str | None
    #: A line the school can use with parents and carers (our suggested wording).
    parents_line: str


@dataclass(frozen=True)
class ChannelLine:
    """One item of the channel's summary: never anything about a pupil."""

    ref: str
    school: str
    decision: str
    amount: str | None


@dataclass(frozen=True)
class ChannelSummary:
    community_name: str
    code: str
    when: str
    lines: tuple[ChannelLine, ...]


@dataclass(frozen=True)
class SchoolTold:
    ref: str
    school: str
    #: The names of the people told, in order.
    told: tuple[str, ...]
    #: The names of the people who could not be told (no chat with the bot).
    unreachable: tuple[str, ...]


@dataclass(frozen=True)
class Telling:
    schools: tuple[SchoolTold, ...]
    #: Finance officers told of funding agreed (names).
    finance: tuple[str, ...]
    #: Whether the channel's summary was queued (False: no channel linked, or nothing new).
    channel: bool


def day_text(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def parents_line(decision: OutcomeDecision, review_date: date | None) -> str:
    """Our suggested words for the school to use with parents and carers (never Kent's wording)."""
    if decision.in_delivery:
        review = (
            f", and the school will review how it is going by {day_text(review_date)}" if review_date else ""
        )
        return (
            "Our school asked the local community of schools for ideas and support, and extra support "
            f"has been agreed to help meet your child's needs{review}. We will talk you through what it "
            "means for your child."
        )
    return _PARENTS[decision]


_PARENTS = {
    OutcomeDecision.ADVICE_ONLY: (
        "Our school asked the local community of schools for ideas, and they gave advice that we will "
        "use in school. We will talk you through what it means for your child."
    ),
    OutcomeDecision.SIGNPOSTED: (
        "Our school asked the local community of schools for ideas, and they pointed us to other "
        "services that can help. We will talk to you about them."
    ),
    OutcomeDecision.NOT_AGREED: (
        "Our school asked the local community of schools for extra support. It was not agreed this "
        "time; we will talk to you about what we will do next."
    ),
    OutcomeDecision.RECOMMEND_EHCNA: (
        "Our school asked the local community of schools for ideas. They suggested we consider asking "
        "the council for an education, health and care (EHC) needs assessment; we will talk to you "
        "about it before anything is done."
    ),
    OutcomeDecision.DEFERRED_MORE_INFO: (
        "Our school asked the local community of schools for ideas and support. They asked for more "
        "information before deciding; we will keep you informed."
    ),
    OutcomeDecision.WITHDRAWN: (
        "Our school withdrew its request to the local community of schools. We will talk to you about "
        "the support we are putting in place."
    ),
}


async def school_outcome(session: AsyncSession, outcome: Outcome) -> SchoolOutcome:
    request = await session.get(Request, outcome.request_id)
    meeting = await session.get(Meeting, outcome.meeting_id)
    assert request is not None and meeting is not None
    school = await session.get(School, request.school_id)
    community = await session.get(Community, request.community_id)
    assert school is not None and community is not None
    view = await outcome_view(session, outcome)
    period = None
    if view.funding_from and view.funding_to:
        period = f"{day_text(view.funding_from)} to {day_text(view.funding_to)}"
    return SchoolOutcome(
        ref=request.ref,
        school=school.name,
        community=f"{community.name} ({community.code})",
        meeting_when=when_text(meeting),
        decision=view.decision,
        what_is_working=view.what_is_working,
        offers=tuple(
            OfferLine(str(o.get("school") or o.get("school_urn") or ""), str(o.get("offer") or ""))
            for o in view.ideas_and_offers
        ),
        actions=tuple(ActionLine(a.description, a.owner, day_text(a.due_date)) for a in view.actions),
        funding=view.funding,
        funding_period=period,
        rationale=view.rationale,
        review_date=day_text(view.review_date) if view.review_date else None,
        parents_line=parents_line(view.decision, view.review_date),
    )


async def confirmed_outcome_of(session: AsyncSession, request_id: int) -> SchoolOutcome | None:
    """The request's latest confirmed outcome, as the school reads it (None before one is confirmed)."""
    outcome = (
        await session.exec(
            select(Outcome)
            .where(Outcome.request_id == request_id, Outcome.status == OutcomeStatus.CONFIRMED)
            .order_by(col(Outcome.confirmed_at).desc(), col(Outcome.id).desc())
            .limit(1)
        )
    ).first()
    return await school_outcome(session, outcome) if outcome is not None else None


async def channel_summary(session: AsyncSession, meeting_id: int) -> ChannelSummary:
    """The meeting's confirmed outcomes for the channel: reference, school, decision and amount."""
    meeting = await session.get(Meeting, meeting_id)
    assert meeting is not None
    community = await session.get(Community, meeting.community_id)
    assert community is not None
    rows = await session.exec(
        select(Outcome, Request, School)
        .join(Request, col(Request.id) == col(Outcome.request_id))
        .join(School, col(School.id) == col(Request.school_id))
        .where(Outcome.meeting_id == meeting_id, Outcome.status == OutcomeStatus.CONFIRMED)
        .order_by(col(Request.ref))
    )
    lines = tuple(
        ChannelLine(
            request.ref,
            school.name,
            OutcomeDecision(outcome.decision).label,
            pounds(outcome.funding_pence) if outcome.funding_pence else None,
        )
        for outcome, request, school in rows.all()
    )
    return ChannelSummary(community.name, community.code, when_text(meeting), lines)


def finance_text(told: SchoolOutcome, code: str = "") -> str:
    """Finance's message: the funding agreed and, when allocated, where to record its payment."""
    period = f", for {told.funding_period}" if told.funding_period else ""
    ledger = (
        f" It is allocated in the {code} ledger ({told.ref}, {told.school}, {told.funding}): write "
        f"`ledger {code}` to record the payment when it is made."
        if code
        else ""
    )
    return (
        f"Funding agreed at the {told.community} meeting on {told.meeting_when}: {told.funding} for "
        f"{told.ref} ({told.school}){period}. The school has been told.{ledger}"
    )


async def tell_confirmed(
    session: AsyncSession,
    clock: Clock,
    outbox: Outbox,
    confirmation: Confirmation,
    *,
    school_card: Callable[[SchoolOutcome], Card],
    channel_card: Callable[[ChannelSummary], Card],
) -> Telling:
    """Tell each school its newly confirmed outcome, finance of funding, and the channel (the caller
    commits and wakes the outbox). Nothing newly confirmed: nobody is told."""
    schools: list[SchoolTold] = []
    finance: list[int] = []
    for confirmed in confirmation.confirmed:
        outcome = await session.get(Outcome, confirmed.outcome_id)
        assert outcome is not None
        shown = await school_outcome(session, outcome)
        message = OutgoingMessage(
            card=school_card(shown), summary=f"The outcome of {shown.ref}: {shown.decision.label}"
        )
        told = await notices.tell(
            session,
            outbox,
            notices.Notice.to(
                notices.People.of(*confirmed.tell), f"outcome:{confirmed.outcome_id}:school", message
            ),
        )
        if told.anyone:
            outcome.school_told_at = clock.now()
            session.add(outcome)
        schools.append(
            SchoolTold(
                shown.ref,
                shown.school,
                await _names(session, told.people),
                await _names(session, told.unreachable),
            )
        )
        if confirmed.tell_finance and shown.funding:
            code = await _code_of(session, confirmation.meeting_id) if confirmed.allocation_id else ""
            money = await notices.tell(
                session,
                outbox,
                notices.Notice.to(
                    notices.People.of(*confirmed.tell_finance),
                    f"outcome:{confirmed.outcome_id}:finance",
                    OutgoingMessage(text=finance_text(shown, code)),
                ),
            )
            finance += [p for p in money.people if p not in finance]
    channel = False
    if confirmation.confirmed:
        meeting = await session.get(Meeting, confirmation.meeting_id)
        assert meeting is not None
        summary = await channel_summary(session, confirmation.meeting_id)
        posted = await notices.tell(
            session,
            outbox,
            notices.Notice.to(
                notices.CommunityChannel(meeting.community_id),
                f"outcomes:{confirmation.meeting_id}:channel",
                OutgoingMessage(
                    card=channel_card(summary),
                    summary=f"Outcomes of the {summary.code} meeting on {summary.when}",
                ),
                batch_key=f"outcomes:{confirmation.meeting_id}",
            ),
        )
        channel = posted.anyone
    await session.flush()
    return Telling(tuple(schools), await _names(session, tuple(finance)), channel)


def review_text(recorded: ReviewRecorded) -> str:
    """The school's message once the chair records a review."""
    if recorded.next_review_date is None:
        after = "The request is now closed."
    else:
        after = f"The support continues, with the next review on {day_text(recorded.next_review_date)}."
    return (
        f"Your community has reviewed request {recorded.ref}: {recorded.result.label.lower()}. {after} "
        "Open My requests to read it."
    )


async def tell_review(
    session: AsyncSession, clock: Clock, outbox: Outbox, recorded: ReviewRecorded
) -> tuple[str, ...]:
    """Tell the school its review was recorded (the caller commits and wakes the outbox); who was told."""
    key = f"review:{recorded.ref}:{local(clock.now()).date().isoformat()}:{recorded.result.value}"
    told = await notices.tell(
        session,
        outbox,
        notices.Notice.to(
            notices.People.of(*recorded.tell), key, OutgoingMessage(text=review_text(recorded))
        ),
    )
    return await _names(session, told.people)


async def _names(session: AsyncSession, person_ids: tuple[int, ...] | list[int]) -> tuple[str, ...]:
    names = []
    for person_id in person_ids:
        person = await session.get(Person, person_id)
        if person is not None:
            names.append(person.display_name)
    return tuple(names)


async def _code_of(session: AsyncSession, meeting_id: int) -> str:
    meeting = await session.get(Meeting, meeting_id)
    community = await session.get(Community, meeting.community_id) if meeting is not None else None
    return community.code if community is not None else ""
