"""The actions agreed at a meeting, after it: whose they are, reminders before they are due, and
marking them done.

Only the actions of confirmed outcomes count: a draft's actions may still change. An action is
marked done by its owner (the person, or a school leader or SENCO of the owner school), or by the
community's chair or vice chair, or a council officer; only those three may cancel one. Every
refusal is audited and changes nothing; marking an action as it already is changes nothing and
says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from communities import audit
from communities.clock import Clock
from communities.meetings.tables import local
from communities.outcomes.access import OutcomeRefused, refuse
from communities.outcomes.tables import ActionStatus, Outcome, OutcomeAction, OutcomeStatus
from communities.permissions import is_school_staff, is_triager
from communities.requests.tables import Request
from communities.roster.directory import PersonProfile, school_staff
from communities.roster.tables import Community, Person, School

NO_SUCH_ACTION = (
    "That action does not exist, or its outcome is not confirmed yet (the card may be from elsewhere)."
)


@dataclass(frozen=True)
class ActionLine:
    """An agreed action as a card shows it."""

    action_id: int
    description: str
    ref: str
    request_id: int
    community_id: int
    community_code: str
    owner: str
    due_date: date
    status: ActionStatus
    #: Still open after its due date.
    overdue: bool


@dataclass(frozen=True)
class ActionMarked:
    line: ActionLine
    #: False when the action already had that status (nothing changed).
    changed: bool


async def _load(session: AsyncSession, action_id: int) -> tuple[OutcomeAction, Request, Community] | None:
    action = await session.get(OutcomeAction, action_id)
    outcome = await session.get(Outcome, action.outcome_id) if action else None
    if action is None or outcome is None or OutcomeStatus(outcome.status) is not OutcomeStatus.CONFIRMED:
        return None
    request = await session.get(Request, outcome.request_id)
    community = await session.get(Community, request.community_id) if request else None
    if request is None or community is None:
        return None
    return action, request, community


async def owner_name(session: AsyncSession, action: OutcomeAction) -> str:
    if action.owner_person_id is not None:
        person = await session.get(Person, action.owner_person_id)
        if person is not None:
            return person.display_name
    if action.owner_school_id is not None:
        school = await session.get(School, action.owner_school_id)
        if school is not None:
            return school.name
    return "Not known"


async def _line(
    session: AsyncSession, action: OutcomeAction, request: Request, community: Community, today: date
) -> ActionLine:
    assert action.id is not None and request.id is not None
    status = ActionStatus(action.status)
    return ActionLine(
        action_id=action.id,
        description=action.description,
        ref=request.ref,
        request_id=request.id,
        community_id=request.community_id,
        community_code=community.code,
        owner=await owner_name(session, action),
        due_date=action.due_date,
        status=status,
        overdue=status is ActionStatus.OPEN and action.due_date < today,
    )


async def action_line(session: AsyncSession, action_id: int, today: date) -> ActionLine | None:
    """One action of a confirmed outcome, or None."""
    loaded = await _load(session, action_id)
    return await _line(session, *loaded, today) if loaded else None


async def owners_of(session: AsyncSession, action: OutcomeAction) -> tuple[int, ...]:
    """Who is reminded: the owner person if active, else the owner school's active leaders and SENCOs."""
    if action.owner_person_id is not None:
        person = await session.get(Person, action.owner_person_id)
        if person is not None and person.active:
            return (action.owner_person_id,)
    if action.owner_school_id is None:
        return ()
    return await school_staff(session, action.owner_school_id)


def may_mark(actor: PersonProfile, action: OutcomeAction, request: Request, status: ActionStatus) -> bool:
    if is_triager(actor, request.community_id):
        return True
    if status is ActionStatus.CANCELLED:
        return False
    if action.owner_person_id == actor.person_id:
        return True
    return action.owner_school_id is not None and is_school_staff(actor, action.owner_school_id)


