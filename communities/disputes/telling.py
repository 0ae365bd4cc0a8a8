"""Telling people about a dispute: always in their personal chat, never in a channel.

- raised or escalated: the stage's handlers (:func:`communities.disputes.access.handlers`) get the
  handler's card; nobody reachable there, the council's officers;
- acknowledged, decided: the school (the leader who raised it and the school's leaders) is told,
  with the deadline to escalate; a decision comes with the school's card and its Escalate button;
- closed when the time to escalate passed: the school.

Each notice is keyed by the dispute, its stage and the step, so telling twice sends nothing twice.
The cards are built by the caller's functions (cards import the domain, never the reverse). The
caller commits, then wakes the outbox.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from communities.disputes import words
from communities.disputes.access import handlers, school_leaders
from communities.disputes.tables import Dispute, DisputeStatus, Finding, Stage
from communities.disputes.views import DisputeView, dispute_view
from communities.messaging import notices
from communities.messaging.outbox import Outbox, OutgoingMessage

Card = dict[str, Any]
CardOf = Callable[[DisputeView], Card]


async def school_audience(session: AsyncSession, dispute: Dispute) -> notices.People:
    return notices.People.of(dispute.raised_by_person_id, *await school_leaders(session, dispute.school_id))


async def tell_handlers(
    session: AsyncSession, outbox: Outbox, dispute: Dispute, today: Any, handler_card: CardOf
) -> notices.Told:
    """The dispute has reached a stage: its handlers are asked to acknowledge it."""
    view = await dispute_view(session, dispute, today)
    text = words.raised_text(view.ref, view.school, view.stage, view.acknowledge_by)
    message = OutgoingMessage(text=text, card=handler_card(view), summary=text)
    key = f"dispute:{view.dispute_id}:stage{int(view.stage)}:reached"
    notice = notices.Notice.to(
        notices.People.of(*await handlers(session, dispute)),
        key,
        message,
        fallbacks=(notices.Tier(notices.OFFICERS, key_suffix=":officers"),),
    )
    return await notices.tell(session, outbox, notice)


async def tell_school(
    session: AsyncSession, outbox: Outbox, dispute: Dispute, today: Any, school_card: CardOf
) -> notices.Told:
    """The school is told the step the dispute has just taken (acknowledged, decided, closed)."""
    view = await dispute_view(session, dispute, today)
    stage = view.stage
    if view.status is DisputeStatus.ACKNOWLEDGED:
        step, text = "acknowledged", words.acknowledged_text(view.ref, stage, view.decide_by)
    elif view.finding is not None and (view.status is DisputeStatus.DECIDED or stage.next is None):
        step, text = "decided", words.decided_text(view.ref, stage, Finding(view.finding), view.escalate_by)
    else:
        step, text = "closed", words.closed_text(view.ref)
    message = (
        OutgoingMessage(card=school_card(view), summary=text)
        if step == "decided"
        else OutgoingMessage(text=text)
    )
    key = f"dispute:{view.dispute_id}:stage{int(stage)}:{step}"
    return await notices.tell(
        session, outbox, notices.Notice.to(await school_audience(session, dispute), key, message)
    )


def stage_of(dispute: Dispute) -> Stage:
    return Stage(dispute.stage)
