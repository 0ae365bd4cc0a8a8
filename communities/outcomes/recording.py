"""Recording a meeting's outcomes, one item at a time, as drafts kept in the database.

The chair (or the vice chair, or an officer) opens the meeting's outcomes: the items of its
published agenda, each with the members flagged for a conflict and the outcome saved so far.
Saving an item checks it (:mod:`communities.outcomes.validation`), checks that the person saving
it may decide it, warns about text that may identify a child, and writes it as a draft under a
version check; the request is then "discussed". Funding more than the community has left for the
year is refused with the numbers unless an officer approved the overspend
(:mod:`communities.budget.funding`). Nothing is told to anyone until the outcomes are
confirmed (:mod:`communities.outcomes.confirming`). A restart loses nothing already saved.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from communities import audit
from communities.agendas.items import school_names
from communities.budget.funding import check_funding
from communities.clock import Clock
from communities.db import update_if_unchanged
from communities.identifying_text import Finding, find_identifying_text, warning_for
from communities.meetings.tables import local, when_text
from communities.outcomes.access import (
    NOT_AN_ITEM,
    ON_THE_AGENDA,
    OutcomeChanged,
    OutcomeRefused,
    check_may_record,
    check_not_conflicted,
    item_requests,
    load_meeting,
    move,
    outcome_of,
)
from communities.outcomes.tables import Outcome, OutcomeAction, OutcomeStatus
from communities.outcomes.validation import CheckedOutcome, OutcomeEntry, check
from communities.outcomes.views import ItemView, OutcomeView, item_view, outcome_view
from communities.requests.conflicts import flagged_members
from communities.requests.identifying_answers import staff_names
from communities.requests.lifecycle import RequestAction, RequestStatus
from communities.requests.tables import Request
from communities.roster.directory import PersonProfile
from communities.roster.tables import Person, School

OWN_RULING = (
    "You are flagged for a conflict on this item, and the ruling on your own conflict is someone "
    "else's to make: the chair or vice chair who is not flagged, or a council officer, can record "
    "this outcome."
)


class IdentifyingText(OutcomeRefused):
    """Free text may identify a child: say so, and let the person rephrase or confirm it is not."""

    def __init__(self, found: dict[str, list[Finding]]) -> None:
        self.found = found
        findings = [f for fs in found.values() for f in fs]
        super().__init__(warning_for(findings))


@dataclass(frozen=True)
class Recording:
    """A meeting's outcomes so far."""

    meeting_id: int
    community_code: str
    community_name: str
    when: str
    items: tuple[ItemView, ...]

    @property
    def complete(self) -> bool:
        return all(item.recorded for item in self.items)

    @property
    def confirmed(self) -> bool:
        return bool(self.items) and all(
            item.outcome is not None and item.outcome.status is OutcomeStatus.CONFIRMED for item in self.items
        )


async def open_recording(
    session: AsyncSession, clock: Clock, actor: PersonProfile, meeting_id: int
) -> Recording:
    """The meeting's items and the outcomes saved so far, for someone who may record them."""
    meeting, community = await load_meeting(session, meeting_id)
    await check_may_record(session, clock, actor, meeting, community, "open")
    requests = await item_requests(session, meeting_id)
    schools = await school_names(session, {r.school_id for r in requests})
    items = []
    for request in requests:
        assert request.id is not None
        outcome = await outcome_of(session, meeting_id, request.id)
        shown = await outcome_view(session, outcome) if outcome else None
        flagged = await flagged_members(session, request)
        items.append(item_view(request, schools.get(request.school_id, "?"), flagged, outcome, shown))
    audit.record_read(
        session,
        clock,
        audit.Read.OUTCOMES,
        actor_person_id=actor.person_id,
        entity="meeting",
        entity_id=str(meeting_id),
        detail={"items": len(items), "requests": [item.ref for item in items]},
    )
    return Recording(meeting_id, community.code, community.name, when_text(meeting), tuple(items))