def may_not_mark(code: str, status: ActionStatus) -> str:
    if status is ActionStatus.CANCELLED:
        return (
            f"Only the chair or vice chair of {code}, or a council officer, can cancel an agreed action. "
            "If it is no longer needed, tell your chair."
        )
    return (
        f"Only the action's owner (the person, or a school leader or SENCO of the school), the chair or "
        f"vice chair of {code}, or a council officer can mark it done. The owner is reminded before it "
        "is due."
    )


async def mark_action(
    session: AsyncSession,
    clock: Clock,
    actor: PersonProfile,
    action_id: int,
    status: ActionStatus = ActionStatus.DONE,
) -> ActionMarked:
    """Mark an action done (or cancelled); the caller commits. Raises OutcomeRefused."""
    if status is ActionStatus.OPEN:
        raise ValueError("an action is marked done or cancelled")
    today = local(clock.now()).date()
    loaded = await _load(session, action_id)
    if loaded is None:
        raise OutcomeRefused(NO_SUCH_ACTION)
    action, request, community = loaded
    if not may_mark(actor, action, request, status):
        refusal = OutcomeRefused(may_not_mark(community.code, status))
        await refuse(
            session, clock, actor, f"action_{status.value}_refused", "outcome_action", str(action_id)
        )
        raise refusal
    current = ActionStatus(action.status)
    if current is status:
        return ActionMarked(await _line(session, action, request, community, today), changed=False)
    if current is not ActionStatus.OPEN:
        raise OutcomeRefused(
            f"This action is already {current.label.lower()}, so it cannot be marked "
            f"{status.label.lower()}. Ask your chair if it should be looked at again."
        )
    action.status = status
    action.updated_at = clock.now()
    session.add(action)
    audit.record(
        session,
        clock,
        actor_person_id=actor.person_id,
        action=f"action_{status.value}",
        entity="outcome_action",
        entity_id=str(action_id),
        detail={"request": request.ref},
    )
    await session.flush()
    return ActionMarked(await _line(session, action, request, community, today), changed=True)


async def _confirmed_open(session: AsyncSession, community_id: int | None = None) -> list[OutcomeAction]:
    query = (
        select(OutcomeAction)
        .join(Outcome, col(Outcome.id) == col(OutcomeAction.outcome_id))
        .join(Request, col(Request.id) == col(Outcome.request_id))
        .where(OutcomeAction.status == ActionStatus.OPEN, Outcome.status == OutcomeStatus.CONFIRMED)
        .order_by(col(OutcomeAction.due_date), col(OutcomeAction.id))
    )
    if community_id is not None:
        query = query.where(Request.community_id == community_id)
    return list((await session.exec(query)).all())


async def open_actions(
    session: AsyncSession, today: date, community_id: int | None = None
) -> list[ActionLine]:
    """The open actions of confirmed outcomes (a community's, or all), soonest due first."""
    lines = []
    for action in await _confirmed_open(session, community_id):
        assert action.id is not None
        found = await action_line(session, action.id, today)
        if found is not None:
            lines.append(found)
    return lines


async def overdue_actions(
    session: AsyncSession, today: date, community_id: int | None = None
) -> list[ActionLine]:
    return [line for line in await open_actions(session, today, community_id) if line.overdue]


@dataclass(frozen=True)
class Reminder:
    line: ActionLine
    #: Who is reminded (person ids).
    owners: tuple[int, ...]

    @property
    def key(self) -> str:
        """One reminder per action and due date (a new due date would be reminded again)."""
        return f"outcomes:action_reminder:{self.line.action_id}:{self.line.due_date.isoformat()}"


async def reminders_due(session: AsyncSession, today: date, days_before: int) -> list[Reminder]:
    """Open actions due within ``days_before`` days from ``today`` (not overdue), with their owners."""
    found = []
    last = today + timedelta(days=days_before)
    for action in await _confirmed_open(session):
        if not today <= action.due_date <= last:
            continue
        assert action.id is not None
        line = await action_line(session, action.id, today)
        if line is not None:
            found.append(Reminder(line, await owners_of(session, action)))
    return found
