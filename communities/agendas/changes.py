"""A meeting's agenda: built from the Agenda template, reviewed by the chair, published to the channel.

The sections are the template's (domain.md §1.1); section 5 has one item per accepted request
attached to the meeting. The table keeps only what the chair decides (the order of the items,
the lines of any other business) and where the channel copy went. The items themselves are
always the requests attached to the meeting *now*: a request withdrawn, deferred or attached
after the draft was built leaves or joins the agenda without anyone rebuilding it.

This module holds the chair's changes (order, defer, any other business) and is the package's
front door: the table is in :mod:`.tables`, who may change an agenda and how a change is written
in :mod:`.access`, what the cards show in :mod:`.view`, and the channel copy in :mod:`.publishing`.
Every change leaves the commit to the caller. The channel copy carries no pupil-level detail: a
request's reference, school, type and the kinds of support asked for, and whether declarations
are expected (domain.md §5).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlmodel.ext.asyncio.session import AsyncSession

from communities.agendas.access import (
    AgendaChanged,
    AgendaRefused,
    audit_meeting,
    editable,
    save,
)
from communities.agendas.items import attached, ordered, school_names
from communities.agendas.view import (
    AgendaView,
    following,
    view,
)
from communities.clock import Clock
from communities.declarations.conflict_facts import community_member_facts
from communities.identifying_text import find_identifying_text, warning_for
from communities.meetings.tables import date_text
from communities.messaging import notices
from communities.messaging.outbox import Outbox, OutgoingMessage
from communities.requests import placement
from communities.requests.lifecycle import RequestStatus
from communities.requests.service import Notice
from communities.requests.tables import Request
from communities.roster.directory import PersonProfile

MAX_AOB_LENGTH = 200
MAX_AOB_ITEMS = 15


class Move(StrEnum):
    UP = "up"
    DOWN = "down"


# ---- the chair's changes ---------------------------------------------------------------------


async def move_item(
    session: AsyncSession,
    clock: Clock,
    actor: PersonProfile,
    meeting_id: int,
    request_id: int,
    to: Move | int,
    *,
    version: int | None = None,
) -> AgendaView:
    """Move a request item one place up or down, or to a position (1 is first; clamped)."""
    agenda, meeting, _ = await editable(session, clock, actor, meeting_id, version, "move")
    order = [r.id for r in ordered(agenda.item_order, await attached(session, meeting_id)) if r.id]
    if request_id not in order:
        raise AgendaRefused(_NOT_ON_AGENDA)
    at = order.index(request_id)
    if to == Move.UP:
        wanted = at - 1
    elif to == Move.DOWN:
        wanted = at + 1
    else:
        wanted = int(to) - 1
    wanted = max(0, min(len(order) - 1, wanted))
    if wanted != at:
        order.insert(wanted, order.pop(at))
        await save(session, clock, agenda, item_order=order)
        audit_meeting(
            session, clock, actor, "agenda_item_moved", meeting, {"request_id": request_id, "to": wanted + 1}
        )
    return await view(session, meeting_id=meeting_id)


@dataclass(frozen=True)
class Deferred:
    view: AgendaView
    ref: str
    #: When the meeting the request now goes to is.
    to_meeting: str
    notices: tuple[Notice, ...]


async def defer_item(
    session: AsyncSession,
    clock: Clock,
    outbox: Outbox,
    actor: PersonProfile,
    meeting_id: int,
    request_id: int,
    *,
    version: int | None = None,
) -> Deferred:
    """Take a request off this agenda and put it on the community's next meeting; tell the requester."""
    agenda, meeting, community = await editable(session, clock, actor, meeting_id, version, "defer")
    request = await session.get(Request, request_id)
    if (
        request is None
        or request.meeting_id != meeting_id
        or request.status
        not in (
            RequestStatus.ACCEPTED,
            RequestStatus.SCHEDULED,
        )
    ):
        raise AgendaRefused(_NOT_ON_AGENDA)
    target = await following(session, meeting)
    if target is None or target.id is None:
        raise AgendaRefused(
            f"{community.code} has no later meeting to defer {request.ref} to yet. Add the next meeting "
            "(Meetings), then defer it."
        )
    ref = request.ref
    if not await placement.defer(session, clock, actor, request, meeting_id, target.id):
        raise AgendaChanged(f"Someone changed {ref} just now. Open the agenda again to see the latest.")
    await save(session, clock, agenda, item_order=[i for i in agenda.item_order if i != request_id])
    audit_meeting(
        session, clock, actor, "agenda_item_deferred", meeting, {"request": request.ref, "to": target.id}
    )
    school = (await school_names(session, {request.school_id})).get(request.school_id, "your school")
    text = (
        f"Request {request.ref} ({school}) will now be discussed at the next meeting of {community.name} "
        f"({community.code}), on {date_text(target.starts_at)}, instead of the meeting on "
        f"{date_text(meeting.starts_at)}: the chair has deferred it. There is nothing you need to do."
    )
    notices = await _dm(
        session,
        outbox,
        request.created_by_person_id,
        f"agenda:{meeting_id}:deferred:{request.ref}:v{request.version}",
        text,
    )
    return Deferred(
        view=await view(session, meeting_id=meeting_id),
        ref=request.ref,
        to_meeting=date_text(target.starts_at),
        notices=tuple(notices),
    )