async def open_item(
    session: AsyncSession, clock: Clock, actor: PersonProfile, meeting_id: int, request_id: int
) -> tuple[Recording, ItemView | None]:
    """The meeting's outcomes and the one item whose outcome card is opened (None: not an item of
    this meeting). Opening it is a read of its pupil-level detail, audited against its request."""
    recording = await open_recording(session, clock, actor, meeting_id)
    item = next((i for i in recording.items if i.request_id == request_id), None)
    if item is not None:
        audit.record_read(
            session,
            clock,
            audit.Read.OUTCOME,
            actor_person_id=actor.person_id,
            entity="request",
            entity_id=item.ref,
            detail={"meeting": meeting_id, "outcome": item.outcome.outcome_id if item.outcome else None},
        )
    return recording, item


async def save_outcome(
    session: AsyncSession,
    clock: Clock,
    actor: PersonProfile,
    meeting_id: int,
    request_id: int,
    entry: OutcomeEntry,
    *,
    version: int | None = None,
    not_about_a_pupil: bool = False,
) -> OutcomeView:
    """Save one item's outcome as a draft (the caller commits); the request is then discussed.

    ``version`` is the outcome's version the card showed (None for a first save): a stale card is
    refused, never applied. Text that may identify a child is refused with a warning unless the
    person confirms it is not about a pupil (``not_about_a_pupil``); then what was found is kept
    (its kinds, never the text). Raises OutcomeInvalid with every problem of the entry.
    """
    meeting, community = await load_meeting(session, meeting_id)
    await check_may_record(session, clock, actor, meeting, community, "save")
    request = await session.get(Request, request_id)
    existing = await outcome_of(session, meeting_id, request_id)
    if request is None or (
        existing is None
        and (request.meeting_id != meeting_id or RequestStatus(request.status) not in ON_THE_AGENDA)
    ):
        raise OutcomeRefused(NOT_AN_ITEM)
    await check_not_conflicted(session, clock, actor, request, existing.rulings if existing else {})
    if existing is not None and OutcomeStatus(existing.status) is OutcomeStatus.CONFIRMED:
        raise OutcomeRefused(
            f"The outcome of {request.ref} is confirmed and the school has been told, so it cannot "
            "change here. If it was wrong, ask a council officer."
        )
    if existing is not None and version is not None and version != existing.version:
        raise OutcomeChanged(f"Someone else saved the outcome of {request.ref} since. Here is the latest.")
    if existing is None and version is not None:
        raise OutcomeChanged(f"The outcome of {request.ref} is not saved yet. Here is the latest.")
    flagged = {f.member.person_id: f.member.name for f in await flagged_members(session, request)}
    if actor.person_id in flagged:
        raise OutcomeRefused(OWN_RULING)
    checked = check(entry, meeting_day=local(meeting.starts_at).date(), flagged=flagged)
    await _check_owners(session, checked)
    await check_funding(session, meeting, community, request_id, checked.funding_pence)
    found = await _identifying(session, clock, actor, request, checked)
    if found and not not_about_a_pupil:
        raise IdentifyingText(found)
    acknowledged = {
        name: {"kinds": sorted({f.kind for f in findings}), "by_person_id": actor.person_id}
        for name, findings in found.items()
    }
    outcome = await _write(session, clock, actor, meeting_id, request_id, existing, checked, acknowledged)
    if RequestStatus(request.status) is RequestStatus.SCHEDULED:
        await move(session, clock, actor, request, RequestAction.DISCUSS)
    audit.record(
        session,
        clock,
        actor_person_id=actor.person_id,
        action="outcome_draft_saved",
        entity="request",
        entity_id=request.ref,
        detail={"meeting": meeting_id, "decision": checked.decision.value, "version": outcome.version},
    )
    return await outcome_view(session, outcome)


