"""Free-text answers that may identify a child: found, warned about, and acknowledged.

Unlike a pupil reference that looks like a name (refused: see :mod:`communities.requests.form`),
free text that may identify a child gets a warning the person can override, saying it is not
about a pupil; the acknowledgement is kept on the request with the kinds of what was found
(never the text itself). The names of the community's people may appear in text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from communities.clock import Clock
from communities.identifying_text import Finding, find_identifying_text
from communities.requests.tables import Request
from communities.roster.directory import PersonProfile
from communities.roster.tables import Membership, Person, School

#: Free-text answers checked for text that may identify a child (a warning, which can be overridden).
FREE_TEXT = (
    "needs_summary",
    "graduated_response",
    "what_worked",
    "hoped_outcome",
    "specialist_other",
    "support_other",
    "urgency_reason",
    "answer_to_chair",
)
#: Where the acknowledgements of identifying-text warnings are kept in ``details``.
ACKNOWLEDGED = "identifying_text_acknowledged"


def identifying(
    answers: Mapping[str, Any], *, allowed_names: Sequence[str], today: date
) -> dict[str, list[Finding]]:
    """The free-text answers that may identify a child, with what was found in each."""
    found: dict[str, list[Finding]] = {}
    for name in FREE_TEXT:
        value = answers.get(name)
        if isinstance(value, str) and value:
            findings = find_identifying_text(value, allowed_names=allowed_names, today=today)
            if findings:
                found[name] = findings
    return found


def acknowledgements(
    details: Mapping[str, Any],
    answers: Mapping[str, Any],
    kept: Mapping[str, list[Finding]],
    *,
    person_id: int,
    at: str,
) -> dict[str, Any]:
    """The acknowledgements after saving ``answers``: new ones for ``kept``, none for changed text.

    Only the kinds of what was found are recorded (never the text itself).
    """
    current = details.get(ACKNOWLEDGED)
    result = {k: v for k, v in current.items() if k not in answers} if isinstance(current, dict) else {}
    for name, findings in kept.items():
        result[name] = {
            "by_person_id": person_id,
            "at": at,
            "kinds": sorted({f.kind for f in findings}),
            "statement": "It is not about a pupil.",
        }
    return result


async def identifying_in(
    session: AsyncSession, clock: Clock, actor: PersonProfile, request: Request, answers: Mapping[str, Any]
) -> dict[str, list[Finding]]:
    """What in ``answers`` may identify a child; the writer and the community's people may be named."""
    if not any(answers.get(name) for name in FREE_TEXT):
        return {}
    staff = await staff_names(session, request.community_id)
    return identifying(answers, allowed_names=[actor.display_name, *staff], today=clock.now().date())


async def staff_names(session: AsyncSession, community_id: int) -> list[str]:
    """Names of the community's people (school staff, chair, vice chair): they may be named in text."""
    schools = select(School.id).where(School.community_id == community_id)
    rows = await session.exec(
        select(Person.display_name)
        .join(Membership, col(Membership.person_id) == col(Person.id))
        .where(
            col(Membership.active),
            or_(col(Membership.school_id).in_(schools), col(Membership.community_id) == community_id),
        )
    )
    return sorted(set(rows.all()))
