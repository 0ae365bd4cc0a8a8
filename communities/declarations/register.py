"""The register of interests, per person and academic year (domain.md §1.4, §3.3, §4.2).

Two kinds of row, neither ever deleted:

* ``InterestDeclaration``: one version of one interest, in force from ``declared_at`` until
  ``ended_at``. Updating an interest ends its current version (``end_reason = updated``) and
  adds a new version that points back to it (``previous_id``); ending an interest sets
  ``ended_at`` (``end_reason = ended``) and it stays in the register.
* ``DeclarationConfirmation``: a person's answer for an academic year, either "my interests
  are as registered" or "nothing to declare", with its date. There is at most one live answer
  per person and year; a different answer supersedes it (``superseded_at``). Declaring,
  updating or re-confirming interests answers "interests", so declaring an interest after
  "nothing to declare" supersedes that answer. Ending an interest answers nothing: ending the
  last one does not invent a "nothing to declare".

A person is *confirmed for the year* when they have a live answer for it.

Declarations are staff personal data (domain.md §5, point 8): the audit log gets ids and
kinds, never the description, trust or provider text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, tzinfo

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from communities import audit
from communities.academic_year import LONDON, academic_year_of
from communities.clock import Clock
from communities.declarations.conflict_rules import InterestKind
from communities.declarations.tables import (
    DESCRIPTION_MAX,
    NAME_MAX,
    Answer,
    DeclarationConfirmation,
    EndReason,
    InterestDeclaration,
)
from communities.declarations.year_register import active_interests, live_answer
from communities.roster.tables import Person, School


@dataclass(frozen=True)
class InterestDetails:
    """What a person declares about one interest, as a dialog collects it."""

    kind: InterestKind
    description: str
    pecuniary: bool
    school_urn: str | None = None
    trust: str | None = None
    provider: str | None = None


@dataclass(frozen=True)
class Refusal:
    """Why nothing was changed or shown, in words for the person who asked."""

    reason: str


# ---- reading the register ---------------------------------------------------------------------


# ---- changing the register --------------------------------------------------------------------


async def declare_interest(
    session: AsyncSession, clock: Clock, person_id: int, details: InterestDetails, zone: tzinfo = LONDON
) -> InterestDeclaration | Refusal:
    """Add an interest to the person's register; it answers "interests" for this year.

    Declaring an interest that is already in force, word for word, adds nothing: a card
    submitted twice gives one row.
    """
    if not await _is_active_person(session, person_id):
        return Refusal("I can't find you in the roster, so I can't record a declaration.")
    checked = await _checked(session, details)
    if isinstance(checked, Refusal):
        return checked
    existing = next((i for i in await active_interests(session, person_id) if _same(i, checked)), None)
    if existing is not None:
        await _answer(session, clock, person_id, Answer.INTERESTS, zone)
        return existing
    row = _version(person_id, checked, clock.now())
    session.add(row)
    await session.flush()
    _audit_interest(session, clock, "interest_declared", row)
    await _answer(session, clock, person_id, Answer.INTERESTS, zone)
    return row


async def update_interest(
    session: AsyncSession,
    clock: Clock,
    person_id: int,
    interest_id: int,
    details: InterestDetails,
    zone: tzinfo = LONDON,
) -> InterestDeclaration | Refusal:
    """Replace an interest's current version with a new one; the old version stays, ended."""
    current = await _own_current(session, clock, person_id, interest_id, "update", zone)
    if isinstance(current, Refusal):
        return current
    checked = await _checked(session, details)
    if isinstance(checked, Refusal):
        return checked
    if _same(current, checked):
        await _answer(session, clock, person_id, Answer.INTERESTS, zone)
        return current
    now = clock.now()
    current.ended_at, current.end_reason = now, EndReason.UPDATED
    session.add(current)
    row = _version(person_id, checked, now, previous_id=current.id)
    session.add(row)
    await session.flush()
    _audit_interest(session, clock, "interest_updated", row, previous_id=current.id)
    await _answer(session, clock, person_id, Answer.INTERESTS, zone)
    return row