async def _write(
    session: AsyncSession,
    clock: Clock,
    actor: PersonProfile,
    meeting_id: int,
    request_id: int,
    existing: Outcome | None,
    checked: CheckedOutcome,
    acknowledged: Mapping[str, object],
) -> Outcome:
    now = clock.now()
    values: dict[str, object] = {
        "decision": checked.decision.value,
        "what_is_working": checked.what_is_working,
        "ideas_and_offers": [
            {"school_urn": o.school_urn, "school": o.school, "offer": o.offer}
            for o in checked.ideas_and_offers
        ],
        "funding_pence": checked.funding_pence,
        "funding_from": checked.funding_from,
        "funding_to": checked.funding_to,
        "rationale": checked.rationale,
        "review_date": checked.review_date,
        "rulings": {str(person): ruling.value for person, ruling in checked.rulings.items()},
        "identifying_text_acknowledged": dict(acknowledged),
        "recorded_by_person_id": actor.person_id,
        "updated_at": now,
    }
    if existing is None:
        outcome = Outcome(meeting_id=meeting_id, request_id=request_id, created_at=now, **values)  # type: ignore[arg-type]
        session.add(outcome)
        await session.flush()
    else:
        assert existing.id is not None
        values["version"] = existing.version + 1
        if not await update_if_unchanged(session, Outcome, existing.id, existing.version, values):
            await session.rollback()
            raise OutcomeChanged("Someone else saved this outcome just now. Here is the latest.")
        await session.refresh(existing)
        outcome = existing
        await session.execute(delete(OutcomeAction).where(col(OutcomeAction.outcome_id) == existing.id))
    assert outcome.id is not None
    for position, action in enumerate(checked.actions):
        assert action.due_date is not None
        session.add(
            OutcomeAction(
                outcome_id=outcome.id,
                position=position,
                description=action.description,
                owner_school_id=action.owner_school_id,
                owner_person_id=action.owner_person_id,
                due_date=action.due_date,
                created_at=now,
                updated_at=now,
            )
        )
    await session.flush()
    return outcome


async def _check_owners(session: AsyncSession, checked: CheckedOutcome) -> None:
    """Owners and offering schools must be in the roster (an offer may name a school by name only)."""
    for number, action in enumerate(checked.actions, start=1):
        school = await session.get(School, action.owner_school_id) if action.owner_school_id else None
        person = await session.get(Person, action.owner_person_id) if action.owner_person_id else None
        if (action.owner_school_id and school is None) or (action.owner_person_id and person is None):
            raise OutcomeRefused(f"The owner of action {number} is not in the roster: choose another.")
    urns = [o.school_urn for o in checked.ideas_and_offers if o.school_urn]
    if urns:
        known = set((await session.exec(select(School.urn).where(col(School.urn).in_(urns)))).all())
        unknown = sorted(set(urns) - known)
        if unknown:
            raise OutcomeRefused(
                f"No school in the roster has the URN {', '.join(unknown)}: check it, or give the "
                "school's name instead."
            )


#: The free text of an outcome checked for text that may identify a child.
def _texts(checked: CheckedOutcome) -> dict[str, str]:
    texts = {
        "what_is_working": checked.what_is_working or "",
        "rationale": checked.rationale or "",
    }
    for number, offer in enumerate(checked.ideas_and_offers, start=1):
        texts[f"offer_{number}"] = offer.offer
    for number, action in enumerate(checked.actions, start=1):
        texts[f"action_{number}"] = action.description
    return {name: text for name, text in texts.items() if text}


async def _identifying(
    session: AsyncSession, clock: Clock, actor: PersonProfile, request: Request, checked: CheckedOutcome
) -> dict[str, list[Finding]]:
    texts = _texts(checked)
    if not texts:
        return {}
    allowed: Sequence[str] = [actor.display_name, *await staff_names(session, request.community_id)]
    found: dict[str, list[Finding]] = {}
    for name, text in texts.items():
        findings = find_identifying_text(text, allowed_names=allowed, today=clock.now().date())
        if findings:
            found[name] = findings
    return found
