"""An officer's approval of an overspend: asked for by the chair for one outcome, approved once.

A chair whose funding is more than the community has available asks the officers to approve it
(:func:`ask`): a pending request for that meeting's item, for the amount typed. An officer approves
it with a reason (:func:`approve`): who and when are recorded and audited. A second press, a stale
or forged button, or someone who is not an officer changes nothing and says why. An approval
covers that outcome up to the amount approved (:func:`approved_for`); a larger amount needs a new
approval. Telling the officers and the chair is the caller's (the cards are the dialogs').
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Column
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from communities import audit
from communities.clock import Clock
from communities.db import update_if_unchanged
from communities.identifying_text import find_identifying_text, warning_for
from communities.meetings.tables import Meeting, local, when_text
from communities.messaging import notices
from communities.messaging.outbox import Outbox, OutgoingMessage
from communities.money import pounds
from communities.requests.tables import Request
from communities.roster.directory import PersonProfile
from communities.roster.roles import Role
from communities.roster.tables import Community, Person, School
from communities.sqltypes import UtcDateTime

Card = dict[str, Any]


class OverspendRefused(Exception):
    """The approval cannot be given (or asked for); the message says why."""


class OverspendRequest(SQLModel, table=True):
    """A chair's request that an officer approve funding above what is available, for one item."""

    __tablename__ = "overspend_request"

    id: int | None = Field(default=None, primary_key=True)
    #: The meeting's item the funding is for (one outcome per meeting and request).
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    request_id: int = Field(foreign_key="request.id", index=True)
    #: The outcome, once it is saved (None when the first save was refused).
    outcome_id: int | None = Field(default=None, foreign_key="outcome.id")
    amount_pence: int
    #: What was available when it was asked (for the officer's card and the audit).
    available_pence: int
    asked_by_person_id: int = Field(foreign_key="person.id")
    asked_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    approved_by_person_id: int | None = Field(default=None, foreign_key="person.id")
    approved_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    reason: str = Field(default="", max_length=500)
    version: int = 0


@dataclass(frozen=True)
class Approved:
    request: OverspendRequest
    #: The approving officer's name.
    by: str


def already_approved(by: str, when: datetime) -> str:
    day = local(when)
    return (
        f"This overspend was already approved by {by} on {day.day} {day:%B %Y} at {day:%H:%M}: "
        "nothing changed."
    )


async def ask(
    session: AsyncSession,
    clock: Clock,
    actor: PersonProfile,
    *,
    meeting_id: int,
    request_id: int,
    outcome_id: int | None,
    amount_pence: int,
    available_pence: int,
) -> OverspendRequest:
    """A pending request (the same one again if this amount was already asked for and not yet approved).

    The caller has checked the actor may record this item's outcome."""
    if amount_pence <= 0:
        raise OverspendRefused("Give the funding as an amount more than £0 first.")
    pending = (
        await session.exec(
            select(OverspendRequest).where(
                OverspendRequest.meeting_id == meeting_id,
                OverspendRequest.request_id == request_id,
                OverspendRequest.amount_pence == amount_pence,
                col(OverspendRequest.approved_by_person_id).is_(None),
            )
        )
    ).first()
    if pending is not None:
        return pending
    asked = OverspendRequest(
        meeting_id=meeting_id,
        request_id=request_id,
        outcome_id=outcome_id,
        amount_pence=amount_pence,
        available_pence=available_pence,
        asked_by_person_id=actor.person_id,
        asked_at=clock.now(),
    )
    session.add(asked)
    await session.flush()
    audit.record(
        session,
        clock,
        actor_person_id=actor.person_id,
        action="overspend_asked",
        entity="overspend_request",
        entity_id=str(asked.id),
        detail={"request_id": request_id, "amount_pence": amount_pence, "available_pence": available_pence},
    )
    return asked