async def end_interest(
    session: AsyncSession, clock: Clock, person_id: int, interest_id: int, zone: tzinfo = LONDON
) -> InterestDeclaration | Refusal:
    """The person no longer holds the interest. It stays in the register, ended."""
    current = await _own_current(session, clock, person_id, interest_id, "end", zone)
    if isinstance(current, Refusal):
        return current
    current.ended_at, current.end_reason = clock.now(), EndReason.ENDED
    session.add(current)
    await session.flush()
    _audit_interest(session, clock, "interest_ended", current)
    return current


async def nothing_to_declare(
    session: AsyncSession, clock: Clock, person_id: int, zone: tzinfo = LONDON
) -> DeclarationConfirmation | Refusal:
    """Answer "nothing to declare" for this academic year, dated now."""
    if not await _is_active_person(session, person_id):
        return Refusal("I can't find you in the roster, so I can't record a declaration.")
    active = await active_interests(session, person_id)
    if active:
        count = f"{len(active)} interest{'s' if len(active) > 1 else ''}"
        return Refusal(
            f"Your register still has {count} in force. End any that no longer apply, or confirm "
            "them as current: “nothing to declare” can't stand beside them."
        )
    return await _answer(session, clock, person_id, Answer.NOTHING_TO_DECLARE, zone)


async def confirm_current(
    session: AsyncSession, clock: Clock, person_id: int, zone: tzinfo = LONDON
) -> DeclarationConfirmation | Refusal:
    """Confirm that the interests in force (declared in an earlier year, say) are still current."""
    active = await active_interests(session, person_id)
    if not active:
        return Refusal(
            "There are no interests in force on your register to confirm. "
            "If you have none, answer “nothing to declare”."
        )
    return await _answer(
        session, clock, person_id, Answer.INTERESTS, zone, interest_ids=[i.id for i in active if i.id]
    )


# ---- helpers ----------------------------------------------------------------------------------


async def _answer(
    session: AsyncSession,
    clock: Clock,
    person_id: int,
    answer: Answer,
    zone: tzinfo,
    interest_ids: Sequence[int] = (),
) -> DeclarationConfirmation:
    """Make ``answer`` the person's live answer for this year, superseding a different one."""
    now = clock.now()
    year = academic_year_of(now, zone)
    live = await live_answer(session, person_id, year)
    if live is not None and live.answer == answer:
        return live
    if live is not None:
        live.superseded_at = now
        session.add(live)
        await session.flush()  # before the insert, for the one-live-answer index
    row = DeclarationConfirmation(person_id=person_id, academic_year=year, answer=answer, confirmed_at=now)
    session.add(row)
    await session.flush()
    detail: dict[str, object] = {"academic_year": year, "answer": answer.value}
    if live is not None:
        detail["superseded_id"] = live.id
    if interest_ids:
        detail["interest_ids"] = list(interest_ids)
    audit.record(
        session,
        clock,
        actor_person_id=person_id,
        action="declarations_confirmed",
        entity="person",
        entity_id=str(person_id),
        detail=detail,
    )
    return row


async def _own_current(
    session: AsyncSession, clock: Clock, person_id: int, interest_id: int, action: str, zone: tzinfo
) -> InterestDeclaration | Refusal:
    """The person's interest, in force. An id that is not theirs is refused and audited."""
    row = await session.get(InterestDeclaration, interest_id)
    if row is None or row.person_id != person_id:
        await audit.keep_only_refusal(
            session,
            clock,
            actor_person_id=person_id,
            action="declaration_refused",
            entity="interest_declaration",
            entity_id=str(interest_id),
            detail={"action": action, "why": "not_found" if row is None else "not_owner"},
        )
        return Refusal("I can't find that interest on your register.")
    if row.ended_at is None:
        return row
    day = _day(row.ended_at, zone)
    if row.end_reason == EndReason.UPDATED:
        return Refusal(f"That interest was updated on {day}. Open your register to see its current version.")
    return Refusal(f"That interest was ended on {day}. It stays in your register, but it can't be changed.")


