"""What every step of a dispute shares: its refusals, the reasons' checks, the version-checked write
with its history row and audit row, and the permission refusal kept on its own."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel.ext.asyncio.session import AsyncSession

from communities import audit
from communities.clock import Clock
from communities.db import update_if_unchanged
from communities.disputes import words
from communities.disputes.access import may_handle
from communities.disputes.tables import (
    Dispute,
    DisputeEvent,
    EventKind,
    Finding,
    Grounds,
    Stage,
)
from communities.identifying_text import Finding as TextFinding
from communities.identifying_text import find_identifying_text, warning_for
from communities.meetings.tables import local
from communities.requests.identifying_answers import staff_names
from communities.requests.tables import Request
from communities.roster.directory import PersonProfile
from communities.roster.tables import Community


class DisputeRefused(Exception):
    """The step cannot be taken; the message says why, and what can be done instead."""


class IdentifyingReasons(DisputeRefused):
    """The reasons may identify a child: rephrase, or confirm they do not."""

    def __init__(self, found: list[TextFinding]) -> None:
        self.found = found
        super().__init__(warning_for(found))


def today_of(clock: Clock) -> date:
    return local(clock.now()).date()


# ---- the shared steps ------------------------------------------------------------------------------


class Cleaned:
    def __init__(self, text: str, acknowledged: dict[str, Any]) -> None:
        self.text, self.acknowledged = text, acknowledged


async def clean_reasons(
    session: AsyncSession,
    clock: Clock,
    actor: PersonProfile,
    request: Request,
    reasons: str,
    not_about_a_pupil: bool,
    missing: str,
) -> Cleaned:
    today = today_of(clock)
    cleaned = " ".join((reasons or "").split())[:4000]
    if not cleaned:
        raise DisputeRefused(missing)
    allowed = [actor.display_name, *await staff_names(session, request.community_id)]
    found = find_identifying_text(cleaned, allowed_names=allowed, today=today)
    if found and not not_about_a_pupil:
        raise IdentifyingReasons(found)
    acknowledged: dict[str, Any] = (
        {"reasons": {"kinds": sorted({f.kind for f in found}), "by_person_id": actor.person_id}}
        if found
        else {}
    )
    return Cleaned(cleaned, acknowledged)


def grounds_of(value: str | None) -> Grounds:
    try:
        return Grounds(value or "")
    except ValueError:
        raise DisputeRefused(words.CHOOSE_GROUNDS) from None


async def load_dispute(session: AsyncSession, dispute_id: int) -> Dispute:
    dispute = await session.get(Dispute, dispute_id)
    if dispute is None:
        raise DisputeRefused(words.NO_SUCH_DISPUTE)
    return dispute


def check_version(dispute: Dispute, version: int | None) -> None:
    if version is not None and version != dispute.version:
        raise DisputeRefused(words.STALE)


async def handled(
    session: AsyncSession, clock: Clock, actor: PersonProfile, dispute_id: int, version: int | None, what: str
) -> Dispute:
    dispute = await load_dispute(session, dispute_id)
    if not await may_handle(session, actor, dispute):
        community = await session.get(Community, dispute.community_id)
        assert community is not None
        stage = Stage(dispute.stage)
        refusal = DisputeRefused(words.may_not_handle(stage, words.handlers_in_words(stage, community.code)))
        await refused(session, clock, actor, f"dispute_{what}_refused", f"dispute:{dispute_id}")
        raise refusal
    check_version(dispute, version)
    return dispute


async def write(session: AsyncSession, clock: Clock, dispute: Dispute, **values: Any) -> None:
    assert dispute.id is not None
    changed = {**values, "updated_at": clock.now(), "version": dispute.version + 1}
    if not await update_if_unchanged(session, Dispute, dispute.id, dispute.version, changed):
        raise DisputeRefused(words.STALE)
    for name, value in changed.items():
        set_committed_value(dispute, name, value)


def add_event(
    session: AsyncSession,
    clock: Clock,
    dispute: Dispute,
    kind: EventKind,
    by: int | None,
    *,
    finding: Finding | None = None,
    reasons: str | None = None,
) -> None:
    assert dispute.id is not None
    session.add(
        DisputeEvent(
            dispute_id=dispute.id,
            stage=int(dispute.stage),
            kind=kind,
            finding=finding,
            reasons=reasons,
            by_person_id=by,
            at=clock.now(),
        )
    )


def audit_change(
    session: AsyncSession, clock: Clock, actor: int | None, action: str, dispute: Dispute, **detail: Any
) -> None:
    audit.record(
        session,
        clock,
        actor_person_id=actor,
        action=action,
        entity="dispute",
        entity_id=str(dispute.id),
        detail={"stage": int(dispute.stage), "status": str(dispute.status), **detail},
    )


async def refused(
    session: AsyncSession, clock: Clock, actor: PersonProfile, action: str, entity_id: str
) -> None:
    await audit.keep_only_refusal(
        session, clock, actor_person_id=actor.person_id, action=action, entity="dispute", entity_id=entity_id
    )