async def approve(
    session: AsyncSession, clock: Clock, actor: PersonProfile, overspend_id: int | None, reason: str
) -> Approved:
    """An officer approves, with a reason (the caller commits). Refused, changing nothing but the
    audit, for anyone else; a second press says who approved it and when."""
    found = await session.get(OverspendRequest, overspend_id) if overspend_id is not None else None
    if not actor.has_role(Role.OFFICER):
        await audit.keep_only_refusal(
            session,
            clock,
            actor_person_id=actor.person_id,
            action="overspend_approve_refused",
            entity="overspend_request",
            entity_id=str(overspend_id),
        )
        raise OverspendRefused(
            "Only a council officer can approve an overspend. The chair can lower the funding instead."
        )
    if found is None or found.id is None:
        raise OverspendRefused("That overspend request is not known (the card may be from somewhere else).")
    if found.approved_by_person_id is not None and found.approved_at is not None:
        raise OverspendRefused(
            already_approved(await _name(session, found.approved_by_person_id), found.approved_at)
        )
    cleaned = " ".join(reason.split())
    if not cleaned:
        raise OverspendRefused("Give a reason for approving the overspend: it is kept with the approval.")
    findings = find_identifying_text(
        cleaned, allowed_names=[actor.display_name], today=local(clock.now()).date()
    )
    if findings:
        raise OverspendRefused(warning_for(findings))
    now = clock.now()
    won = await update_if_unchanged(
        session,
        OverspendRequest,
        found.id,
        found.version,
        {
            "approved_by_person_id": actor.person_id,
            "approved_at": now,
            "reason": cleaned[:500],
            "version": found.version + 1,
        },
    )
    if not won:  # approved by another officer at the same moment: theirs stands
        await session.refresh(found)
        assert found.approved_by_person_id is not None and found.approved_at is not None
        raise OverspendRefused(
            already_approved(await _name(session, found.approved_by_person_id), found.approved_at)
        )
    await session.refresh(found)
    audit.record(
        session,
        clock,
        actor_person_id=actor.person_id,
        action="overspend_approved",
        entity="overspend_request",
        entity_id=str(found.id),
        detail={"request_id": found.request_id, "amount_pence": found.amount_pence},
    )
    return Approved(found, actor.display_name)


async def approved_for(
    session: AsyncSession, meeting_id: int, request_id: int, amount_pence: int
) -> OverspendRequest | None:
    """An approval covering this item's funding of ``amount_pence`` (the largest approved), or None."""
    rows = await session.exec(
        select(OverspendRequest)
        .where(
            OverspendRequest.meeting_id == meeting_id,
            OverspendRequest.request_id == request_id,
            col(OverspendRequest.approved_by_person_id).is_not(None),
            col(OverspendRequest.amount_pence) >= amount_pence,
        )
        .order_by(col(OverspendRequest.amount_pence).desc())
    )
    return rows.first()


def asked_text(amount_pence: int, available_pence: int) -> str:
    return f"{pounds(amount_pence)} asked for, {pounds(available_pence)} available"


async def _name(session: AsyncSession, person_id: int) -> str:
    person = await session.get(Person, person_id)
    return person.display_name if person is not None else "an officer"


# ---- as people read it, and who is told -----------------------------------------------------------


@dataclass(frozen=True)
class OverspendView:
    """A request for approval as the officer's card shows it: reference, school and money only."""

    overspend_id: int
    ref: str
    school: str
    community: str
    meeting_when: str
    amount: str
    available: str
    asked_by: str
    approved_by: str | None
    approved_at: datetime | None
    reason: str


async def overspend_view(session: AsyncSession, asked: OverspendRequest) -> OverspendView:
    request = await session.get(Request, asked.request_id)
    meeting = await session.get(Meeting, asked.meeting_id)
    assert request is not None and meeting is not None and asked.id is not None
    school = await session.get(School, request.school_id)
    community = await session.get(Community, request.community_id)
    assert school is not None and community is not None
    approver = asked.approved_by_person_id
    return OverspendView(
        asked.id,
        request.ref,
        school.name,
        f"{community.name} ({community.code})",
        when_text(meeting),
        pounds(asked.amount_pence),
        pounds(asked.available_pence),
        await _name(session, asked.asked_by_person_id),
        await _name(session, approver) if approver is not None else None,
        asked.approved_at,
        asked.reason,
    )


async def tell_officers(
    session: AsyncSession, outbox: Outbox, asked: OverspendRequest, card: Callable[[OverspendView], Card]
) -> tuple[int, ...]:
    """Ask the council officers (each in their chat) to approve; who was told. Asking again tells
    nobody twice."""
    view = await overspend_view(session, asked)
    told = await notices.tell(
        session,
        outbox,
        notices.Notice.to(
            notices.RoleHolders((Role.OFFICER,)),
            f"overspend:{asked.id}:asked",
            OutgoingMessage(card=card(view), summary=f"An overspend to approve for {view.ref}"),
        ),
    )
    return told.people


def approved_text(view: OverspendView) -> str:
    return (
        f"{view.approved_by} approved an overspend of up to {view.amount} for {view.ref} ({view.school}): "
        f"“{view.reason}”. Save the item's funding and confirm the outcomes: it will be allocated."
    )


async def tell_chair(session: AsyncSession, outbox: Outbox, approved: Approved) -> tuple[int, ...]:
    """Tell whoever asked that the overspend is approved (once)."""
    view = await overspend_view(session, approved.request)
    told = await notices.tell(
        session,
        outbox,
        notices.Notice.to(
            notices.People.of(approved.request.asked_by_person_id),
            f"overspend:{view.overspend_id}:approved",
            OutgoingMessage(text=approved_text(view)),
        ),
    )
    return told.people