async def add_aob(
    session: AsyncSession,
    clock: Clock,
    actor: PersonProfile,
    meeting_id: int,
    text: str,
    *,
    version: int | None = None,
) -> AgendaView:
    """Add a line of any other business: short, and never naming a child (it goes to the channel)."""
    agenda, meeting, community = await editable(session, clock, actor, meeting_id, version, "add_aob")
    line = " ".join(text.split())
    if not line:
        raise AgendaRefused("Write the item of any other business in the box first.")
    if len(line) > MAX_AOB_LENGTH:
        raise AgendaRefused(
            f"Keep an item of any other business to {MAX_AOB_LENGTH} characters (this one has {len(line)})."
        )
    if len(agenda.aob) >= MAX_AOB_ITEMS:
        raise AgendaRefused(f"An agenda can have at most {MAX_AOB_ITEMS} items of any other business.")
    assert community.id is not None
    staff = [actor.display_name, *(m.name for m in await community_member_facts(session, community.id))]
    findings = find_identifying_text(line, allowed_names=staff, today=clock.now().date())
    if findings:
        # The warning quotes the text back: it is for the chair's own chat, never a log.
        raise AgendaRefused(f"{warning_for(findings)} Items of any other business are posted in the channel.")
    await save(session, clock, agenda, aob=[*agenda.aob, line])
    audit_meeting(session, clock, actor, "agenda_aob_added", meeting, {"items": len(agenda.aob)})
    return await view(session, meeting_id=meeting_id)


async def may_remove_aob(
    session: AsyncSession,
    clock: Clock,
    actor: PersonProfile,
    meeting_id: int,
    index: int,
    *,
    version: int | None = None,
) -> str:
    """The line of any other business at ``index``, if ``actor`` may remove it now (before asking
    them to confirm); else refused (a refusal of the person is audited), or changed since."""
    agenda, _, _ = await editable(session, clock, actor, meeting_id, version, "remove_aob")
    if not 0 <= index < len(agenda.aob):
        raise AgendaChanged("That item of any other business is not on the agenda any more.")
    return agenda.aob[index]


async def remove_aob(
    session: AsyncSession,
    clock: Clock,
    actor: PersonProfile,
    meeting_id: int,
    index: int,
    *,
    version: int | None = None,
) -> AgendaView:
    """Remove the line of any other business at ``index`` (0-based, as the card showed it)."""
    agenda, meeting, _ = await editable(session, clock, actor, meeting_id, version, "remove_aob")
    if not 0 <= index < len(agenda.aob):
        raise AgendaChanged("That item of any other business is not on the agenda any more.")
    await save(session, clock, agenda, aob=[line for i, line in enumerate(agenda.aob) if i != index])
    audit_meeting(session, clock, actor, "agenda_aob_removed", meeting, {"items": len(agenda.aob)})
    return await view(session, meeting_id=meeting_id)


_NOT_ON_AGENDA = "That request is not on this agenda any more (it may have been withdrawn or deferred)."


async def _dm(session: AsyncSession, outbox: Outbox, person_id: int, key: str, text: str) -> list[Notice]:
    """Tell one person; nobody if they have never opened a chat (the agenda still says where it went)."""
    told = await notices.tell(
        session, outbox, notices.Notice.to(notices.People.of(person_id), key, OutgoingMessage(text=text))
    )
    return [Notice(p, told.text) for p in told.people]
