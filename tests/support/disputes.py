"""Disputes in tests: confirmed outcomes of Westgate Meadow's requests, an Area Board member for the
East area, and each step of a dispute taken as the chat takes it (the change, then telling people)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from sqlmodel import select

from cards.disputes.dispute import handler_card, school_card
from communities.clock import FixedClock
from communities.db import Database
from communities.disputes import raising, service, telling
from communities.disputes.steps import today_of
from communities.disputes.tables import Dispute
from communities.disputes.varying import NewOutcome
from communities.disputes.windows import DisputeWindows
from communities.messaging.outbox import Outbox
from communities.outcomes.confirming import confirm_outcomes
from communities.outcomes.recording import save_outcome
from communities.outcomes.tables import Outcome
from communities.roster.directory import community_by_code
from communities.roster.roles import Role
from communities.roster.tables import Membership, Person
from tests.support.outcomes import as_person, held_meeting, rulings_for_westgate, support_agreed
from tests.support.people import GRACE, personal_chat

OLIVIA = "olivia.hart@kent-demo.example.org"  # Area Board, East (through THAN2)
WINDOWS = DisputeWindows()


@dataclass(frozen=True)
class Confirmed:
    meeting_id: int
    #: The outcomes, in the order of the requests: funding agreed (£1,500, allocated), then not agreed,
    #: then advice only.
    outcome_ids: list[int]


async def add_area_board_member(db: Database, clock: FixedClock, code: str = "THAN2") -> int:
    """Olivia Hart, on the Area Board through ``code``'s area (East: CANT1 and THAN2), with a chat.

    The demo roster has her (through THAN2); on another roster she is added here.
    """
    async with db.session() as session:
        community = await community_by_code(session, code)
        assert community is not None
        person = (await session.exec(select(Person).where(Person.email == OLIVIA))).first()
        if person is None:
            person = Person(email=OLIVIA, display_name="Olivia Hart")
            session.add(person)
            await session.flush()
        assert person.id is not None
        scope_key = Membership.make_scope_key(Role.AREA_BOARD, None, code)
        held = await session.exec(
            select(Membership).where(Membership.person_id == person.id, Membership.scope_key == scope_key)
        )
        if held.first() is None:
            session.add(
                Membership(
                    person_id=person.id,
                    role=Role.AREA_BOARD,
                    community_id=community.id,
                    scope_key=scope_key,
                    updated_at=clock.now(),
                )
            )
        session.add(personal_chat(person.id, OLIVIA, clock.now()))
        await session.commit()
        return person.id


async def confirmed_outcomes(db: Database, clock: FixedClock, items: int = 3) -> Confirmed:
    """Westgate Meadow's requests decided at the 10 December meeting and confirmed on Friday 11
    December; CANT1's budget is £10,000 and the first outcome's £1,500 is allocated."""
    held = await held_meeting(db, clock, items, budget_pence=1_000_000)
    rulings = await rulings_for_westgate(db)
    entries = [
        replace(
            support_agreed(rulings),
            decision="funding_agreed",
            funding="£1,500",
            funding_from=date(2027, 1, 4),
            funding_to=date(2027, 3, 26),
        ),
        replace(support_agreed(rulings), decision="not_agreed", review_date=None),
        replace(support_agreed(rulings), decision="advice_only", review_date=None),
    ][:items]
    for request_id, entry in zip(held.request_ids, entries, strict=True):
        await as_person(
            db, GRACE, lambda s, a, r=request_id, e=entry: save_outcome(s, clock, a, held.meeting_id, r, e)
        )
    await as_person(db, GRACE, lambda s, a: confirm_outcomes(s, clock, a, held.meeting_id))  # allocates
    async with db.session() as session:
        outcomes = {o.request_id: o for o in (await session.exec(select(Outcome))).all() if o.id is not None}
    ids = [outcomes[r].id for r in held.request_ids]
    return Confirmed(held.meeting_id, [i for i in ids if i is not None])


# ---- each step as the chat takes it -------------------------------------------------------------------


async def raise_one(
    db: Database,
    clock: FixedClock,
    email: str,
    outcome_id: int,
    grounds: str = "allocation",
    reasons: str = "",
) -> Dispute:
    async def work(session, actor):  # type: ignore[no-untyped-def]
        dispute = await raising.raise_dispute(
            session,
            clock,
            actor,
            outcome_id,
            grounds,
            reasons or "The allocation is lower than for similar needs elsewhere in the community.",
            WINDOWS,
        )
        await telling.tell_handlers(session, Outbox(clock), dispute, today_of(clock), handler_card)
        return dispute

    return await as_person(db, email, work)


async def acknowledge(db: Database, clock: FixedClock, email: str, dispute_id: int) -> Dispute:
    async def work(session, actor):  # type: ignore[no-untyped-def]
        dispute = await service.acknowledge(session, clock, actor, dispute_id, None)
        await telling.tell_school(session, Outbox(clock), dispute, today_of(clock), school_card)
        return dispute

    return await as_person(db, email, work)


async def decide(
    db: Database,
    clock: FixedClock,
    email: str,
    dispute_id: int,
    finding: str,
    reasons: str,
    new_outcome: NewOutcome | None = None,
) -> Dispute:
    async def work(session, actor):  # type: ignore[no-untyped-def]
        dispute = await service.decide(
            session, clock, actor, dispute_id, None, finding, reasons, WINDOWS, new_outcome=new_outcome
        )
        await telling.tell_school(session, Outbox(clock), dispute, today_of(clock), school_card)
        return dispute

    return await as_person(db, email, work)


async def escalate(db: Database, clock: FixedClock, email: str, dispute_id: int) -> Dispute:
    async def work(session, actor):  # type: ignore[no-untyped-def]
        dispute = await service.escalate(session, clock, actor, dispute_id, None, WINDOWS)
        await telling.tell_handlers(session, Outbox(clock), dispute, today_of(clock), handler_card)
        return dispute

    return await as_person(db, email, work)
