"""An outcome's funding against the community's budget: what is available when the chair records it,
the check when it is saved, and the allocation when it is confirmed (domain.md §3.6).

The year is the financial year of the meeting's day. What the chair may still propose is what is
available (the budget less what is committed) less what this meeting's other draft items already
propose. More than that is refused with the numbers, unless a council officer approved an overspend
for that item, up to the amount approved (:mod:`communities.budget.overspend`). No budget set for the
year is £0 available. The words are here, in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from communities.budget.ledger import Position
from communities.budget.overspend import OverspendRequest, approved_for
from communities.budget.service import Overspend, allocate, entries_of, position_of
from communities.budget.years import FinancialYear
from communities.clock import Clock
from communities.meetings.tables import Meeting, local
from communities.money import pounds
from communities.outcomes.access import OutcomeRefused
from communities.outcomes.tables import Outcome, OutcomeStatus
from communities.roster.tables import Community


@dataclass(frozen=True)
class FundingRoom:
    """What the community can still fund at this meeting, as the chair's item card shows it."""

    code: str
    year: str
    #: Whether a budget is set for the year (no entry at all: none is).
    budget_set: bool
    position: Position
    #: What this meeting's other draft items already propose.
    other_drafts_pence: int

    @property
    def left_pence(self) -> int:
        return self.position.available_pence - self.other_drafts_pence

    def lines(self) -> list[tuple[str, str]]:
        return [
            ("Budget", pounds(self.position.budget_pence)),
            ("Committed", pounds(self.position.committed_pence)),
            ("Available", pounds(self.position.available_pence)),
            ("Other items of this meeting propose", pounds(self.other_drafts_pence)),
            ("Left for this item", pounds(self.left_pence)),
        ]

    def said(self) -> str:
        """The numbers in a sentence."""
        if not self.budget_set:
            return f"{no_budget(self.code, self.year)}, so £0 is available."
        drafts = (
            f"; this meeting's other items already propose {pounds(self.other_drafts_pence)}, "
            f"leaving {pounds(self.left_pence)}"
            if self.other_drafts_pence
            else ""
        )
        return (
            f"{self.code} has {pounds(self.position.available_pence)} available for {self.year} "
            f"({pounds(self.position.budget_pence)} budget, {pounds(self.position.committed_pence)} "
            f"committed){drafts}."
        )


class FundingRefused(OutcomeRefused):
    """Funding larger than what is left, with no officer's approval covering it."""

    def __init__(self, amount_pence: int, room: FundingRoom) -> None:
        self.amount_pence = amount_pence
        self.room = room
        super().__init__(
            f"{pounds(amount_pence)} is more than {room.code} can fund: {room.said()} Lower the funding, "
            "or ask a council officer to approve an overspend."
        )


def no_budget(code: str, year: str) -> str:
    return f"No budget is set for {code} for {year} yet"


def year_of(meeting: Meeting) -> FinancialYear:
    return FinancialYear.of(local(meeting.starts_at).date())


async def funding_room(
    session: AsyncSession, meeting: Meeting, community: Community, request_id: int | None
) -> FundingRoom:
    """The community's position for the meeting's year, and what the meeting's other drafts propose."""
    assert community.id is not None and meeting.id is not None
    year = year_of(meeting)
    entries = await entries_of(session, community.id, year)
    query = select(Outcome.funding_pence).where(
        Outcome.meeting_id == meeting.id,
        Outcome.status == OutcomeStatus.DRAFT,
        col(Outcome.funding_pence).is_not(None),
    )
    if request_id is not None:
        query = query.where(Outcome.request_id != request_id)
    drafts = sum(amount or 0 for amount in (await session.exec(query)).all())
    return FundingRoom(
        community.code, year.label, bool(entries), await position_of(session, community.id, year), drafts
    )


async def check_funding(
    session: AsyncSession, meeting: Meeting, community: Community, request_id: int, amount_pence: int | None
) -> OverspendRequest | None:
    """Raise :class:`FundingRefused` when the item's funding is more than is left and no officer's
    approval covers it; the approval that does, if one was needed."""
    if not amount_pence:
        return None
    room = await funding_room(session, meeting, community, request_id)
    if amount_pence <= room.left_pence:
        return None
    assert meeting.id is not None
    approval = await approved_for(session, meeting.id, request_id, amount_pence)
    if approval is None:
        raise FundingRefused(amount_pence, room)
    return approval


async def allocate_confirmed(
    session: AsyncSession,
    clock: Clock,
    meeting: Meeting,
    community: Community,
    outcome: Outcome,
    *,
    ref: str,
    school_id: int,
    actor_person_id: int,
) -> int | None:
    """Commit the confirmed outcome's funding (the allocation's id; None without funding).

    Raises OutcomeRefused with the numbers when it would overspend and no approval covers it: the
    caller throws the whole confirmation away."""
    if not outcome.funding_pence:
        return None
    assert community.id is not None and meeting.id is not None and outcome.id is not None
    year = year_of(meeting)
    approval = await approved_for(session, meeting.id, outcome.request_id, outcome.funding_pence)
    try:
        written = await allocate(
            session,
            clock,
            community.id,
            year,
            outcome.funding_pence,
            school_id=school_id,
            outcome_id=outcome.id,
            actor_person_id=actor_person_id,
            reason=f"Outcome of {ref}",
            overspend_approved_by=approval.approved_by_person_id if approval else None,
        )
    except Overspend as over:
        entries = await entries_of(session, community.id, year)
        numbers = (
            f"{no_budget(community.code, year.label)}, so £0 is available"
            if not entries
            else f"{pounds(over.position.available_pence)} is available for {year.label} "
            f"({pounds(over.position.budget_pence)} budget, "
            f"{pounds(over.position.committed_pence)} committed)"
        )
        raise OutcomeRefused(
            f"Confirming would overspend {community.code}'s budget: {ref} agrees "
            f"{pounds(outcome.funding_pence)}, and {numbers}. Lower the funding on the item's card, or "
            "ask a council officer to approve an overspend. Nothing has been confirmed or sent."
        ) from over
    assert written.entry is not None
    return written.entry.id