_URN = re.compile(r"\d{6}")


async def _checked(session: AsyncSession, details: InterestDetails) -> InterestDetails | Refusal:
    """The details tidied (blanks are None), or why they can't be recorded."""
    kind = InterestKind(details.kind)
    description = " ".join(details.description.split())
    urn, trust, provider = (_blank(v) for v in (details.school_urn, details.trust, details.provider))
    if not description:
        return Refusal("Describe the interest in a few words.")
    if len(description) > DESCRIPTION_MAX:
        return Refusal(f"Keep the description under {DESCRIPTION_MAX} characters.")
    if any(len(name) > NAME_MAX for name in (trust, provider) if name):
        return Refusal(f"Keep the trust and provider names under {NAME_MAX} characters.")
    if urn is not None:
        if not _URN.fullmatch(urn):
            return Refusal(f"A school's unique reference number (URN) is 6 digits; “{urn}” isn't one.")
        school = (await session.exec(select(School).where(School.urn == urn, col(School.active)))).first()
        if school is None:
            return Refusal(
                f"I can't find a school with the unique reference number (URN) {urn} in the roster."
            )
    missing = _missing_for(kind, urn, trust, provider)
    if missing:
        return Refusal(missing)
    return replace(
        details, kind=kind, description=description, school_urn=urn, trust=trust, provider=provider
    )


def _missing_for(kind: InterestKind, urn: str | None, trust: str | None, provider: str | None) -> str:
    """What a kind of interest must name, so that the conflict rules can find it."""
    if kind is InterestKind.BUSINESS_OR_FINANCIAL and provider is None:
        return "Name the provider (the business or organisation) the interest is in."
    if kind is InterestKind.RELATIONSHIP and urn is None:
        return "Choose the school where the person you are related to works."
    if kind in (InterestKind.EMPLOYMENT_OR_ROLE, InterestKind.GOVERNANCE) and not (urn or trust or provider):
        return "Name the school, the trust or the organisation the role is at."
    return ""


def _blank(value: str | None) -> str | None:
    if value is None:
        return None
    value = " ".join(value.split())
    return value or None


def _same(row: InterestDeclaration, details: InterestDetails) -> bool:
    return (row.kind, row.school_urn, row.trust, row.provider, row.pecuniary, row.description) == (
        details.kind,
        details.school_urn,
        details.trust,
        details.provider,
        details.pecuniary,
        details.description,
    )


def _version(
    person_id: int, details: InterestDetails, now: datetime, previous_id: int | None = None
) -> InterestDeclaration:
    return InterestDeclaration(
        person_id=person_id,
        kind=details.kind,
        school_urn=details.school_urn,
        trust=details.trust,
        provider=details.provider,
        pecuniary=details.pecuniary,
        description=details.description,
        declared_at=now,
        previous_id=previous_id,
    )


def _audit_interest(
    session: AsyncSession,
    clock: Clock,
    action: str,
    row: InterestDeclaration,
    previous_id: int | None = None,
) -> None:
    """Ids and kinds only: never the description, trust or provider (staff personal data)."""
    detail: dict[str, object] = {"kind": str(row.kind), "pecuniary": row.pecuniary}
    if previous_id is not None:
        detail["previous_id"] = previous_id
    audit.record(
        session,
        clock,
        actor_person_id=row.person_id,
        action=action,
        entity="interest_declaration",
        entity_id=str(row.id),
        detail=detail,
    )


async def _is_active_person(session: AsyncSession, person_id: int) -> bool:
    person = await session.get(Person, person_id)
    return person is not None and person.active


def _day(instant: datetime, zone: tzinfo) -> str:
    local = instant.astimezone(zone)
    return f"{local.day} {local:%B %Y}"
