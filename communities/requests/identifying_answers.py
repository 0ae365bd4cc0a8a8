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

from sqlalchemy import Integer, bindparam, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from communities.clock import Clock
from communities.identifying_text import Finding, find_identifying_text
from communities.requests.tables import Request, table_of
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
    rows = await session.execute(_STAFF_NAMES, {"community_id": community_id})
    return sorted({name for (name,) in rows})


def _staff_names() -> Any:
    """The query of :func:`staff_names`, built once on the tables (Core: no ORM step per call)."""
    person, membership, school = (table_of(t) for t in (Person, Membership, School))
    community_id = bindparam("community_id", type_=Integer)
    schools = select(school.c.id).where(school.c.community_id == community_id)
    return (
        select(person.c.display_name)
        .join(membership, membership.c.person_id == person.c.id)
        .where(
            membership.c.active,
            or_(membership.c.school_id.in_(schools), membership.c.community_id == community_id),
        )
    )


_STAFF_NAMES = _staff_names()
