"""A meeting's agenda: built from the Agenda template, reviewed by the chair, published to the channel.

The sections are the template's (domain.md §1.1); section 5 has one item per accepted request
attached to the meeting. The table keeps only what the chair decides (the order of the items,
the lines of any other business) and where the channel copy went. The items themselves are
always the requests attached to the meeting *now*: a request withdrawn, deferred or attached
after the draft was built leaves or joins the agenda without anyone rebuilding it.

Every change is checked against the person's roles (the community's chair or vice chair, or
an officer), carries the version of the card it came from (a stale card is refused, never
applied to an agenda it did not show), is audited, and leaves the commit to the caller.
The channel copy carries no pupil-level detail: a request's reference, school, type and the
kinds of support asked for, and whether declarations are expected (domain.md §5).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, String
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from communities import audit
from communities.agendas.items import (
    RequestItem,
    ReviewLine,
    attached,
    fair,
    ordered,
    request_items,
    reviews_due,
    school_names,
)
from communities.clock import Clock
from communities.db import update_if_unchanged, upsert_into
from communities.declarations.views import community_member_facts
from communities.identifying_text import find_identifying_text, warning_for
from communities.meetings.service import upcoming
from communities.meetings.tables import UPCOMING, Meeting, MeetingStatus, date_text, when_text, where_text
from communities.messaging.channel_posts import editable_posts, queue_post, row_id
from communities.messaging.outbox import (
    DeliveryKind,
    Outbox,
    OutboxMessage,
    OutgoingMessage,
    conversation_key,
)
from communities.messaging.teams_links import ChannelLink, PersonalChat, TeamInstallation
from communities.permissions import is_triager
from communities.requests import placement
from communities.requests.lifecycle import RequestStatus
from communities.requests.service import Notice
from communities.requests.tables import Request
from communities.roster.directory import PersonProfile
from communities.roster.tables import Community, Person
from communities.sqltypes import UtcDateTime

MAX_AOB_LENGTH = 200
MAX_AOB_ITEMS = 15
#: Section 4 until the community budget is modelled: no figures are invented.
BUDGET_TO_BE_REPORTED = "Budget position: to be reported by the chair"

# The Agenda template's standard sections, in order.
WELCOME, DECLARATIONS, PREVIOUS_MEETING, FINANCE, REQUESTS, REVIEWS, AOB, NEXT_MEETING = range(1, 9)
SECTION_TITLES: dict[int, str] = {
    WELCOME: "Welcome and apologies",
    DECLARATIONS: "Declarations of interest",
    PREVIOUS_MEETING: "Notes and actions of the previous meeting",
    FINANCE: "Finance: the community budget position",
    REQUESTS: "Requests from schools",
    REVIEWS: "Reviews of earlier outcomes",
    AOB: "Any other business",
    NEXT_MEETING: "Date of the next meeting",
}


class AgendaStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class Agenda(SQLModel, table=True):
    __tablename__ = "agenda"

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", unique=True)
    status: AgendaStatus = Field(default=AgendaStatus.DRAFT, sa_type=String(16))
    #: Optimistic concurrency: bumped by every change of content; cards carry it.
    version: int = 1
    #: Lines of any other business, in order (no pupil detail: checked when added).
    aob: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    #: The chair's order of the request items (request ids); see :func:`agenda_items.ordered`.
    item_order: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    published_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    #: The ``version`` the channel shows; behind ``version`` means there are changes to republish.
    published_version: int | None = None
    #: The meeting's ``sequence`` when the content was last saved: a moved meeting is a change too.
    meeting_sequence: int = 1
    #: The outbox row of the channel post (its first card): a republish edits it in place.
    channel_message_id: int | None = Field(default=None, foreign_key="outbox_message.id")
    #: The outbox rows of the later cards, when a long agenda needed several.
    channel_part_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


class AgendaRefused(Exception):
    """The change is not allowed or not possible; the message says why, for the person."""


class AgendaChanged(AgendaRefused):
    """The card was out of date (someone changed the agenda since): show the latest instead."""


class Move(StrEnum):
    UP = "up"
    DOWN = "down"


# ---- the view --------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgendaView:
    agenda_id: int
    meeting_id: int
    community_code: str
    community_name: str
    when: str
    where: str
    join_url: str | None
    chair: str | None
    publish_by: str
    status: AgendaStatus
    version: int
    published_at: datetime | None
    #: Published, and changed since: the channel shows an older version.
    unpublished_changes: bool
    #: When the previous meeting was, or None for the community's first.
    previous_meeting: str | None
    budget: str
    items: tuple[RequestItem, ...]
    reviews: tuple[ReviewLine, ...]
    aob: tuple[str, ...]
    #: When and where the community's next meeting after this one is, or None.
    next_meeting: str | None

    @property
    def title(self) -> str:
        return f"{self.community_name} ({self.community_code})"


async def view(
    session: AsyncSession, *, agenda_id: int | None = None, meeting_id: int | None = None
) -> AgendaView:
    """The agenda as the cards show it.

    Not permission-checked: it names flagged members, so the chair's copy goes only to someone
    :func:`open_for_review` (or one of the changes below) has let in.
    """
    if (agenda_id is None) == (meeting_id is None):
        raise ValueError("give exactly one of agenda_id and meeting_id")
    agenda = await session.get(Agenda, agenda_id) if agenda_id is not None else None
    if meeting_id is not None:
        agenda = await _agenda_of(session, meeting_id)
    if agenda is None or agenda.id is None:
        raise AgendaRefused("That meeting has no agenda yet.")
    meeting, community = await _load_meeting(session, agenda.meeting_id)
    items = await request_items(
        session, ordered(agenda.item_order, await attached(session, agenda.meeting_id))
    )
    previous, following = await _neighbours(session, meeting)
    published = AgendaStatus(agenda.status) is AgendaStatus.PUBLISHED
    return AgendaView(
        agenda_id=agenda.id,
        meeting_id=agenda.meeting_id,
        community_code=community.code,
        community_name=community.name,
        when=when_text(meeting),
        where=where_text(meeting.location, meeting.online),
        join_url=meeting.join_url if meeting.online else None,
        chair=await _name(session, meeting.chair_person_id),
        publish_by=date_text(meeting.agenda_publish_by),
        status=AgendaStatus(agenda.status),
        version=agenda.version,
        published_at=agenda.published_at,
        unpublished_changes=published
        and (agenda.published_version != agenda.version or agenda.meeting_sequence != meeting.sequence),
        previous_meeting=date_text(previous.starts_at) if previous else None,
        budget=BUDGET_TO_BE_REPORTED,
        items=tuple(items),
        reviews=tuple(await reviews_due(session, meeting)),
        aob=tuple(agenda.aob),
        next_meeting=_when_and_where(following) if following else None,
    )


def _when_and_where(meeting: Meeting) -> str:
    return f"{when_text(meeting)}, {where_text(meeting.location, meeting.online)}"


# ---- building and opening --------------------------------------------------------------------


async def build_draft(
    session: AsyncSession, clock: Clock, meeting_id: int, actor: PersonProfile | None = None
) -> Agenda:
    """The meeting's agenda, made as a draft the first time (the scheduler passes no actor).

    Idempotent: a second call, or two at once, returns the one agenda, whatever its state.
    """
    meeting, community = await _load_meeting(session, meeting_id)
    if actor is not None:
        await _check(session, clock, actor, meeting, community, "build")
    existing = await _agenda_of(session, meeting_id)
    if existing is not None:
        return existing
    _still_to_come(clock, meeting)
    order = [r.id for r in fair(await attached(session, meeting_id)) if r.id is not None]
    now = clock.now()
    created = await session.execute(
        upsert_into(session, Agenda)
        .values(
            meeting_id=meeting_id,
            status=AgendaStatus.DRAFT.value,
            version=1,
            aob=[],
            item_order=order,
            meeting_sequence=meeting.sequence,
            channel_part_ids=[],
            created_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing(index_elements=["meeting_id"])
        .returning(col(Agenda.id))
    )
    made = created.first() is not None  # None: another call made it just now
    agenda = await _agenda_of(session, meeting_id)
    assert agenda is not None
    if made:
        _audit(session, clock, actor, "agenda_built", meeting, {"items": len(order)})
    return agenda


async def open_for_review(
    session: AsyncSession, clock: Clock, actor: PersonProfile, meeting_id: int
) -> AgendaView:
    """The chair's copy: permission-checked, and built first if there is no draft yet."""
    await build_draft(session, clock, meeting_id, actor)
    return await view(session, meeting_id=meeting_id)


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
    agenda, meeting, _ = await _editable(session, clock, actor, meeting_id, version, "move")
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
        await _save(session, clock, agenda, item_order=order)
        _audit(
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
    agenda, meeting, community = await _editable(session, clock, actor, meeting_id, version, "defer")
    request = await session.get(Request, request_id)
    if request is None or request.meeting_id != meeting_id or request.status != RequestStatus.ACCEPTED:
        raise AgendaRefused(_NOT_ON_AGENDA)
    target = await _following(session, meeting)
    if target is None or target.id is None:
        raise AgendaRefused(
            f"{community.code} has no later meeting to defer {request.ref} to yet. Add the next meeting "
            "(Meetings), then defer it."
        )
    ref = request.ref
    if not await placement.defer(session, clock, actor, request, meeting_id, target.id):
        raise AgendaChanged(f"Someone changed {ref} just now. Open the agenda again to see the latest.")
    await _save(session, clock, agenda, item_order=[i for i in agenda.item_order if i != request_id])
    _audit(session, clock, actor, "agenda_item_deferred", meeting, {"request": request.ref, "to": target.id})
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
    agenda, meeting, community = await _editable(session, clock, actor, meeting_id, version, "add_aob")
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
    await _save(session, clock, agenda, aob=[*agenda.aob, line])
    _audit(session, clock, actor, "agenda_aob_added", meeting, {"items": len(agenda.aob)})
    return await view(session, meeting_id=meeting_id)


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
    agenda, meeting, _ = await _editable(session, clock, actor, meeting_id, version, "remove_aob")
    if not 0 <= index < len(agenda.aob):
        raise AgendaChanged("That item of any other business is not on the agenda any more.")
    await _save(session, clock, agenda, aob=[line for i, line in enumerate(agenda.aob) if i != index])
    _audit(session, clock, actor, "agenda_aob_removed", meeting, {"items": len(agenda.aob)})
    return await view(session, meeting_id=meeting_id)


# ---- publishing ------------------------------------------------------------------------------

#: Turns the agenda into the channel's cards (one, or several for a long agenda).
ChannelRenderer = Callable[[AgendaView], Sequence[dict[str, Any]]]


@dataclass(frozen=True)
class Published:
    view: AgendaView
    #: The outbox rows added now (new threads or in-place edits); empty when nothing had changed.
    queued: tuple[OutboxMessage, ...]
    parts: int
    #: The channel's earlier post was edited rather than a new one started.
    edited_in_place: bool

    @property
    def unchanged(self) -> bool:
        return not self.queued


async def publish(
    session: AsyncSession,
    clock: Clock,
    outbox: Outbox,
    actor: PersonProfile,
    meeting_id: int,
    render_channel_card: ChannelRenderer,
    *,
    version: int | None = None,
) -> Published:
    """Post the agenda to the community's channel, or edit the earlier post in place (republish).

    Outbox keys are ``agenda:{meeting_id}:v{version}`` (``:part{n}`` for later cards), so
    publishing a version twice queues nothing the second time.
    """
    agenda, meeting, community = await _editable(session, clock, actor, meeting_id, version, "publish")
    link = await _channel(session, community)
    if agenda.meeting_sequence != meeting.sequence:  # moved since: what the cards say has changed
        await _save(session, clock, agenda, meeting_sequence=meeting.sequence)
    current = await view(session, meeting_id=meeting_id)
    channel = conversation_key(DeliveryKind.NEW_THREAD, link.reference)
    posts = [agenda.channel_message_id, *agenda.channel_part_ids] if agenda.channel_message_id else []
    earlier = await editable_posts(session, posts, channel)
    if agenda.published_version == agenda.version and posts and len(earlier) == len(posts):
        return Published(current, (), len(posts), edited_in_place=False)  # the channel shows this already
    cards = list(render_channel_card(current))
    if not cards:
        raise ValueError("the renderer gave no card")
    summary = f"Agenda for {community.name}, {current.when}"
    queued: list[OutboxMessage] = []
    originals: list[int] = []
    for index, content in enumerate(cards):
        key = f"agenda:{meeting_id}:v{agenda.version}" + (f":part{index + 1}" if index else "")
        message = OutgoingMessage(card=dict(content), summary=summary)
        before = earlier[index] if index < len(earlier) else None
        row = await queue_post(session, outbox, key, message, before, link.reference, f"agenda:{meeting_id}")
        queued.append(row)
        originals.append(row_id(before if before is not None else row))
    for index, leftover in enumerate(earlier[len(cards) :], start=len(cards) + 1):
        retired = OutgoingMessage(
            text=f"Part {index} of an earlier version of this agenda is no longer needed: the agenda for "
            f"{current.when} now has {len(cards)} part(s), posted in this channel.",
        )
        key = f"agenda:{meeting_id}:v{agenda.version}:part{index}"
        queued.append(
            await queue_post(session, outbox, key, retired, leftover, link.reference, f"agenda:{meeting_id}")
        )
        originals.append(row_id(leftover))
    republished = AgendaStatus(agenda.status) is AgendaStatus.PUBLISHED
    await _save(
        session,
        clock,
        agenda,
        bump=False,
        status=AgendaStatus.PUBLISHED.value,
        published_at=clock.now(),
        published_version=agenda.version,
        channel_message_id=originals[0],
        channel_part_ids=originals[1:],
    )
    action = "agenda_republished" if republished else "agenda_published"
    _audit(session, clock, actor, action, meeting, {"version": agenda.version, "parts": len(cards)})
    return Published(
        view=await view(session, meeting_id=meeting_id),
        queued=tuple(queued),
        parts=len(cards),
        edited_in_place=bool(earlier),
    )


# ---- inside ----------------------------------------------------------------------------------

_NOT_ON_AGENDA = "That request is not on this agenda any more (it may have been withdrawn or deferred)."


async def _load_meeting(session: AsyncSession, meeting_id: int) -> tuple[Meeting, Community]:
    meeting = await session.get(Meeting, meeting_id)
    community = await session.get(Community, meeting.community_id) if meeting else None
    if meeting is None or community is None:
        raise AgendaRefused("That meeting does not exist (the card may be from somewhere else).")
    return meeting, community


async def _agenda_of(session: AsyncSession, meeting_id: int) -> Agenda | None:
    return (await session.exec(select(Agenda).where(Agenda.meeting_id == meeting_id))).first()


async def _check(
    session: AsyncSession,
    clock: Clock,
    actor: PersonProfile,
    meeting: Meeting,
    community: Community,
    what: str,
) -> None:
    """The community's chair or vice chair, or an officer; a refusal is audited and kept."""
    assert community.id is not None
    if is_triager(actor, community.id):
        return
    refusal = AgendaRefused(
        f"Only the chair or vice chair of {community.code}, or a council officer, can change or "
        "publish its agenda."
    )
    await audit.keep_only_refusal(
        session,
        clock,
        actor_person_id=actor.person_id,
        action=f"agenda_{what}_refused",
        entity="meeting",
        entity_id=str(meeting.id),
        detail={"community": community.code},
    )
    raise refusal


def _still_to_come(clock: Clock, meeting: Meeting) -> None:
    if meeting.status not in UPCOMING:
        label = MeetingStatus(meeting.status).label.lower()
        raise AgendaRefused(f"That meeting is {label}, so its agenda cannot change.")
    if meeting.ends_at <= clock.now():
        raise AgendaRefused("That meeting has already taken place, so its agenda cannot change.")


async def _editable(
    session: AsyncSession,
    clock: Clock,
    actor: PersonProfile,
    meeting_id: int,
    version: int | None,
    what: str,
) -> tuple[Agenda, Meeting, Community]:
    """Permission, a meeting still to come, the agenda (built if missing), and the card's version."""
    meeting, community = await _load_meeting(session, meeting_id)
    await _check(session, clock, actor, meeting, community, what)
    _still_to_come(clock, meeting)
    agenda = await build_draft(session, clock, meeting_id, actor)
    if version is not None and version != agenda.version:
        raise AgendaChanged("The agenda has changed since this card was sent. Here is the latest.")
    return agenda, meeting, community


async def _save(
    session: AsyncSession, clock: Clock, agenda: Agenda, *, bump: bool = True, **values: Any
) -> None:
    """Write with the version check: a concurrent change makes this one fail, not overwrite."""
    assert agenda.id is not None
    if bump:
        values["version"] = agenda.version + 1
    if not await update_if_unchanged(
        session, Agenda, agenda.id, agenda.version, {"updated_at": clock.now(), **values}
    ):
        await session.rollback()
        raise AgendaChanged("Someone else changed the agenda just now. Open it again to see the latest.")
    await session.refresh(agenda)


async def _name(session: AsyncSession, person_id: int | None) -> str | None:
    person = await session.get(Person, person_id) if person_id else None
    return person.display_name if person else None


async def _neighbours(session: AsyncSession, meeting: Meeting) -> tuple[Meeting | None, Meeting | None]:
    """The community's meeting before this one (not cancelled) and its next one still going ahead."""
    previous = (
        await session.exec(
            select(Meeting)
            .where(
                Meeting.community_id == meeting.community_id,
                col(Meeting.starts_at) < meeting.starts_at,
                col(Meeting.status) != MeetingStatus.CANCELLED,
            )
            .order_by(col(Meeting.starts_at).desc())
            .limit(1)
        )
    ).first()
    return previous, await _following(session, meeting)


async def _following(session: AsyncSession, meeting: Meeting) -> Meeting | None:
    later = await upcoming(session, [meeting.community_id], meeting.ends_at)
    return next((m for m in later if m.status in UPCOMING and m.starts_at > meeting.starts_at), None)


async def _channel(session: AsyncSession, community: Community) -> ChannelLink:
    link = (await session.exec(select(ChannelLink).where(ChannelLink.community_id == community.id))).first()
    if link is None:
        raise AgendaRefused(
            f"{community.name} ({community.code}) has no channel linked yet, so the agenda cannot be "
            f"posted. Its chair or an officer mentions the bot with `link {community.code}` in the "
            "community's channel; then publish again."
        )
    team = (
        await session.exec(select(TeamInstallation).where(TeamInstallation.team_id == link.team_id))
    ).first()
    if team is not None and not team.installed:
        raise AgendaRefused(
            f"The bot is no longer installed in the team of {community.code}'s channel, so the agenda "
            "cannot be posted. Add the app to the team again, then publish again."
        )
    return link


async def _dm(session: AsyncSession, outbox: Outbox, person_id: int, key: str, text: str) -> list[Notice]:
    chat = (await session.exec(select(PersonalChat).where(PersonalChat.person_id == person_id))).first()
    if chat is None:
        return []  # they have never opened a chat with the bot: the agenda still says where it went
    await outbox.send(
        session, key=f"{key}:{person_id}", reference=chat.reference, message=OutgoingMessage(text=text)
    )
    return [Notice(person_id, text)]


def _audit(
    session: AsyncSession,
    clock: Clock,
    actor: PersonProfile | None,
    action: str,
    meeting: Meeting,
    detail: dict[str, Any],
) -> None:
    audit.record(
        session,
        clock,
        actor_person_id=actor.person_id if actor else None,
        action=action,
        entity="meeting",
        entity_id=str(meeting.id),
        detail=detail,
    )
